import type { TileSet } from '#tiles';
import type { Panorama } from '../domain/panorama.js';

/** A panorama with its tile sets, as reads and uploads return it. */
export interface PanoramaView {
  panorama: Panorama;
  tileSets: TileSet[];
}
