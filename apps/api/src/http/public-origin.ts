import type { Request } from 'express';
import type { AppConfig } from '#config';

/** Where absolute URLs in answers start: PUBLIC_BASE_URL, or the origin the request reached. */
export const publicOrigin = (config: AppConfig, req: Request): string =>
  config.PUBLIC_BASE_URL || `${req.protocol}://${req.get('host')}`;
