import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The only reader of `process.env`. Every variable is parsed and checked once at start-up; a bad
 * value stops the process with one line naming the variable (see `ConfigError`).
 */
export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  sessionSecret: string;
  sessionMaxAgeSeconds: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  demo: boolean;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  tokenCacheSeconds: number;
  metricsToken: string | undefined;
  uploadMaxBytes: number;
  /** Ingest jobs this process runs at once; 0 leaves them to `khomoun worker` processes. */
  ingestWorkers: number;
  /** DuckDB's memory limit for tables and ingests, e.g. `256MB`. */
  duckdbMemoryLimit: string;
  /** Set when blobs go to an S3-compatible store; unset keeps them in `DATA_DIR/blobs`. */
  s3: S3Config | undefined;
}

export interface S3Config {
  /** Unset for AWS itself; the URL of MinIO, Garage, Ceph etc. otherwise. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Documented in README.md; a test keeps the two in step. */
export const configVariables = [
  'HOST',
  'PORT',
  'PUBLIC_URL',
  'DATA_DIR',
  'DATABASE_URL',
  'DATABASE_POOL_MAX',
  'REDIS_URL',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'SESSION_SECRET',
  'SESSION_MAX_AGE_HOURS',
  'TRUST_PROXY',
  'KHOMOUN_DEMO',
  'LOG_LEVEL',
  'BODY_LIMIT_BYTES',
  'SHUTDOWN_TIMEOUT_MS',
  'TOKEN_CACHE_SECONDS',
  'METRICS_TOKEN',
  'UPLOAD_MAX_BYTES',
  'INGEST_WORKERS',
  'DUCKDB_MEMORY_LIMIT',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

type Env = Record<string, string | undefined>;

const logLevels: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Reads the environment into a typed config; generates SESSION_SECRET into DATA_DIR if absent. */
export function loadConfig(env: Env = process.env): Config {
  const parsed = parseEnv(env);
  const secret = parsed.sessionSecret ?? readOrCreateSessionSecret(parsed.dataDir);
  return { ...parsed, sessionSecret: secret };
}

/** Pure part of `loadConfig`: no file system, so tests can feed it any environment. */
export function parseEnv(env: Env): Omit<Config, 'sessionSecret'> & { sessionSecret?: string } {
  const host = text(env, 'HOST') ?? '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const publicUrl =
    url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://${hostForUrl(host)}:${port}`;
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const adminEmail = text(env, 'ADMIN_EMAIL');
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', `must be an email address (got "${adminEmail}")`);
  }
  const adminPassword = text(env, 'ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 10 characters long');
  }
  const sessionSecret = text(env, 'SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters long');
  }
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `must be one of ${logLevels.join(', ')} (got "${logLevel}")`,
    );
  }
  const s3 = s3Config(env);
  const uploadMaxBytes = integer(
    env,
    'UPLOAD_MAX_BYTES',
    2 * 1024 ** 3,
    1,
    // One S3 PutObject carries at most 5 GiB; the local store has no such ceiling.
    s3 ? 5 * 1024 ** 3 : Number.MAX_SAFE_INTEGER,
  );
  return {
    host,
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dataDir: resolve(text(env, 'DATA_DIR') ?? 'data'),
    databaseUrl,
    databasePoolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
    redisUrl,
    adminEmail,
    adminPassword,
    sessionSecret,
    sessionMaxAgeSeconds: integer(env, 'SESSION_MAX_AGE_HOURS', 24 * 14, 1, 24 * 365) * 3600,
    cookieSecure: publicUrl.startsWith('https:'),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    demo: boolean(env, 'KHOMOUN_DEMO', true),
    logLevel,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    tokenCacheSeconds: integer(env, 'TOKEN_CACHE_SECONDS', 5, 0, 300),
    metricsToken: text(env, 'METRICS_TOKEN'),
    uploadMaxBytes,
    ingestWorkers: integer(env, 'INGEST_WORKERS', 1, 0, 16),
    duckdbMemoryLimit: memorySize(env, 'DUCKDB_MEMORY_LIMIT', '128MB'),
    s3,
  };
}

/** S3 is all or nothing: a half-configured store would fail on the first upload instead of now. */
function s3Config(env: Env): S3Config | undefined {
  // Checked even when S3 is off, so a typo is reported rather than silently ignored.
  const endpoint = url(env, 'S3_ENDPOINT', ['http:', 'https:']);
  const forcePathStyle = boolean(env, 'S3_FORCE_PATH_STYLE', true);
  const switches = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
  if (switches.every((name) => text(env, name) === undefined)) return undefined;
  const needed = (name: string): string => {
    const value = text(env, name);
    if (value === undefined) {
      throw new ConfigError(name, 'must be set too when any of S3_* is set');
    }
    return value;
  };
  const bucket = needed('S3_BUCKET');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError('S3_BUCKET', `is not a valid bucket name (got "${bucket}")`);
  }
  return {
    endpoint,
    bucket,
    region: text(env, 'S3_REGION') ?? 'us-east-1',
    accessKeyId: needed('S3_ACCESS_KEY_ID'),
    secretAccessKey: needed('S3_SECRET_ACCESS_KEY'),
    forcePathStyle,
  };
}

function readOrCreateSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx' so that two processes starting together cannot end up with different secrets.
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8').trim();
  }
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function memorySize(env: Env, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  const match = /^(\d+)\s*(KB|MB|GB|KiB|MiB|GiB)$/i.exec(value);
  if (!match) throw new ConfigError(name, `must be a size like 256MB or 1GB (got "${value}")`);
  const bytes = Number(match[1]) * 1024 ** ('kmg'.indexOf(match[2]![0]!.toLowerCase()) + 1);
  if (bytes < 32 * 1024 ** 2) throw new ConfigError(name, 'must be at least 32MB');
  return `${Math.floor(bytes / 1024 ** 2)}MiB`;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be 1/0, true/false, yes/no or on/off (got "${raw}")`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => p + '//').join(' or ')}`);
  }
  return raw;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
