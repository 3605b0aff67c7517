import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/*
 * Every environment variable Tessera reads is declared here, once, with its default.
 * `.env.example` lists the same variables; a test keeps the two in step.
 */

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const DAY = 86_400;

/** The renditions made for every upload unless RENDITION_PRESETS says otherwise. */
export const DEFAULT_RENDITION_PRESETS = 'thumb:320:webp,preview:2048:jpeg';

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65_535).default(3000),
    API_PROCESSES: int(0, 256).default(0),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: bool.default(false),

    // Empty: an embedded PostgreSQL in DATABASE_EMBEDDED_DIR, started by the process itself.
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).default(''),
    DATABASE_EMBEDDED_DIR: z.string().min(1).default('./data/postgres'),
    DATABASE_EMBEDDED_PORT: int(0, 65_535).default(0),
    // Run as root only: where the embedded server's data and binaries go when user postgres
    // cannot enter DATABASE_EMBEDDED_DIR or node_modules (a project in root's 0700 home).
    DATABASE_EMBEDDED_SYSTEM_DIR: z
      .string()
      .startsWith('/', { error: 'must be an absolute path' })
      .default('/var/lib/tessera'),
    DATABASE_CONNECT_TIMEOUT_SECONDS: int(0, 3_600).default(30),
    DATABASE_POOL_MAX: int(1, 100).default(10),
    // Streaming replicas of DATABASE_URL for reads that may be a moment stale (docs/operations.md, "Read
    // replicas"); empty: every read goes to DATABASE_URL.
    DATABASE_REPLICA_URLS: list
      .pipe(z.array(z.url({ protocol: /^postgres(ql)?$/, error: 'must be postgres:// URLs, comma-separated' })).max(16))
      .default([]),
    // A replica further behind than this is skipped (reads fall back to DATABASE_URL).
    DATABASE_REPLICA_MAX_LAG_SECONDS: int(1, 3_600).default(5),
    MIGRATE_ON_START: bool.default(true),

    JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    JWT_ISSUER: z.string().min(1).default('tessera'),
    JWT_AUDIENCE: z.string().min(1).default('tessera-api'),
    JWT_ACCESS_TTL_SECONDS: int(60, 3_600).default(900),
    JWT_REFRESH_TTL_SECONDS: int(DAY, 30 * DAY).default(14 * DAY),
    // A rotated refresh token presented again within this many seconds gets a new pair in the
    // same session instead of revoking it (tabs racing one refresh); 0: any replay revokes.
    JWT_REFRESH_REUSE_SECONDS: int(0, 120).default(10),
    // Upper bound on how long a revoked or deleted user's access token may still be accepted
    // when a change notification was missed (normally: at once).
    AUTH_STATE_CACHE_SECONDS: int(1, 300).default(10),

    ADMIN_EMAIL: z.email({ error: 'must be an email address' }).default('admin@tessera.local'),
    ADMIN_PASSWORD: z
      .string()
      .max(128, { error: 'must be at most 128 characters' })
      .refine((v) => v === '' || v.length >= 12, { error: 'must be at least 12 characters (or empty to generate one)' })
      .default(''),

    // Where clients reach the API (behind a proxy: the public URL), without a trailing slash.
    // Used for the OpenAPI servers entry and absolute links; empty: relative to each request.
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine((v) => !v.endsWith('/'), { error: 'must not end with a slash' })
      .default(''),
    CORS_ORIGINS: list.default([]),
    TRUST_PROXY_HOPS: int(0, 10).default(0),
    JSON_BODY_LIMIT_BYTES: int(1_024, 10 * 1_024 * 1_024).default(64 * 1_024),
    // An answer given before the body was read (a refused upload): how long the rest is read
    // and discarded, at most, so the client gets the answer, not a reset.
    HTTP_LINGER_SECONDS: int(0, 60).default(5),
    // Slow clients: headers must arrive within, a whole request (an upload) within, an idle
    // socket is closed after, a kept-alive connection waits this long for the next request.
    HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 600).default(30),
    HTTP_REQUEST_TIMEOUT_SECONDS: int(5, 86_400).default(3_600),
    HTTP_IDLE_TIMEOUT_SECONDS: int(5, 3_600).default(120),
    HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: int(1, 600).default(5),

    THROTTLE_TTL_SECONDS: int(1, 3_600).default(60),
    THROTTLE_LIMIT: int(1, 1_000_000).default(600),
    THROTTLE_AUTH_TTL_SECONDS: int(1, 3_600).default(60),
    THROTTLE_AUTH_LIMIT: int(1, 10_000).default(10),
    THROTTLE_TILES_LIMIT: int(1, 10_000_000).default(20_000),
    THROTTLE_ACCOUNT_TTL_SECONDS: int(1, 86_400).default(900),
    THROTTLE_ACCOUNT_LIMIT: int(1, 10_000).default(20),

    SWAGGER_ENABLED: bool.default(true),
    // Prometheus metrics at /metrics, for whoever sends this bearer token; empty: no /metrics.
    METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters (or empty: no metrics)' }).optional(),
    // A worker's own /metrics port (it serves no other HTTP); 0: none.
    METRICS_WORKER_PORT: int(0, 65_535).default(0),

    STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
    STORAGE_LOCAL_ROOT: z.string().min(1).default('./data/storage'),
    // How the local driver reads a tile: in the event loop (as nginx does), or on libuv's threads.
    STORAGE_LOCAL_READS: z.enum(['blocking', 'threadpool']).default('blocking'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid S3 bucket name' })
      .optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ENDPOINT: z.url({ error: 'must be a URL' }).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_KEY_PREFIX: z
      .string()
      .regex(/^([a-z0-9_-]+\/)*$/, { error: 'must be empty or lower-case path segments ending in /' })
      .default(''),
    S3_FORCE_PATH_STYLE: bool.default(false),
    S3_CREATE_BUCKET: bool.default(false),
    S3_PART_SIZE_BYTES: int(5 * 1024 * 1024, 5 * 1024 ** 3).default(16 * 1024 * 1024),
    S3_PUBLISH_CONCURRENCY: int(1, 256).default(16),
    // Where clients reach the bucket, for the presigned URLs of direct uploads (browsers
    // cannot always reach S3_ENDPOINT, e.g. a compose service name). Blank: S3_ENDPOINT.
    S3_PUBLIC_ENDPOINT: z.url({ error: 'must be a URL' }).optional(),
    UPLOAD_TMP_DIR: z.string().min(1).default('./data/tmp'),
    UPLOAD_MAX_BYTES: int(1, 64 * 1024 ** 3).default(1024 ** 3),
    IMAGE_MAX_PIXELS: int(1, 10_000_000_000).default(1_000_000_000),
    IMAGE_MAX_SIDE: int(1, 1_000_000).default(65_535),
    IMAGE_PROBE_TIMEOUT_SECONDS: int(1, 600).default(10),
    TILING_WORK_DIR: z.string().min(1).default('./data/tmp/tiling'),
    TILING_TIMEOUT_SECONDS: int(10, 86_400).default(3_600),
    TILING_JPEG_OPTIMISE_CODING: bool.default(false),
    IMAGE_THREADS: int(0, 256).default(0),
    // Webhooks (libs/webhooks): each delivery attempt's deadline, how many attempts a delivery
    // gets (the first retry after WEBHOOK_RETRY_DELAY_SECONDS, then doubling, at most an hour
    // apart: 12 attempts span about 3.4 hours), and the private address ranges deliveries may
    // reach (CIDRs; none by default: loopback, link-local and private addresses are refused).
    WEBHOOK_TIMEOUT_SECONDS: int(1, 60).default(10),
    WEBHOOK_MAX_ATTEMPTS: int(1, 50).default(12),
    WEBHOOK_RETRY_DELAY_SECONDS: int(0, 3_600).default(10),
    WEBHOOK_ALLOWED_CIDRS: list.default([]),
    // A complete collection must stay unchanged this long before `collection.completed` (a
    // batch whose next upload is on its way is not done).
    COLLECTION_SETTLE_SECONDS: int(0, 3_600).default(10),
    JOB_RETRY_LIMIT: int(0, 100).default(3),
    JOB_RETRY_DELAY_SECONDS: int(1, 3_600).default(10),
    JOB_HEARTBEAT_SECONDS: int(10, 3_600).default(30),
    QUEUE_SUPERVISE_INTERVAL_SECONDS: int(1, 3_600).default(30),
    QUEUE_POLL_SECONDS: int(1, 3_600).default(1),
    QUOTA_BYTES_PER_USER: int(0, 2 ** 53 - 1).default(50 * 1024 ** 3),
    QUOTA_PANORAMAS_PER_USER: int(0, 10_000_000).default(1_000),
    // Renditions made for every upload (unless it asks otherwise): name:size:format[:quality],
    // comma-separated (see docs/operations.md); empty: none.
    // Text here; the renditions module parses it (renditionsSettings) and the apps check it at
    // start-up with the rest (loadConfig's checks).
    RENDITION_PRESETS: z.string().default(DEFAULT_RENDITION_PRESETS),
    RENDITIONS_PER_PANORAMA: int(0, 1_000).default(20),
    RENDITION_TIMEOUT_SECONDS: int(10, 86_400).default(600),
    // The synchronous compress route (POST /v1/images/compress): its own, smaller limits.
    COMPRESS_MAX_BYTES: int(1, 16 * 1024 ** 3).default(200 * 1024 ** 2),
    COMPRESS_MAX_PIXELS: int(1, 10_000_000_000).default(100_000_000),
    COMPRESS_TIMEOUT_SECONDS: int(1, 3_600).default(60),
    // Compressions rendering at once per process (0: one per core), how many may wait for a
    // turn and for how long; past that, 503 SERVER_BUSY with Retry-After.
    COMPRESS_CONCURRENCY: int(0, 256).default(0),
    COMPRESS_QUEUE: int(0, 10_000).default(8),
    COMPRESS_QUEUE_SECONDS: int(1, 600).default(10),
    // Files in one batch upload (POST /v1/panoramas/batch).
    BATCH_MAX_FILES: int(1, 1_000).default(20),
    // Resumable uploads (tus, /v1/uploads): where unfinished uploads are kept (not under
    // UPLOAD_TMP_DIR, whose sweep would take them), and how long one may stay unfinished.
    UPLOAD_RESUMABLE_DIR: z.string().min(1).default('./data/resumable'),
    UPLOAD_RESUMABLE_EXPIRY_HOURS: int(1, 24 * 365).default(24),
    // Most unfinished resumable uploads one user may have at once (their bytes count against the quota).
    UPLOAD_RESUMABLE_MAX_PER_USER: int(1, 10_000).default(10),
    // Direct uploads (STORAGE_DRIVER=s3, /v1/direct-uploads): how long a presigned part URL
    // stays valid (a client asks for fresh ones whenever it resumes).
    DIRECT_UPLOAD_URL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
    // Share links (capability URLs): signing keys as id:secret pairs, comma-separated; links
    // are signed with the first and accepted with any (rotation). Empty: keys Tessera makes
    // and keeps in its database (rotated with `npm run admin -- share-keys`). Ids: a-z, 0-9;
    // secrets: at least 32 characters.
    SHARE_KEYS: z
      .string()
      .transform((value, ctx) => {
        const keys = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((pair) => {
            const at = pair.indexOf(':');
            return { id: pair.slice(0, at), secret: pair.slice(at + 1) };
          });
        for (const key of keys) {
          if (!/^[a-z0-9]{1,16}$/.test(key.id) || key.secret.length < 32) {
            ctx.addIssue({
              code: 'custom',
              message: 'must be id:secret pairs (id 1-16 of a-z0-9, secret at least 32 characters)',
            });
            return z.NEVER;
          }
        }
        if (new Set(keys.map((k) => k.id)).size !== keys.length) {
          ctx.addIssue({ code: 'custom', message: 'must not repeat a key id' });
          return z.NEVER;
        }
        return keys;
      })
      .prefault(''),
    // Longest life of a share link, and the life of one created without ttlSeconds.
    SHARE_MAX_TTL_SECONDS: int(60, 366 * DAY).default(30 * DAY),
    SHARE_DEFAULT_TTL_SECONDS: int(60, 366 * DAY).default(7 * DAY),
    // How long a shared cache (a CDN, the compose stack's nginx) and browsers may keep an
    // answer under a share link: a revoked link keeps working there this long at most.
    // 0: answers are private (browsers only, until the link expires), as before.
    SHARE_CACHE_SECONDS: int(0, DAY).default(300),
    // IIIF Image API: the largest image one request may ask for (pixels, and either side),
    // the most pixels one render may read from the pyramid (unset: what IIIF_MAX_AREA needs),
    // the longest one render may take, how many render at once per process and how many
    // may wait for a turn (more: 503 with Retry-After).
    IIIF_MAX_AREA: int(1, 100_000_000).default(4096 * 4096),
    IIIF_MAX_SIDE: int(1, 65_500).default(8192),
    IIIF_MAX_READ_PIXELS: int(1, 1_000_000_000).optional(),
    IIIF_TIMEOUT_SECONDS: int(1, 600).default(30),
    IIIF_CONCURRENCY: int(1, 64).default(2),
    IIIF_QUEUE: int(0, 10_000).default(16),
    TILE_CACHE_BYTES: int(0, 16 * 1024 ** 3).default(256 * 1024 * 1024),
    WORKER_EMBEDDED: bool.default(true),
    QUEUE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
      .default('pgboss'),
    SHUTDOWN_GRACE_SECONDS: int(0, 600).default(25),
    // How often every process removes temp files no live work owns (killed processes' leftovers).
    TEMP_SWEEP_INTERVAL_SECONDS: int(1, 86_400).default(300),
    // The scheduled integrity sample: a cron expression (UTC; `off`: never) and how many tiles.
    INTEGRITY_SAMPLE_CRON: z
      .string()
      .regex(/^off$|^(\S+\s+){4}\S+$/, { error: 'must be a five-field cron expression, or off' })
      .default('23 * * * *'),
    INTEGRITY_SAMPLE_TILES: int(1, 1_000_000).default(200),
  })
  .superRefine((env, ctx) => {
    if (env.IIIF_MAX_READ_PIXELS !== undefined && env.IIIF_MAX_READ_PIXELS < env.IIIF_MAX_AREA) {
      ctx.addIssue({
        code: 'custom',
        path: ['IIIF_MAX_READ_PIXELS'],
        message: 'must be at least IIIF_MAX_AREA (about 4x lets every answer up to IIIF_MAX_AREA be read)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.SHARE_DEFAULT_TTL_SECONDS > env.SHARE_MAX_TTL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHARE_DEFAULT_TTL_SECONDS'],
        message: 'must not exceed SHARE_MAX_TTL_SECONDS',
      });
    }
    if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) {
      ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'is required when STORAGE_DRIVER=s3' });
    }
    if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_SECRET_ACCESS_KEY'],
        message: 'and S3_ACCESS_KEY_ID go together (or leave both empty for the default AWS credential chain)',
      });
    }
    if (env.DATABASE_REPLICA_URLS.length > 0 && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_REPLICA_URLS'],
        message: 'needs an external DATABASE_URL (the embedded server has no replicas)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.ADMIN_PASSWORD) {
      // A generated password is fine on a laptop, not on a server whose logs are shipped.
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'is required when NODE_ENV=production' });
    }
  });

