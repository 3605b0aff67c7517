import { InMemoryShareLinkRepository } from './in-memory-share-links.js';
import { shareLinkRepositoryContract } from './share-link-repository.contract.js';

shareLinkRepositoryContract('in memory (the unit specs use this)', async () => ({
  links: new InMemoryShareLinkRepository(),
  kind: 'tileset',
  resources: ['tile-set-a', 'tile-set-b'],
  ownerId: 'owner',
  dispose: async () => undefined,
}));
