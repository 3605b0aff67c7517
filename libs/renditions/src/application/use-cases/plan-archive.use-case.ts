import { Injectable } from '@nestjs/common';
import { PanoramaAccess, type Panorama } from '#panoramas';
import { type Actor, type ObjectRead, ObjectStorage } from '#shared-kernel';
import { UnknownPresetError } from '../../domain/renditions.errors.js';
import { downloadName } from '../../domain/rendition.js';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionsSettings } from '../renditions.settings.js';

/** What an archive may hold per panorama: its original, and the renditions of named presets. */
export const ARCHIVE_ORIGINALS = 'originals';

export interface ArchiveFile {
  /** Path inside the archive. */
  name: string;
  bytes: number;
  open(): Promise<ObjectRead>;
}

/** One panorama's part of an archive, as its index lists it. */
export interface ArchivedPanorama {
  id: string;
  title: string;
  folder: string;
  files: string[];
  /** What was asked for but is not there yet (a preset still processing, failed or never made). */
  missing: { include: string; reason: string }[];
}

export interface ArchivePlan {
  files: ArchiveFile[];
  index: ArchivedPanorama[];
}

/**
 * Plans the download of several panoramas as one archive: for each (in the order given, once
 * each), a folder named after its file (`matterhorn/`, `matterhorn (2)/` for a second one of
 * that name) with the original and the ready renditions of the presets asked for. Every id
 * must be one's own (else PanoramaNotFoundError, before anything is sent); every include
 * must be `originals` or a configured preset name (else UnknownPresetError).
 */
@Injectable()
export class PlanArchiveUseCase {
  constructor(
    private readonly access: PanoramaAccess,
    private readonly renditions: RenditionRepository,
    private readonly storage: ObjectStorage,
    private readonly settings: RenditionsSettings,
  ) {}

  async execute(actor: Actor, ids: string[], include: string[]): Promise<ArchivePlan> {
    const known = this.settings.presets.map((p) => p.name);
    for (const name of include) {
      if (name !== ARCHIVE_ORIGINALS && !known.includes(name)) {
        throw new UnknownPresetError(name, [ARCHIVE_ORIGINALS, ...known]);
      }
    }
    const panoramas: Panorama[] = [];
    for (const id of new Set(ids)) panoramas.push(await this.access.readable(actor, id));
    const renditions = await this.renditions.findByPanoramas(panoramas.map((p) => p.id));

    const plan: ArchivePlan = { files: [], index: [] };
    const folders = new Set<string>();
    for (const panorama of panoramas) {
      const folder = uniqueFolder(folders, panorama.originalFilename.replace(/\.[^.]*$/, '') || 'panorama');
      const entry: ArchivedPanorama = { id: panorama.id, title: panorama.title, folder, files: [], missing: [] };
      const add = (name: string, key: string, bytes: number) => {
        entry.files.push(`${folder}/${name}`);
        plan.files.push({ name: `${folder}/${name}`, bytes, open: () => this.storage.get(key) });
      };
      for (const wanted of new Set(include)) {
        if (wanted === ARCHIVE_ORIGINALS) {
          add(panorama.originalFilename, panorama.originalKey, panorama.bytes);
          continue;
        }
        const rendition = (renditions.get(panorama.id) ?? []).find((r) => r.name === wanted);
        if (rendition?.status === 'ready') {
          add(downloadName(panorama.originalFilename, rendition), rendition.key, rendition.bytes!);
        } else {
          entry.missing.push({ include: wanted, reason: rendition ? rendition.status : 'not requested' });
        }
      }
      plan.index.push(entry);
    }
    return plan;
  }
}

/** `name`, or `name (2)`, `name (3)`... unused so far, ignoring case (as Windows and macOS unpack). */
function uniqueFolder(used: Set<string>, name: string): string {
  let candidate = name;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${name} (${n})`;
  used.add(candidate.toLowerCase());
  return candidate;
}
