import { Module } from '@nestjs/common';
import { SharedThrottlerStorage } from './shared-throttler-storage.js';

/** Provides the shared rate-limit storage to ThrottlerModule's async factory. */
@Module({ providers: [SharedThrottlerStorage], exports: [SharedThrottlerStorage] })
export class ThrottlingStorageModule {}
