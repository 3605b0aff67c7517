import type { TileFormat } from '#tiles';
import { OverlapField, TileFormatField, TileQualityField, TileSizeField } from '../../common/tile-option-fields.js';

export class CreateTileSetDto {
  @TileSizeField()
  tileSize?: number;

  @TileFormatField()
  format?: TileFormat;

  @TileQualityField()
  quality?: number;

  @OverlapField()
  overlap?: number;
}
