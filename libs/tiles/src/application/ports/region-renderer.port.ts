import type { ReadablePyramid } from '#shared-kernel';
import type { IiifImageRequest, RegionRead } from '../../domain/iiif.js';

/** Renders one IIIF image request from the tiles of a pyramid (implemented on sharp). */
export abstract class PyramidRegionRenderer {
  /**
   * Reads the tiles of `read.level` that cover `read`, crops them to it, scales to the
   * request's size, mirrors, rotates, applies the quality and encodes; never reads more
   * than those tiles. Stops (throwing the signal's reason) soon after `signal` aborts, and
   * throws once `timeout` seconds are spent.
   */
  abstract render(
    pyramid: ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<Buffer>;
}
