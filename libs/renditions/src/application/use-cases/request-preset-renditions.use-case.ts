import { Injectable, Logger } from '@nestjs/common';
import { type Panorama } from '#panoramas';
import { DomainError } from '#shared-kernel';
import type { RenditionPreset } from '../../domain/presets.js';
import type { Rendition } from '../../domain/rendition.js';
import { RenditionRequests } from '../rendition-requests.service.js';

/**
 * Eager renditions of a freshly uploaded panorama: one per preset asked for (see
 * selectPresets). Idempotent (an upload of the same bytes again asks again). A preset that
 * cannot be made (the panorama's rendition limit) is skipped, not an upload failure.
 */
@Injectable()
export class RequestPresetRenditionsUseCase {
  private readonly logger = new Logger(RequestPresetRenditionsUseCase.name);

  constructor(private readonly requests: RenditionRequests) {}

  async execute(panorama: Panorama, presets: readonly RenditionPreset[]): Promise<Rendition[]> {
    const made: Rendition[] = [];
    for (const preset of presets) {
      try {
        made.push((await this.requests.ensure(panorama, preset.request, preset.name)).rendition);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        this.logger.warn({ panoramaId: panorama.id, preset: preset.name, code: error.code }, error.message);
      }
    }
    return made;
  }
}
