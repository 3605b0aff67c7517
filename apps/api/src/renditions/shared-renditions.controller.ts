import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReadRenditionFileUseCase } from '#renditions';
import { UuidParam } from '../common/uuid-param.js';
import { DocRenditionFile, sendRendition } from './rendition-file.js';
import { SHARE_PROBLEMS } from '../share/share-problems.js';
import { CurrentShare, SharedResource, type ShareAccess, shareCacheControl } from '../share/share-link.guard.js';

/** A rendition's file under a share link (see shareRendition). */
@SharedResource('rendition')
@Controller('s/:token/renditions')
export class SharedRenditionsController {
  constructor(private readonly readFile: ReadRenditionFileUseCase) {}

  @Get(':id/file')
  @DocRenditionFile(...SHARE_PROBLEMS)
  downloadSharedRendition(
    @CurrentShare() access: ShareAccess,
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return sendRendition(this.readFile, access.grant, id, req, res, shareCacheControl(access));
  }
}
