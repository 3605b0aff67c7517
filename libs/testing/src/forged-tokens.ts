import { createHmac } from 'node:crypto';

/**
 * Hand-built JWTs for attacking the token checks in tests: we sign with our own code so a
 * test can produce exactly the defect it wants (alg none, no exp, wrong typ...).
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface ForgeOptions {
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** HMAC-SHA256 key; omit for an unsigned token. */
  secret?: string;
}

export function forgeJwt({ header = { alg: 'HS256', typ: 'at+jwt' }, payload, secret }: ForgeOptions): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = secret ? createHmac('sha256', secret).update(input).digest('base64url') : '';
  return `${input}.${signature}`;
}

/** Re-encodes a token's payload with changes, keeping the original signature. */
export function tamperJwt(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...changes };
  return `${header}.${b64(claims)}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
