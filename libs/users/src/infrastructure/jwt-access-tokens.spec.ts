import { loadConfig } from '#config';
import { forgeJwt, nowSeconds, tamperJwt } from '#testing';
import { InvalidAccessTokenError, JwtAccessTokens } from '#users';

const SECRET = 'k'.repeat(40);
const config = loadConfig({
  JWT_SECRET: SECRET,
  JWT_ISSUER: 'iss-x',
  JWT_AUDIENCE: 'aud-x',
  JWT_ACCESS_TTL_SECONDS: '900',
});
const tokens = new JwtAccessTokens(config);
const USER = '0b6a3c8e-2f4d-4e51-9a77-3c1d2e4f5a6b';
const SESSION = '5d3c2b1a-0f9e-4d8c-b7a6-958473625140';
const valid = () => ({
  sub: USER,
  role: 'user',
  iss: 'iss-x',
  aud: 'aud-x',
  iat: nowSeconds(),
  exp: nowSeconds() + 60,
});

describe('JwtAccessTokens', () => {
  it('remembers a verified token until it expires, and refuses it from then on', async () => {
    const own = new JwtAccessTokens(config);
    const token = forgeJwt({ payload: { ...valid(), exp: nowSeconds() + 2 }, secret: SECRET });
    const first = await own.verify(token);
    expect(await own.verify(token)).toBe(first); // the same claims object: no second verification
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(own.verify(token)).rejects.toThrow(InvalidAccessTokenError);
    // A tampered copy of a remembered token is still checked in full.
    const other = forgeJwt({ payload: valid(), secret: SECRET });
    await own.verify(other);
    await expect(own.verify(tamperJwt(other, { role: 'admin' }))).rejects.toThrow(InvalidAccessTokenError);
  });

  it('round-trips a principal with iss, aud, exp and typ at+jwt', async () => {
    const issued = await tokens.issue({ userId: USER, role: 'admin', sessionId: SESSION });
    expect(issued.expiresInSeconds).toBe(900);
    await expect(tokens.verify(issued.token)).resolves.toEqual({
      userId: USER,
      role: 'admin',
      sessionId: SESSION,
      issuedAt: expect.any(Number),
    });

    const [header, payload] = issued.token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: USER, iss: 'iss-x', aud: 'aud-x' });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('accepts a correctly forged token (so the rejections below are about their one defect)', async () => {
    await expect(tokens.verify(forgeJwt({ payload: valid(), secret: SECRET }))).resolves.toEqual({
      userId: USER,
      role: 'user',
      sessionId: undefined,
      issuedAt: expect.any(Number),
    });
  });

  const defects: [string, () => string][] = [
    ['alg none', () => forgeJwt({ header: { alg: 'none', typ: 'at+jwt' }, payload: valid() })],
    [
      'another algorithm (HS512)',
      () => forgeJwt({ header: { alg: 'HS512', typ: 'at+jwt' }, payload: valid(), secret: SECRET }),
    ],
    ['the wrong key', () => forgeJwt({ payload: valid(), secret: 'x'.repeat(40) })],
    ['a tampered payload', () => tamperJwt(forgeJwt({ payload: valid(), secret: SECRET }), { role: 'admin' })],
    ['the wrong issuer', () => forgeJwt({ payload: { ...valid(), iss: 'evil' }, secret: SECRET })],
    ['the wrong audience', () => forgeJwt({ payload: { ...valid(), aud: 'other-api' }, secret: SECRET })],
    ['no exp', () => forgeJwt({ payload: { ...valid(), exp: undefined }, secret: SECRET })],
    ['an exp in the past', () => forgeJwt({ payload: { ...valid(), exp: nowSeconds() - 10 }, secret: SECRET })],
    [
      'no typ (e.g. another JWT of ours)',
      () => forgeJwt({ header: { alg: 'HS256' }, payload: valid(), secret: SECRET }),
    ],
    ['an unknown role', () => forgeJwt({ payload: { ...valid(), role: 'root' }, secret: SECRET })],
    ['no subject', () => forgeJwt({ payload: { ...valid(), sub: undefined }, secret: SECRET })],
    ['a subject that is not a UUID', () => forgeJwt({ payload: { ...valid(), sub: 'user-1' }, secret: SECRET })],
    ['a subject that is SQL', () => forgeJwt({ payload: { ...valid(), sub: "' or 1=1 --" }, secret: SECRET })],
    ['a session id that is not a UUID', () => forgeJwt({ payload: { ...valid(), sid: 42 }, secret: SECRET })],
    ['no iat', () => forgeJwt({ payload: { ...valid(), iat: undefined }, secret: SECRET })],
    ['garbage', () => 'not.a.jwt'],
  ];

  it.each(defects)('rejects a token with %s', async (_name, make) => {
    await expect(tokens.verify(make())).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });
});
