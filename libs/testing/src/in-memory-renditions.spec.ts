import { randomUUID } from 'node:crypto';
import { InMemoryPanoramaRepository, InMemoryTileSetRepository } from './in-memory-panoramas.js';
import { InMemoryRenditionRepository } from './in-memory-renditions.js';
import { renditionRepositoryContract, twoStoredPanoramas } from './rendition-repository.contract.js';

renditionRepositoryContract('in memory (the unit specs use this)', async () => {
  const panoramas = new InMemoryPanoramaRepository(new InMemoryTileSetRepository());
  const renditions = new InMemoryRenditionRepository(panoramas);
  return {
    renditions,
    panoramas,
    sources: await twoStoredPanoramas(panoramas, randomUUID()),
    dispose: async () => undefined,
  };
});
