import { shareCacheControl, type ShareAccess } from './share-link.guard.js';

const now = 1_000_000_000_000;
const access = (secondsLeft: number, cacheSeconds: number): ShareAccess => ({
  grant: { share: 'tileset', id: 't', epoch: 0 },
  expiresAt: new Date(now + secondsLeft * 1000),
  keyId: 'k',
  cacheSeconds,
});

it('lets shared caches keep an answer SHARE_CACHE_SECONDS, never past the link', () => {
  expect(shareCacheControl(access(3600, 300), now)).toBe('public, max-age=300');
  expect(shareCacheControl(access(120, 300), now)).toBe('public, max-age=120');
  expect(shareCacheControl(access(-5, 300), now)).toBe('public, max-age=0');
});

it('keeps answers private until the link expires when shared caching is off', () => {
  expect(shareCacheControl(access(3600, 0), now)).toBe('private, max-age=3600');
  expect(shareCacheControl(access(100 * 366 * 86_400, 0), now)).toBe('private, max-age=31536000');
});
