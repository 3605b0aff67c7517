import { createHash } from 'node:crypto';

/** What is stored of an API key's secret: its SHA-256, hex (256 random bits need no slow hash). */
export const hashApiKey = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');