type Parsed = z.output<typeof schema>;

export interface ConfigValues extends Omit<Parsed, 'JWT_SECRET'> {
  JWT_SECRET: string;
  /** True when JWT_SECRET was not set and a random one was made for this process. */
  JWT_SECRET_GENERATED: boolean;
  /** True when JWT_SECRET was not set and the one kept in the database is used (withStoredKeys). */
  JWT_SECRET_STORED: boolean;
}

/** Names of every variable (for `.env.example` checks and documentation). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof Parsed)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The validated configuration. A class (not a bare type) so it doubles as the DI token;
 * the interface merge gives it every typed field.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see above
export class AppConfig {
  constructor(values: ConfigValues) {
    Object.assign(this, values);
    Object.freeze(this);
  }

  /** A copy with some values replaced (e.g. DATABASE_URL once the database is known). */
  static with(config: AppConfig, changes: Partial<ConfigValues>): AppConfig {
    return new AppConfig({ ...config, ...changes });
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends Readonly<ConfigValues> {}

/**
 * A module's own reading of variables the platform carries as text (e.g. the renditions
 * module's RENDITION_PRESETS): the problems it finds, each naming its variable.
 */
export type SettingsCheck = (config: AppConfig) => string[];

/**
 * Validates `env` (blank values count as unset) and returns the typed configuration, or
 * throws a ConfigError naming every bad variable: the schema's; once those are all good, each
 * module `check`'s (the apps pass theirs, so a bad value stops them before anything starts).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, checks: readonly SettingsCheck[] = []): AppConfig {
  const input: Record<string, string> = {};
  for (const key of CONFIG_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = input[name];
        return `${name} ${issue.message}${got === undefined ? '' : ` (got "${name.includes('SECRET') || name.includes('PASSWORD') ? '***' : got}")`}`;
      }),
    );
  }
  const { JWT_SECRET, ...rest } = result.data;
  const config = new AppConfig({
    ...rest,
    JWT_SECRET: JWT_SECRET ?? randomBytes(48).toString('base64url'),
    JWT_SECRET_GENERATED: JWT_SECRET === undefined,
    JWT_SECRET_STORED: false,
  });
  const problems = checks.flatMap((check) => check(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** For an app's main: load `.env`, validate, and on bad configuration print why and exit 78. */
export function loadConfigOrExit(
  env: NodeJS.ProcessEnv = process.env,
  checks: readonly SettingsCheck[] = [],
): AppConfig {
  try {
    return loadConfig(env, checks);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
}
