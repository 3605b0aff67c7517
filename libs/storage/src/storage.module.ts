import { Global, Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { ObjectStorage } from '#shared-kernel';
import { LocalObjectStorage } from './local-object-storage.js';

/**
 * Binds the ObjectStorage port to the adapter STORAGE_DRIVER names. The HTTP contract is
 * the same whatever the driver.
 */
@Global()
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ObjectStorage => {
        switch (config.STORAGE_DRIVER) {
          case 'local':
            return new LocalObjectStorage(config.STORAGE_LOCAL_ROOT);
        }
      },
    },
  ],
  exports: [ObjectStorage],
})
export class StorageModule {}
