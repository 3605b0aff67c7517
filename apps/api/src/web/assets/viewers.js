// The two viewers, shared by the app and the public share page: OpenSeadragon for a flat
// pyramid (Deep Zoom), Photo Sphere Viewer's equirectangular tiles adapter for a sphere.
// Both load tiles through a share link, so no header is needed and nothing stops when an
// access token expires.

/** OpenSeadragon on `element`, showing the Deep Zoom descriptor at `dziUrl`. */
export function flatViewer(element, dziUrl) {
  return globalThis.OpenSeadragon({
    element,
    prefixUrl: '/viewer/images/',
    tileSources: dziUrl,
    // The minimap helps on a large screen and covers the image on a phone's.
    showNavigator: !globalThis.matchMedia('(max-width: 640px)').matches,
    maxZoomPixelRatio: 2,
    gestureSettingsMouse: { clickToZoom: false },
    // One image needs nothing of the WebGL drawer, which copies every frame back from the GPU
    // (openseadragon#2906) and crawls where WebGL is software (no GPU, a VM, a blocklisted
    // driver): 9 frames a second there against 55 with canvas, measured in Chromium on
    // SwiftShader; OpenSeadragon loads a tile a frame. With a GPU both are smooth.
    drawer: 'canvas',
  });
}

/**
 * Photo Sphere Viewer on `container`, from a sphere descriptor (GET .../sphere): the levels as
 * the adapter wants them, a small base image shown while the tiles load. The libraries (three.js
 * is large) load only when a sphere is first shown.
 */
export async function sphereViewer(container, descriptor) {
  const [{ Viewer }, { EquirectangularTilesAdapter }] = await Promise.all([
    import('@photo-sphere-viewer/core'),
    import('@photo-sphere-viewer/equirectangular-tiles-adapter'),
  ]);
  const levels = descriptor.levels;
  return new Viewer({
    container,
    adapter: EquirectangularTilesAdapter,
    panorama: {
      baseUrl: descriptor.baseUrl,
      levels: levels.map(({ width, cols, rows }) => ({ width, cols, rows })),
      tileUrl: (col, row, index) =>
        descriptor.tileUrlTemplate
          .replace('{level}', String(levels[index].level))
          .replace('{col}', String(col))
          .replace('{row}', String(row)),
    },
    navbar: ['zoom', 'move', 'fullscreen'],
    loadingTxt: 'Loading…',
  });
}
