import { Global, Module } from '@nestjs/common';
import { ImageProcessor } from '#panoramas';
import { PyramidTiler } from '#tiles';
import { SharpImageProcessor } from './sharp-image-processor.js';
import { SharpPyramidTiler } from './sharp-pyramid-tiler.js';

/** Binds the image ports to sharp. */
@Global()
@Module({
  providers: [
    { provide: ImageProcessor, useClass: SharpImageProcessor },
    { provide: PyramidTiler, useClass: SharpPyramidTiler },
  ],
  exports: [ImageProcessor, PyramidTiler],
})
export class ImagingModule {}
