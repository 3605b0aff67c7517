/**
 * How a panorama maps onto the view: flat (a plane, zoomed in 2D) or equirectangular (a full
 * 360x180 degree sphere, as 360° cameras and phone photospheres save it).
 */
export const PROJECTIONS = ['flat', 'equirectangular'] as const;
export type Projection = (typeof PROJECTIONS)[number];

/**
 * The projection of a new upload: what the uploader said, else what the image says of
 * itself (Google's photo-sphere XMP, `GPano:ProjectionType`, written by 360° cameras and
 * phones), else flat. The shape alone does not decide: flat panoramas cropped to 2:1 are
 * common, and showing one as a sphere is worse than showing a sphere flat until its owner
 * says otherwise (`projection` at upload, or updatePanorama).
 */
export function detectProjection(image: {
  /** GPano:ProjectionType from the image's XMP, when present. */
  xmpProjection: string | null;
  requested?: Projection;
}): Projection {
  if (image.requested) return image.requested;
  return image.xmpProjection === 'equirectangular' ? 'equirectangular' : 'flat';
}
