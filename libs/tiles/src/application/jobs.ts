/** The job that cuts a tile set (consumed in issue #4's worker processor). */
export const GENERATE_TILE_SET_JOB = 'tiles.generate';

declare module '#shared-kernel' {
  interface JobMap {
    'tiles.generate': { tileSetId: string };
  }
}
