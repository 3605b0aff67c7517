import { Injectable } from '@nestjs/common';
import {
  PanoramaAccess,
  PanoramaNotFoundError,
  type UploadFields,
  UploadPanoramaUseCase,
  type UploadResult,
  type UploadSource,
} from '#panoramas';
import { type RenditionPreset, RequestPresetRenditionsUseCase } from '#renditions';
import { CollectionNotFoundError, CollectionsUseCase } from '#collections';
import type { QueuedJob } from '#shared-kernel';
import { PanoramaDerivatives, type PanoramaWithDerivatives } from '../catalogue/panorama-catalogue.use-case.js';
import { REQUEST_PRESETS_JOB } from './jobs.js';

/** An upload's fields, with the rendition presets it picked (see selectPresets) and its collection. */
export interface IngestFields extends UploadFields {
  presets: RenditionPreset[];
  /** One of the owner's collections to put the panorama in. */
  collectionId?: string;
}

/** An upload as every way in hands it over (multipart, batch item, finished tus upload). */
export interface IngestSource extends Omit<UploadSource, 'fields'> {
  fields(): Promise<IngestFields>;
}

export type IngestResult = UploadResult & PanoramaWithDerivatives;

/**
 * Bringing a panorama in, whichever way it came: the upload (stored, its tile sets queued,
 * see UploadPanoramaUseCase), then the presets it picked.
 *
 * The presets are asked for twice on purpose. A job committed in the panorama's own
 * transaction asks for them, so a process that dies after the commit cannot lose them; and
 * this use case asks at once, so the answer already lists them. Asking is idempotent (the
 * same spec is the same rendition), so whichever comes second finds them made.
 */
@Injectable()
export class IngestPanoramaUseCase {
  constructor(
    private readonly upload: UploadPanoramaUseCase,
    private readonly requestPresets: RequestPresetRenditionsUseCase,
    private readonly derivatives: PanoramaDerivatives,
    private readonly access: PanoramaAccess,
    private readonly collections: CollectionsUseCase,
  ) {}

  async execute(ownerId: string, source: IngestSource): Promise<IngestResult> {
    let presets: RenditionPreset[] = [];
    let collectionId: string | undefined;
    const result = await this.upload.execute(
      ownerId,
      {
        ...source,
        fields: async () => {
          const fields = await source.fields();
          presets = fields.presets;
          // Refused before anything is stored when the collection is not the owner's.
          if (fields.collectionId) await this.checkCollection(ownerId, fields.collectionId);
          collectionId = fields.collectionId;
          return fields;
        },
      },
      {
        jobsOnCommit: (panorama): QueuedJob[] =>
          presets.length === 0
            ? []
            : [
                {
                  name: REQUEST_PRESETS_JOB,
                  payload: { panoramaId: panorama.id, ownerId: panorama.ownerId, presets },
                  options: { singletonKey: panorama.id },
                },
              ],
      },
    );
    // Again for the same bytes too: a re-upload may pick presets the first one did not.
    await this.requestPresets.execute(result.panorama, presets);
    if (collectionId) {
      // Added after the commit: a collection's completion waits COLLECTION_SETTLE_SECONDS
      // after its last change, this addition included. Deleted meanwhile: nothing to add to.
      await this.collections
        .add({ userId: ownerId, role: 'user' }, collectionId, [result.panorama.id])
        .catch((error: unknown) => {
          if (!(error instanceof CollectionNotFoundError)) throw error;
        });
    }
    return (await this.derivatives.attach([result]))[0];
  }

  /** Throws CollectionNotFoundError unless the collection is the owner's (a resumable upload checks at creation). */
  async checkCollection(ownerId: string, collectionId: string): Promise<void> {
    await this.collections.owned({ userId: ownerId, role: 'user' }, collectionId);
  }

  /** Refuses now an upload of `bytes` that could not be accepted (see UploadPanoramaUseCase.checkAllowance). */
  checkAllowance(ownerId: string, bytes: number | undefined, reservedBytes = 0): Promise<void> {
    return this.upload.checkAllowance(ownerId, bytes, reservedBytes);
  }

  /** The most bytes one more upload of this owner may have now (see UploadPanoramaUseCase.uploadLimit). */
  uploadLimit(ownerId: string, reservedBytes = 0): Promise<number> {
    return this.upload.uploadLimit(ownerId, reservedBytes);
  }

  /** The job's side: the presets of a committed upload (nothing if the panorama is gone since). */
  async requestCommittedPresets(panoramaId: string, ownerId: string, presets: RenditionPreset[]): Promise<void> {
    try {
      const panorama = await this.access.writable({ userId: ownerId, role: 'user' }, panoramaId);
      await this.requestPresets.execute(panorama, presets);
    } catch (error) {
      if (!(error instanceof PanoramaNotFoundError)) throw error;
    }
  }
}
