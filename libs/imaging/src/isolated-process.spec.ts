import { availableParallelism } from 'node:os';
import { imageThreads } from './isolated-process.js';

describe('the libvips threads of a cut or a render', () => {
  it('are one per core unless IMAGE_THREADS says (each holds a strip of the full width)', () => {
    expect(imageThreads({ IMAGE_THREADS: 0 })).toBe(availableParallelism());
    expect(imageThreads({ IMAGE_THREADS: 3 })).toBe(3);
  });
});
