import { Global, Module } from '@nestjs/common';
import { ImageProcessor } from '#panoramas';
import { RenditionRenderer } from '#renditions';
import { PyramidRegionRenderer, PyramidTiler } from '#tiles';
import { SharpImageProcessor } from './sharp-image-processor.js';
import { SharpPyramidTiler } from './sharp-pyramid-tiler.js';
import { SharpRegionRenderer } from './sharp-region-renderer.js';
import { SharpRenditionRenderer } from './sharp-rendition-renderer.js';

/** Binds the image ports to sharp. */
@Global()
@Module({
  providers: [
    { provide: ImageProcessor, useClass: SharpImageProcessor },
    { provide: PyramidTiler, useClass: SharpPyramidTiler },
    { provide: RenditionRenderer, useClass: SharpRenditionRenderer },
    { provide: PyramidRegionRenderer, useClass: SharpRegionRenderer },
  ],
  exports: [ImageProcessor, PyramidTiler, RenditionRenderer, PyramidRegionRenderer],
})
export class ImagingModule {}
