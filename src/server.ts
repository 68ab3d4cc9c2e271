import { randomBytes } from 'node:crypto';
import { buildApp, type App } from './app.js';
import { seedDemo } from './demo/index.js';
import type { Config } from './config.js';
import {
  createMemoryCounterStore,
  createRedisCounterStore,
  type CounterStore,
} from './counters/index.js';
import { migrate, openDatabase, type Database } from './db/index.js';
import { AppError } from './lib/errors.js';
import type { Accounts } from './accounts/index.js';

export interface RunningServer {
  url: string;
  /** Stops taking requests, lets those in flight finish, then closes the database. */
  stop(): Promise<void>;
}

/** Opens the catalog database named by the config (PGlite in DATA_DIR unless DATABASE_URL). */
export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl, poolMax: config.databasePoolMax }
      : { kind: 'pglite', dataDir: config.dataDir },
  );
}

export async function createConfiguredCounters(config: Config): Promise<CounterStore> {
  return config.redisUrl ? createRedisCounterStore(config.redisUrl) : createMemoryCounterStore();
}

/** `khomoun serve`: migrate, make sure someone can sign in, listen, and shut down cleanly. */
export async function startServer(
  config: Config,
  print: (line: string) => void,
): Promise<RunningServer> {
  const database = await openConfiguredDatabase(config);
  const counters = await createConfiguredCounters(config);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    await migrate(database);
    app = await buildApp({ config, database, counters });
    await ensureFirstAdmin(app.accounts, config, print);
    if (config.demo) await addDemoContent(app, database, print);
    // DuckDB before the first request: loading its library blocks the event loop (about 140 ms
    // on a slow host), which on first use stalled the first ingest or query after every start.
    // Opening it here also finds a locked or unreadable table store before the server listens.
    await app.tables.open();
    await app.http.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.http.close().catch(() => {});
    await counters.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
  const { http, accounts } = app;
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const sweeper = setInterval(() => {
    accounts.sessions
      .deleteExpiredSessions()
      .catch((error) => http.log.warn({ err: error }, 'session sweep failed'));
  }, 3600_000);
  sweeper.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(sweeper);
      // Fastify stops accepting, answers 503 on kept-alive sockets and waits for requests in flight.
      await http.close();
      await counters.close();
      await database.close();
    })();
    return stopping;
  };
  return { url, stop };
}

/** Demo datasets on a first start with an empty catalog (KHOMOUN_DEMO=0 turns it off). */
async function addDemoContent(
  app: App,
  database: Database,
  print: (line: string) => void,
): Promise<void> {
  const author = await app.accounts.users.firstSysadmin();
  if (!author) return;
  // Under the start-up lock, so that processes starting together on PostgreSQL seed it once.
  const count = await database.withMigrationLock(() =>
    seedDemo({ ...app, db: database.db, author }),
  );
  if (count > 0)
    print(`Added ${count} demo datasets of real Lao public data (KHOMOUN_DEMO=0 to start empty)`);
}

/**
 * On the first start there is nobody to sign in as: create a sysadmin from ADMIN_EMAIL and
 * ADMIN_PASSWORD, or with a generated password printed this once.
 */
async function ensureFirstAdmin(
  accounts: Accounts,
  config: Config,
  print: (line: string) => void,
): Promise<void> {
  if ((await accounts.users.countUsers()) > 0) return;
  const email = config.adminEmail ?? 'admin@khomoun.local';
  const password = config.adminPassword ?? randomBytes(15).toString('base64url');
  try {
    await accounts.users.createUser({
      email,
      password,
      displayName: 'Administrator',
      isSysadmin: true,
      language: 'lo',
    });
  } catch (error) {
    // Another process starting at the same moment created it first.
    if (error instanceof AppError && error.code === 'CONFLICT') return;
    throw error;
  }
  print(`Created the first sysadmin: ${email}`);
  if (config.adminPassword === undefined) {
    print(`Its password, shown only this once: ${password}`);
  }
}
