import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { parseEnv, type Config } from '../../src/config.js';
import { createMemoryCounterStore, type CounterStore } from '../../src/counters/index.js';
import type { Database } from '../../src/db/index.js';
import type { TestEngine } from './engines.js';

export interface TestApp extends App {
  database: Database;
  config: Config;
  /** Creates a user and an API token for them; returns both. */
  createUser(options?: {
    sysadmin?: boolean;
    email?: string;
    password?: string;
  }): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...parseEnv({ DATA_DIR: '/nonexistent-khomoun-test', KHOMOUN_DEMO: '0', LOG_LEVEL: 'silent' }),
    sessionSecret: 'test-secret-test-secret-test-secret-0123456789',
    ...overrides,
  };
}

/** A whole app on a fresh database of `engine`, for `inject` calls. Close it in `after`. */
export async function startTestApp(
  engine: TestEngine,
  options: {
    config?: Partial<Config>;
    counters?: CounterStore;
    now?: () => Date;
    logStream?: DestinationStream;
    /** Extra routes or hooks for the test, added before the app is ready. */
    beforeReady?: (http: FastifyInstance) => void;
  } = {},
): Promise<TestApp> {
  const { database, dispose } = await engine.freshDatabase();
  const counters = options.counters ?? createMemoryCounterStore();
  // Each app keeps its uploads in its own directory, removed when it closes.
  const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-test-'));
  const config = testConfig({ dataDir, ...options.config });
  const app = await buildApp({
    config,
    database,
    counters,
    ...(options.now && { now: options.now }),
    ...(options.logStream && { logStream: options.logStream }),
  });
  options.beforeReady?.(app.http);
  await app.http.ready();
  let userNumber = 0;
  return {
    ...app,
    database,
    config,
    async createUser({ sysadmin = false, email, password = 'correct horse battery' } = {}) {
      userNumber += 1;
      const row = await app.accounts.users.createUser({
        email: email ?? `user${userNumber}-${randomBytes(3).toString('hex')}@example.org`,
        password,
        isSysadmin: sysadmin,
      });
      const { token } = await app.accounts.tokens.createToken(row.id, { name: 'test' });
      return { id: row.id, email: row.email, password, token };
    },
    async close() {
      await app.http.close();
      await counters.close();
      await dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export interface ErrorResponseBody {
  error: { code: string; message: string; details?: unknown; request_id: string };
}

export function errorOf(response: LightMyRequestResponse): ErrorResponseBody['error'] {
  return (response.json() as ErrorResponseBody).error;
}

export type { FastifyInstance };

export type ApiCall = (
  user: TestUser | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  headers?: Record<string, string>,
) => Promise<LightMyRequestResponse>;

/** `call(user, method, url, payload?)`: one API request as that user (null: anonymous). */
export function apiCaller(app: () => TestApp): ApiCall {
  return (user, method, url, payload, headers = {}) =>
    app().http.inject({
      method,
      url,
      ...(payload && { payload }),
      headers: { ...(user ? bearer(user.token) : {}), ...headers },
    });
}
