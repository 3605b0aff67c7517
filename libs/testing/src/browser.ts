import type { Browser } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: the one the jest global setup chose
 * (CHROMIUM_PATH; with @sparticuz/chromium, its libraries in TEST_CHROMIUM_LIBRARY_PATH).
 * Background networking is off: this machine's network is closed, and Chromium's own
 * connections would otherwise be refused many at a time.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error('No Chromium: run the tests through jest (its global setup finds one).');
  const libraries = process.env.TEST_CHROMIUM_LIBRARY_PATH;
  // Loaded here, not at the top: every suite imports #testing, few launch a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--no-first-run',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      // WebGL (Photo Sphere Viewer, OpenSeadragon's WebGL drawer) still runs on SwiftShader;
      // the page itself is composited in software, which took the GPU process's CPU from 75 s
      // to 40 s over the web-app and embed suites, same pixels.
      '--disable-gpu-compositing',
    ],
    ...(libraries
      ? { env: { ...process.env, LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } }
      : {}),
  });
}
