import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header, Param, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../http/auth/auth.decorators.js';
import { HttpProblem } from '../http/problem/http-problem.js';

/** The page and its scripts sit next to this file (copied into dist by the build script). */
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const OPENSEADRAGON = dirname(
  createRequire(import.meta.url).resolve('openseadragon/build/openseadragon/openseadragon.min.js'),
);
const FILES: Record<string, [string, string]> = {
  'viewer.js': [join(ASSETS, 'viewer.js'), 'text/javascript'],
  'viewer.css': [join(ASSETS, 'viewer.css'), 'text/css'],
  'openseadragon.min.js': [join(OPENSEADRAGON, 'openseadragon.min.js'), 'text/javascript'],
};
/** OpenSeadragon's button images, by name (nothing else in that folder is served). */
const IMAGES = new Set(readdirSync(join(OPENSEADRAGON, 'images')).filter((name) => name.endsWith('.png')));

/**
 * A small viewer page at /viewer: sign in, list your panoramas, open a ready tile set in
 * OpenSeadragon (tiles fetched with the bearer header). Public: the page holds no data;
 * everything it shows comes from the authenticated API.
 */
@ApiExcludeController()
@Public()
@Controller({ path: 'viewer', version: VERSION_NEUTRAL })
export class ViewerController {
  @Get()
  @Header('Cache-Control', 'no-cache')
  page(@Res() res: Response): void {
    res.type('text/html').sendFile(join(ASSETS, 'index.html'));
  }

  @Get('images/:name')
  @Header('Cache-Control', 'public, max-age=86400')
  image(@Param('name') name: string, @Res() res: Response): void {
    if (!IMAGES.has(name)) throw new HttpProblem(404, 'NOT_FOUND', 'No such viewer image.');
    res.sendFile(join(OPENSEADRAGON, 'images', name));
  }

  @Get(':file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const entry = FILES[file];
    if (!entry) throw new HttpProblem(404, 'NOT_FOUND', 'No such viewer file.');
    res.type(entry[1]).sendFile(entry[0]);
  }
}
