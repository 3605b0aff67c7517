import type { ProblemCode } from '../http/problem/error-status.js';

/** What every route under a share link may also answer (403s), beside its own problems. */
export const SHARE_PROBLEMS: ProblemCode[] = ['SHARE_LINK_INVALID', 'SHARE_LINK_EXPIRED', 'SHARE_LINK_REVOKED'];
