import { Global, Module } from '@nestjs/common';
import { ImageProcessor } from '#panoramas';
import { SharpImageProcessor } from './sharp-image-processor.js';

/** Binds the image ports to sharp. */
@Global()
@Module({
  providers: [{ provide: ImageProcessor, useClass: SharpImageProcessor }],
  exports: [ImageProcessor],
})
export class ImagingModule {}
