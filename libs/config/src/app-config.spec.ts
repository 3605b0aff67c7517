import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '#config';

describe('loadConfig', () => {
  it('gives working defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      NODE_ENV: 'development',
      MIGRATE_ON_START: true,
      CORS_ORIGINS: [],
      JWT_SECRET_GENERATED: true,
      JWT_SECRET_STORED: false,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('parses numbers, booleans and lists, and treats blank values as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      WORKER_EMBEDDED: 'false',
      CORS_ORIGINS: 'https://a.test, https://b.test',
      LOG_LEVEL: '  ',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      WORKER_EMBEDDED: false,
      CORS_ORIGINS: ['https://a.test', 'https://b.test'],
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable in one error, without echoing secrets', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'abc', TRUST_PROXY_HOPS: 'true', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short-secret' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'TRUST_PROXY_HOPS', 'DATABASE_URL', 'JWT_SECRET']) expect(message).toContain(name);
    expect(message).toContain('(got "abc")');
    expect(message).not.toContain('short-secret');
  });

  it("runs the modules' checks after the schema, and names every problem they find", () => {
    const check = (config: { PORT: number }) => (config.PORT === 1234 ? ['PORT is taken by the check'] : []);
    expect(loadConfig({ PORT: '8080' }, [check]).PORT).toBe(8080);
    expect(() => loadConfig({ PORT: '1234' }, [check, () => ['ANOTHER is wrong']])).toThrow(
      /PORT is taken by the check[\s\S]*ANOTHER is wrong/,
    );
  });

  it('requires a real secret and admin password in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required[\s\S]*ADMIN_PASSWORD is required/,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32), ADMIN_PASSWORD: 'twelve chars' })
        .JWT_SECRET_GENERATED,
    ).toBe(false);
  });

  it('is documented variable for variable in .env.example', () => {
    const documented = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => line.split('=')[0]);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
    // and every documented default parses
    expect(() =>
      loadConfig(
        Object.fromEntries(
          readFileSync('.env.example', 'utf8')
            .split('\n')
            .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
            .map((l) => l.split(/=(.*)/s).slice(0, 2)),
        ),
      ),
    ).not.toThrow();
  });
});
