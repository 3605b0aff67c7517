import { Injectable } from '@nestjs/common';
import { RenditionsSettings, selectPresets } from '#renditions';
import type { IngestFields } from '#workflows';
import { splitTags } from '../common/tags.js';
import { validateDto } from '../http/problem/validation.js';
import { UploadPanoramaFieldsDto, UploadPanoramasFieldsDto } from './dto/upload-panorama.dto.js';

/**
 * The text fields of an upload (multipart fields, or a resumable upload's metadata),
 * validated as the upload DTO says, into the ingest's fields (the presets to make included).
 */
@Injectable()
export class UploadFieldsParser {
  constructor(private readonly renditionSettings: RenditionsSettings) {}

  async parse(
    raw: Record<string, string>,
    dto: typeof UploadPanoramaFieldsDto | typeof UploadPanoramasFieldsDto = UploadPanoramaFieldsDto,
  ): Promise<IngestFields> {
    const fields: Partial<UploadPanoramaFieldsDto> = await validateDto(dto, raw);
    return {
      title: fields.title,
      description: fields.description,
      projection: fields.projection,
      tags: fields.tags ? splitTags(fields.tags) : undefined,
      collectionId: fields.collectionId,
      tileOptions: {
        tileSize: fields.tileSize,
        format: fields.tileFormat,
        quality: fields.tileQuality,
        overlap: fields.overlap,
      },
      presets: selectPresets(this.renditionSettings.presets, fields.presets),
    };
  }
}
