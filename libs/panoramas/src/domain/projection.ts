/**
 * How a panorama maps onto the view: flat (a plane, zoomed in 2D) or equirectangular (a full
 * 360x180 degree sphere, as 360° cameras and phone photospheres save it).
 */
export const PROJECTIONS = ['flat', 'equirectangular'] as const;
export type Projection = (typeof PROJECTIONS)[number];

/**
 * The projection of a new upload: what the uploader said, else what the image says of
 * itself (Google's photo sphere XMP, `GPano:ProjectionType`), else its shape (exactly 2:1,
 * to a pixel, is how equirectangular images are made).
 */
export function detectProjection(image: {
  width: number;
  height: number;
  /** GPano:ProjectionType from the image's XMP, when present. */
  xmpProjection: string | null;
  requested?: Projection;
}): Projection {
  if (image.requested) return image.requested;
  if (image.xmpProjection !== null) return image.xmpProjection === 'equirectangular' ? 'equirectangular' : 'flat';
  return Math.abs(image.width - 2 * image.height) <= 1 ? 'equirectangular' : 'flat';
}
