import { type CollectionStatus, completionDue } from './collection.js';

const status = (fields: Partial<CollectionStatus>): CollectionStatus => ({
  collectionId: '11111111-1111-4111-8111-111111111111',
  panoramas: 2,
  tileSets: { queued: 0, processing: 0, ready: 2, failed: 0 },
  renditions: { queued: 0, processing: 0, ready: 2, failed: 0 },
  progress: 1,
  complete: true,
  completedAt: null,
  changedAt: new Date('2026-12-06T10:00:00Z'),
  updatedAt: new Date('2026-12-06T10:00:00Z'),
  ...fields,
});
const at = (seconds: number) => new Date(Date.parse('2026-12-06T10:00:00Z') + seconds * 1000);

describe('completionDue', () => {
  it('waits for the settle time after the last change, then is due once', () => {
    expect(completionDue(status({}), at(5), 10)).toBe('later');
    expect(completionDue(status({}), at(10), 10)).toBe('due');
    expect(completionDue(status({ completedAt: at(10) }), at(20), 10)).toBe('no');
  });

  it('is due again only after something changed since the last completion', () => {
    expect(completionDue(status({ completedAt: at(-60) }), at(10), 10)).toBe('due');
    expect(completionDue(status({ completedAt: at(0) }), at(10), 10)).toBe('no');
  });

  it('is never due while something is pending', () => {
    expect(completionDue(status({ complete: false }), at(3600), 10)).toBe('no');
  });
});
