import { Injectable } from '@nestjs/common';
import { Clock, type DamagedObject, forEachLimited, ObjectStorage, verifyStoredObject } from '#shared-kernel';
import type { Rendition } from '../../domain/rendition.js';
import { RenditionRepository } from '../ports/rendition.repository.port.js';
import { RenditionRequests } from '../rendition-requests.service.js';

/** What to do with a damaged rendition: make it again (recut) or mark it failed (fail). */
export type RenditionRepair = 'recut' | 'fail';

/** The error code of a rendition failed because its stored file was found damaged. */
export const DAMAGED_FILE = 'DAMAGED_FILE';

export interface RenditionsIntegrity {
  checkedObjects: number;
  checkedBytes: number;
  damaged: (DamagedObject & { panoramaId: string; renditionId: string })[];
  repairs: { renditionId: string; repair: RenditionRepair; applied: boolean }[];
}

const PAGE = 500;

/**
 * Verifies the files of ready renditions (of one panorama, or all) against their recorded
 * size and SHA-256 (SECURITY.md item 21); when asked, makes damaged ones again or fails them.
 */
@Injectable()
export class CheckRenditionsIntegrityUseCase {
  constructor(
    private readonly renditions: RenditionRepository,
    private readonly storage: ObjectStorage,
    private readonly requests: RenditionRequests,
    private readonly clock: Clock,
  ) {}

  async execute(scope: { panoramaId?: string }, repair?: RenditionRepair): Promise<RenditionsIntegrity> {
    const report: RenditionsIntegrity = { checkedObjects: 0, checkedBytes: 0, damaged: [], repairs: [] };
    if (scope.panoramaId) {
      await this.check(report, await this.renditions.findByPanorama(scope.panoramaId), repair);
    } else {
      for (let after: string | undefined; ;) {
        const page = await this.renditions.scanReady(after, PAGE);
        await this.check(report, page, repair);
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
    }
    report.damaged.sort((a, b) => (a.key < b.key ? -1 : 1));
    return report;
  }

  private async check(report: RenditionsIntegrity, renditions: Rendition[], repair?: RenditionRepair): Promise<void> {
    await forEachLimited(
      renditions.filter((r) => r.status === 'ready'),
      8,
      async (rendition) => {
        const damage = await verifyStoredObject(this.storage, rendition.key, {
          bytes: rendition.bytes!,
          sha256: rendition.sha256!,
        });
        report.checkedObjects++;
        report.checkedBytes += rendition.bytes!;
        if (!damage) return;
        report.damaged.push({ ...damage, panoramaId: rendition.panoramaId, renditionId: rendition.id });
        if (repair)
          report.repairs.push({ renditionId: rendition.id, repair, applied: await this.repair(rendition, repair) });
      },
    );
  }

  private async repair(rendition: Rendition, repair: RenditionRepair): Promise<boolean> {
    if (!(await this.renditions.condemn(rendition.id, DAMAGED_FILE, this.clock.now()))) return false;
    await this.storage.delete(rendition.key);
    if (repair === 'recut') await this.requests.retry(rendition.id);
    return true;
  }
}
