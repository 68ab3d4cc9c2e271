import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, configVariables, loadConfig, parseEnv } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for the embedded setup', () => {
    const config = parseEnv({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.demo, true);
    assert.equal(config.publicUrl, 'http://127.0.0.1:8080');
    assert.equal(config.cookieSecure, false);
    assert.ok(config.dataDir.endsWith('/data'));
  });

  it('rejects each bad value with a message naming the variable', () => {
    const bad: Record<string, string> = {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://localhost/db',
      REDIS_URL: 'not a url',
      KHOMOUN_DEMO: 'maybe',
      LOG_LEVEL: 'loud',
      ADMIN_EMAIL: 'admin',
      ADMIN_PASSWORD: 'short',
      SESSION_SECRET: 'too-short',
      BODY_LIMIT_BYTES: '-1',
      TOKEN_CACHE_SECONDS: '9999',
      UPLOAD_MAX_BYTES: '2GB',
      S3_ENDPOINT: 'ftp://minio.local',
      S3_FORCE_PATH_STYLE: 'sometimes',
    };
    for (const [name, value] of Object.entries(bad)) {
      assert.throws(
        () => parseEnv({ [name]: value }),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === name && error.message.startsWith(name),
        name,
      );
    }
  });

  it('keeps uploads on the local disk, up to 2 GiB, unless S3 is configured', () => {
    const config = parseEnv({});
    assert.equal(config.uploadMaxBytes, 2147483648);
    assert.equal(config.s3, undefined);
    assert.equal(parseEnv({ UPLOAD_MAX_BYTES: '1000' }).uploadMaxBytes, 1000);
  });

  it('reads a complete S3 configuration with its defaults', () => {
    const s3 = {
      S3_BUCKET: 'khomoun-files',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'secret-example',
    };
    assert.deepEqual(parseEnv(s3).s3, {
      endpoint: undefined,
      bucket: 'khomoun-files',
      region: 'us-east-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-example',
      forcePathStyle: true,
    });
    const custom = parseEnv({
      ...s3,
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'ap-southeast-1',
      S3_FORCE_PATH_STYLE: '0',
    }).s3;
    assert.equal(custom?.endpoint, 'http://127.0.0.1:9000');
    assert.equal(custom?.region, 'ap-southeast-1');
    assert.equal(custom?.forcePathStyle, false);
  });

  it('names the missing variable of a partial S3 configuration, without echoing the secret', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ S3_BUCKET: 'files' }, 'S3_ACCESS_KEY_ID'],
      [{ S3_BUCKET: 'files', S3_ACCESS_KEY_ID: 'AKIA' }, 'S3_SECRET_ACCESS_KEY'],
      [{ S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: 'hunter2' }, 'S3_BUCKET'],
      [{ S3_ENDPOINT: 'http://minio:9000' }, 'S3_BUCKET'],
      [
        { S3_BUCKET: 'Not_A_Bucket', S3_ACCESS_KEY_ID: 'A', S3_SECRET_ACCESS_KEY: 'hunter2' },
        'S3_BUCKET',
      ],
    ];
    for (const [env, missing] of cases) {
      assert.throws(
        () => parseEnv(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === missing &&
          !error.message.includes('hunter2'),
        missing,
      );
    }
  });

  it('caps uploads at 5 GiB with S3, the largest single PutObject', () => {
    const s3 = { S3_BUCKET: 'files', S3_ACCESS_KEY_ID: 'A', S3_SECRET_ACCESS_KEY: 'B' };
    assert.equal(
      parseEnv({ ...s3, UPLOAD_MAX_BYTES: String(5 * 1024 ** 3) }).uploadMaxBytes,
      5 * 1024 ** 3,
    );
    assert.throws(
      () => parseEnv({ ...s3, UPLOAD_MAX_BYTES: String(6 * 1024 ** 3) }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'UPLOAD_MAX_BYTES',
    );
    assert.equal(
      parseEnv({ UPLOAD_MAX_BYTES: String(6 * 1024 ** 3) }).uploadMaxBytes,
      6 * 1024 ** 3,
    );
  });

  it('never echoes a database URL, which may hold a password', () => {
    assert.throws(
      () => parseEnv({ DATABASE_URL: 'http://user:hunter2@db/x' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
  });

  it('marks cookies Secure when the public URL is https', () => {
    assert.equal(parseEnv({ PUBLIC_URL: 'https://data.gov.la/' }).cookieSecure, true);
    assert.equal(parseEnv({ PUBLIC_URL: 'https://data.gov.la/' }).publicUrl, 'https://data.gov.la');
  });

  it('generates SESSION_SECRET once into DATA_DIR, readable only by the owner, and keeps it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    assert.equal(first.sessionSecret, second.sessionSecret);
    assert.ok(first.sessionSecret.length >= 32);
    assert.equal(statSync(join(dataDir, 'session-secret')).mode & 0o777, 0o600);
    assert.equal(
      loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(40) }).sessionSecret,
      'x'.repeat(40),
    );
  });

  it('documents every variable in the README configuration table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of configVariables)
      assert.match(readme, new RegExp(`^\\| \`${name}\` +\\|`, 'm'), name);
  });
});
