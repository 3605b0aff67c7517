import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Param, Redirect, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../http/auth/auth.decorators.js';
import { HttpProblem } from '../http/problem/http-problem.js';
import { ThrottleCategory } from '../http/throttling/throttle-category.js';

/** The pages and their scripts sit next to this file (copied into dist by the build script). */
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const resolve = (specifier: string) => createRequire(import.meta.url).resolve(specifier);
/** A file of an installed package (found from its entry point: not every package exports package.json). */
function packageFile(pkg: string, file: string): string {
  let dir = dirname(resolve(pkg));
  while (!dir.endsWith(join('node_modules', pkg))) {
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed under node_modules`);
    dir = dirname(dir);
  }
  return join(dir, file);
}

const JS = 'text/javascript';
const CSS = 'text/css';
/** What the pages load, by the name they load it under: ours, then the npm packages'. */
const FILES: Record<string, [path: string, type: string]> = {
  'app.js': [join(ASSETS, 'app.js'), JS],
  'direct-upload.js': [join(ASSETS, 'direct-upload.js'), JS],
  'share.js': [join(ASSETS, 'share.js'), JS],
  'share-collection.js': [join(ASSETS, 'share-collection.js'), JS],
  'share-page.js': [join(ASSETS, 'share-page.js'), JS],
  'session.js': [join(ASSETS, 'session.js'), JS],
  'viewers.js': [join(ASSETS, 'viewers.js'), JS],
  'app.css': [join(ASSETS, 'app.css'), CSS],
  'vendor/openseadragon.min.js': [resolve('openseadragon/build/openseadragon/openseadragon.min.js'), JS],
  'vendor/tus.min.js': [packageFile('tus-js-client', 'dist/tus.min.js'), JS],
  'vendor/three.module.min.js': [packageFile('three', 'build/three.module.min.js'), JS],
  'vendor/three.core.min.js': [packageFile('three', 'build/three.core.min.js'), JS],
  'vendor/psv-core.js': [packageFile('@photo-sphere-viewer/core', 'index.module.js'), JS],
  'vendor/psv-core.css': [packageFile('@photo-sphere-viewer/core', 'index.css'), CSS],
  'vendor/psv-tiles.js': [packageFile('@photo-sphere-viewer/equirectangular-tiles-adapter', 'index.module.js'), JS],
};

/** A page, and the Content-Security-Policy hash of its one inline script (the import map). */
function page(name: string): { html: string; scriptHash: string } {
  const html = readFileSync(join(ASSETS, name), 'utf8');
  const inline = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!inline) throw new Error(`${name} has no import map`);
  return { html, scriptHash: `'sha256-${createHash('sha256').update(inline[1]).digest('base64')}'` };
}
const APP = page('app.html');
const SHARE = page('share.html');
const SHARE_COLLECTION = page('share-collection.html');

/** helmet's policy, with the page's import map allowed by its hash (nothing else inline). */
function sendPage(res: Response, { html, scriptHash }: { html: string; scriptHash: string }): void {
  const policy = String(res.getHeader('Content-Security-Policy') ?? '');
  res.setHeader('Content-Security-Policy', policy.replace("script-src 'self'", `script-src 'self' ${scriptHash}`));
  res.setHeader('Cache-Control', 'no-cache');
  res.type('text/html').send(html);
}

/** A page any site may frame (a share link's). */
function sendEmbeddablePage(res: Response, which: { html: string; scriptHash: string }): void {
  res.removeHeader('X-Frame-Options');
  const policy = String(res.getHeader('Content-Security-Policy') ?? '');
  res.setHeader('Content-Security-Policy', policy.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
  sendPage(res, which);
}

/**
 * The web app at /app (sign in, upload with tus, library, viewer, sharing) and the public
 * pages of share links at /s/{token}/tilesets/{id} and /s/{token}/collections/{id}. Public routes: the pages hold no data;
 * everything they show comes from the API, with the user's token or the link's.
 */
@ApiExcludeController()
@Public()
@ThrottleCategory('tiles') // a page load is a dozen static files: counted like tiles, not API calls
@Controller({ version: VERSION_NEUTRAL })
export class WebController {
  @Get()
  @Redirect('/app', 302)
  root(): void {}

  @Get('app')
  app(@Res() res: Response): void {
    sendPage(res, APP);
  }

  @Get('app/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(file, res);
  }

  @Get('app/vendor/:file')
  vendor(@Param('file') file: string, @Res() res: Response): void {
    this.send(`vendor/${file}`, res);
  }

  /** A share link's own page: embeddable anywhere, like the tiles it shows. */
  @Get('s/:token/tilesets/:id')
  shared(@Res() res: Response): void {
    sendEmbeddablePage(res, SHARE);
  }

  /** A shared collection's page: its panoramas, each opening its own page. Embeddable anywhere. */
  @Get('s/:token/collections/:id')
  sharedCollection(@Res() res: Response): void {
    sendEmbeddablePage(res, SHARE_COLLECTION);
  }

  private send(name: string, res: Response): void {
    const entry = FILES[name];
    if (!entry) throw new HttpProblem(404, 'NOT_FOUND', 'No such file in the web app.');
    // Revalidated on every load (ETag from send): a new release is picked up at once.
    res.setHeader('Cache-Control', 'no-cache');
    res.type(entry[1]).sendFile(entry[0]);
  }
}
