import { Injectable } from '@nestjs/common';
import type { UploadFields } from '#panoramas';
import { type RenditionPreset, RenditionsSettings, selectPresets } from '#renditions';
import { validateDto } from '../http/problem/validation.js';
import { UploadPanoramaFieldsDto, UploadPanoramasFieldsDto } from './dto/upload-panorama.dto.js';

/**
 * The text fields of an upload (multipart fields, or a resumable upload's metadata),
 * validated as the upload DTO says, into the use case's fields and the presets to make.
 */
@Injectable()
export class UploadFieldsParser {
  constructor(private readonly renditionSettings: RenditionsSettings) {}

  async parse(
    raw: Record<string, string>,
    dto: typeof UploadPanoramaFieldsDto | typeof UploadPanoramasFieldsDto = UploadPanoramaFieldsDto,
  ): Promise<{ upload: UploadFields; presets: RenditionPreset[] }> {
    const fields: Partial<UploadPanoramaFieldsDto> = await validateDto(dto, raw);
    return {
      upload: {
        title: fields.title,
        description: fields.description,
        projection: fields.projection,
        tileOptions: {
          tileSize: fields.tileSize,
          format: fields.tileFormat,
          quality: fields.tileQuality,
          overlap: fields.overlap,
        },
      },
      presets: selectPresets(this.renditionSettings.presets, fields.presets),
    };
  }
}
