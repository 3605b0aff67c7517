import { RenditionShareDto, RenditionShareListDto } from '../share/dto/share-link.dto.js';
import type { ShareRouteSpec } from '../share/share-link-routes.js';

/** The share-link routes of a rendition (see ShareRoute). */
export const RENDITION_SHARES: ShareRouteSpec = {
  path: 'renditions/:id',
  notFound: 'RENDITION_NOT_FOUND',
  dto: RenditionShareDto,
  listDto: RenditionShareListDto,
  docs: {
    create: {
      summary: 'Make a share link: the rendition file, without a token, until it expires',
      description:
        'An absolute URL (PUBLIC_BASE_URL when set) usable in an <img> on any page. The link is listed ' +
        '(listRenditionShares) and can be revoked alone (revokeRenditionShare) or with every other ' +
        '(revokeRenditionShares). Owners only.',
    },
    list: {
      summary: "This rendition's active share links",
      description:
        'Listed links that are neither revoked nor expired, newest first, with their label, expiry, last use (to the ' +
        'minute) and file URL. Owners only.',
    },
    label: { summary: 'Label a share link of this rendition', description: 'Owners only.' },
    revoke: {
      summary: 'Revoke one share link of this rendition',
      description: 'The others keep working. Takes effect on every API instance within moments. Owners only.',
    },
    revokeAll: {
      summary: 'Revoke every share link of this rendition',
      description: 'Listed and unlisted. Owners only.',
    },
  },
};
