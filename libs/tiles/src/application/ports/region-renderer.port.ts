import type { ReadablePyramid } from '#shared-kernel';
import type { IiifImageRequest, RegionRead } from '../../domain/iiif.js';

/** Renders one IIIF image request from the tiles of a pyramid (implemented on sharp). */
export abstract class PyramidRegionRenderer {
  /**
   * Reads the tiles of `read.level` that cover `read`, crops them to it, scales to the
   * request's size, mirrors, rotates, applies the quality and encodes; never reads more
   * than those tiles. Throws on timeout.
   */
  abstract render(
    pyramid: ReadablePyramid,
    read: RegionRead,
    request: IiifImageRequest,
    timeoutSeconds: number,
  ): Promise<Buffer>;
}
