import { isDatabaseUnavailable } from './database-unavailable.js';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each(['08000', '08001', '08003', '08004', '08006', '57P01', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET'])(
    'treats %s as an outage',
    (code) => expect(isDatabaseUnavailable(pgError(code))).toBe(true),
  );

  it.each([
    ['08P01', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22021', 'invalid byte sequence'],
    ['23505', 'duplicate key'],
    ['42P01', 'relation does not exist'],
  ])('does not treat %s (%s) as an outage', (code, message) =>
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(false),
  );

  it('judges the plain-object copies pg-boss emits for its workers', () => {
    expect(
      isDatabaseUnavailable({ errno: -111, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED', queue: 'q' }),
    ).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('looks at the cause too (MikroORM wraps driver errors)', () => {
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: pgError('08006') }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('connect ECONNREFUSED 127.0.0.1:5432 (Queue: tiles.generate, Worker: 3f0c)')),
    ).toBe(true);
  });
});
