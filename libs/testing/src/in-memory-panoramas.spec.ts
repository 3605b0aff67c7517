import { randomUUID } from 'node:crypto';
import { InMemoryPanoramaRepository, InMemoryTileSetRepository } from './in-memory-panoramas.js';
import { panoramaRepositoryContract } from './panorama-repository.contract.js';

panoramaRepositoryContract('in memory (the unit specs use this)', async () => {
  const tileSets = new InMemoryTileSetRepository();
  return {
    panoramas: new InMemoryPanoramaRepository(tileSets),
    tileSets,
    owners: [randomUUID(), randomUUID()],
    dispose: async () => undefined,
  };
});
