import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { join } from 'node:path';
import v8 from 'node:v8';
import type { Client as PgClient } from 'pg';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import {
  deliver,
  followNotifications,
  listeningApplication,
  type NotificationListener,
} from './notifications.js';
import { nextTurn, PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';

/**
 * The catalog database, on PGlite (embedded) or PostgreSQL (DATABASE_URL). Features see only
 * `db` (Kysely); the rest is for start-up, health checks and metrics.
 */
export interface Database {
  readonly engine: 'pglite' | 'postgres';
  readonly db: Kysely<Schema>;
  ping(): Promise<void>;
  connectionStats(): ConnectionStats;
  /**
   * Runs `work` while no other process can migrate, giving it a way to run one multi-statement
   * script in its own transaction.
   */
  withMigrationLock<T>(
    work: (runScript: (script: string) => Promise<void>) => Promise<T>,
  ): Promise<T>;
  /**
   * Runs SQL written by a library that brings its own (pg-boss): one statement with `$n`
   * parameters, or a parameterless script of several. On PGlite it waits its turn on the one
   * session, so it never lands inside someone else's transaction.
   */
  executeSql(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  /**
   * Follows `NOTIFY`s on `channel` from every session, delivered once their transaction commits
   * (on PostgreSQL possibly twice), and those sent through this database before its commit
   * returns. Resolves once listening. On PostgreSQL the listening connection can drop: `interrupted` is
   * then called (notifications may be missed until `listening` is called again, after an
   * automatic reconnect). Listening ends when the database closes.
   */
  listen(channel: string, listener: NotificationListener): Promise<void>;
  /**
   * Runs `work` with these planner settings (`enable_seqscan`, `jit`, pg_trgm's thresholds) in
   * force for its statements and no one else's. On PGlite that is a transaction setting them
   * locally. On PostgreSQL a few sessions of their own start with them, so each statement is one
   * round trip instead of four (BEGIN, the settings, the statement, COMMIT: each a socket write
   * that wakes a server process; about 1 of a search's 9–10 ms of CPU at 100,000 datasets);
   * `work` is then not one transaction, and its statements may run on different sessions.
   */
  withSettings<T>(settings: Settings, work: (db: Kysely<Schema>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Run-time settings by name (`enable_seqscan`: `off`), plain words and numbers only. */
export type Settings = Readonly<Record<string, string>>;

const channelName = /^[a-z_][a-z0-9_]{0,62}$/;
const settingName = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;
const settingValue = /^[A-Za-z0-9_.]+$/;
// PostgreSQL takes them in a session's start-up options, which have a syntax of their own.
function checkSettings(settings: Settings): void {
  for (const [name, value] of Object.entries(settings))
    if (!settingName.test(name) || !settingValue.test(value))
      throw new Error(`not a plain setting: ${name}=${value}`);
}

export interface ConnectionStats {
  total: number;
  idle: number;
  waiting: number;
}

export type DatabaseLocation =
  | { kind: 'postgres'; url: string; poolMax?: number }
  | { kind: 'pglite'; dataDir: string }
  /** `image`: start as a copy of a database `pgliteImage` took, instead of a new, empty one. */
  | { kind: 'pglite-memory'; image?: Blob };

// Both engines hand back the same JS values: int8 as a number when it fits, dates as 'YYYY-MM-DD'.
const INT8 = 20;
const DATE = 1082;
function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}
const parseDate = (text: string): string => text;

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  return location.kind === 'postgres'
    ? openPostgres(location.url, location.poolMax ?? 10)
    : openPGlite(
        location.kind === 'pglite' ? location.dataDir : undefined,
        location.kind === 'pglite-memory' ? location.image : undefined,
      );
}

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  // Loaded only for PostgreSQL, so the embedded setup does not carry the driver in memory.
  const { default: pg } = await import('pg');
  const poolOf = (options: {
    max: number;
    idleTimeoutMillis?: number;
    options?: string;
    Client?: typeof pg.Client;
  }) => {
    const pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: 10_000,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === INT8) return parseInt8;
          if (oid === DATE) return parseDate;
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
      ...options,
    });
    // An idle client that loses its server (restart, network) must not crash the process.
    pool.on('error', () => {});
    return pool;
  };
  // The pool's own sessions follow the channels too. PostgreSQL hands a session its own
  // notifications with the answer to its COMMIT, so a change made through this pool is known
  // here before the commit returns; the dedicated connection (followNotifications) brings the
  // changes other processes make, a moment after they commit. A session LISTENs, outside any
  // transaction, on the channels followed when it connects before the pool hands it out, and on
  // those followed since as it is handed out, in one statement that starts at once: the
  // borrower's first statement then waits for no other in pg's queue (pg warns about such a
  // wait, and pg 9 will refuse it).
  const listeners = new Map<string, NotificationListener[]>();
  const followed = new WeakMap<PgClient, Set<string>>();
  const listenStatement = (client: PgClient): string | undefined => {
    let channels = followed.get(client);
    if (!channels) {
      channels = new Set();
      followed.set(client, channels);
      client.on('notification', (message) => deliver(listeners, message));
    }
    const missing = [...listeners.keys()].filter((channel) => !channels.has(channel));
    for (const channel of missing) channels.add(channel);
    return missing.length === 0
      ? undefined
      : missing.map((channel) => `LISTEN ${channel}`).join('; ');
  };
  class FollowingClient extends pg.Client {
    // pg-pool connects its clients with a callback, and hands them out once it is called.
    override connect(): Promise<PgClient>;
    override connect(callback: (error: Error | null) => void): void;
    override connect(callback?: (error: Error | null) => void): Promise<PgClient> | void {
      if (callback === undefined) return super.connect();
      super.connect((error: Error | null) => {
        const statement = error ? undefined : listenStatement(this);
        if (statement === undefined) return callback(error);
        this.query(statement).then(
          () => callback(null),
          (failed: Error) => callback(failed),
        );
      });
    }
  }
  const pool = poolOf({ max: poolMax, Client: FollowingClient });
  pool.on('acquire', (client) => {
    const statement = listenStatement(client);
    if (statement !== undefined) client.query(statement).catch(() => {});
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  // One pool for each set of settings asked for (search uses one, and two more for typos), whose
  // sessions start with them: half as many sessions as the main pool, at least 4 (README,
  // DATABASE_POOL_MAX). Idle ones close, so a rarely used set holds no connection.
  const withSettingsPools = new Map<string, Kysely<Schema>>();
  const dbWith = (settings: Settings): Kysely<Schema> => {
    const entries = Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = entries.map(([name, value]) => `${name}=${value}`).join(' ');
    let found = withSettingsPools.get(key);
    if (found === undefined) {
      checkSettings(settings);
      const options = entries.map(([name, value]) => `-c ${name}=${value}`).join(' ');
      const settingsPool = poolOf({
        max: Math.max(4, Math.ceil(poolMax / 2)),
        idleTimeoutMillis: 30_000,
        options,
      });
      found = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: settingsPool }) });
      withSettingsPools.set(key, found);
    }
    return found;
  };
  const follower = followNotifications(
    () => new pg.Client({ connectionString: url, application_name: listeningApplication }),
    listeners,
  );
  return {
    engine: 'postgres',
    db,
    async ping() {
      await pool.query('select 1');
    },
    connectionStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async withMigrationLock(work) {
      const client = await pool.connect();
      try {
        await client.query(`select pg_advisory_lock(hashtext('khomoun:migrate'))`);
        try {
          return await work(async (script) => {
            await client.query('begin');
            try {
              await client.query(script);
              await client.query('commit');
            } catch (error) {
              await client.query('rollback');
              throw error;
            }
          });
        } finally {
          await client.query(`select pg_advisory_unlock(hashtext('khomoun:migrate'))`);
        }
      } finally {
        client.release();
      }
    },
    async listen(channel, listener) {
      if (!channelName.test(channel)) throw new Error(`not a channel name: ${channel}`);
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      await follower.follow(channel, listener);
    },
    async executeSql(text, values) {
      const result = await pool.query(text, values === undefined ? undefined : [...values]);
      // A multi-statement script answers with one result per statement; the last one counts.
      const last = Array.isArray(result)
        ? (result.at(-1) as { rows: unknown[] } | undefined)
        : result;
      return { rows: last?.rows ?? [] };
    },
    withSettings: async (settings, work) => work(dbWith(settings)),
    async close() {
      await follower.stop();
      await Promise.all([...withSettingsPools.values()].map((each) => each.destroy()));
      await db.destroy();
    },
  };
}

/**
 * PostgreSQL's default 128 MB of shared buffers is committed by PGlite as process memory the
 * moment it opens, and WebAssembly memory never shrinks. Its reads go through the kernel's page
 * cache anyway, so a small buffer pool costs little speed and keeps the one-process server within
 * a few hundred MB (bench/server-memory.ts).
 */
const pgliteMemorySettings = ['-c', 'shared_buffers=16MB', '-c', 'work_mem=4MB'];

/**
 * V8 compiles WebAssembly quickly (Liftoff), then the hot functions again with its optimising
 * compiler. PGlite must stay on Liftoff. Optimised, some of PostgreSQL's recursive functions take
 * stack frames so much larger that a 300-pair row-value IN list overflows V8's 1 MB stack (Liftoff
 * copes with 3,000), and PGlite swallows the RangeError: the statement returns no rows and the
 * session dies at the next COMMIT ("CommitTransactionCommand: unexpected state DEFAULT"). Liftoff
 * also saves 50–60 MiB of resident memory. The flag is process-wide and must be set before PGlite
 * compiles its module; V8's stack size, by contrast, cannot be raised at run time.
 */
function useLiftoffOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}

// The PGlite under each embedded Database, for pgliteImage.
const pgliteUnder = new WeakMap<Database, PGlite>();

/**
 * A copy of an embedded database's whole data directory, to open others from (`image`). A new
 * PGlite runs initdb, seconds of work that the test suite would otherwise repeat for every
 * database it makes.
 */
export async function pgliteImage(database: Database): Promise<Blob> {
  const pglite = pgliteUnder.get(database);
  if (pglite === undefined) throw new Error('only an embedded (PGlite) database has an image');
  return pglite.dumpDataDir('none');
}

async function openPGlite(dataDir: string | undefined, image?: Blob): Promise<Database> {
  useLiftoffOnly();
  let lock: DataDirLock | undefined;
  if (dataDir !== undefined) lock = lockDataDir(join(dataDir, 'pg.lock'));
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir === undefined ? undefined : join(dataDir, 'pg'), {
      parsers: { [INT8]: parseInt8, [DATE]: parseDate },
      // Search matches substrings and typos by trigrams (migration 0006).
      extensions: { pg_trgm },
      startParams: [...PGlite.defaultStartParams, ...pgliteMemorySettings],
      ...(image === undefined ? {} : { loadDataDir: image }),
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Schema>({ dialect });
  const database: Database = {
    engine: 'pglite',
    db,
    async ping() {
      await db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
    },
    connectionStats() {
      const { inUse, waiting } = dialect.connectionStats();
      return { total: 1, idle: inUse ? 0 : 1, waiting };
    },
    async withMigrationLock(work) {
      // The data-directory lock already keeps every other process out; migrations run before
      // anything else uses the connection, so they may talk to PGlite directly.
      return work(async (script) => {
        await pglite.transaction(async (tx) => {
          await tx.exec(script);
        });
      });
    },
    async listen(channel, listener) {
      if (!channelName.test(channel)) throw new Error(`not a channel name: ${channel}`);
      // Through Kysely's connection, like executeSql: LISTEN must not land in someone's transaction.
      await db.connection().execute(() => pglite.listen(channel, listener.notified));
      listener.listening();
    },
    executeSql(text, values) {
      return db.connection().execute(async () => {
        // Holding Kysely's connection is holding the session; PGlite itself is called directly
        // because only `exec` takes a script of several statements.
        await nextTurn();
        if (values !== undefined && values.length > 0) {
          const result = await pglite.query(text, [...values]);
          return { rows: result.rows };
        }
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      });
    },
    withSettings: async (settings, work) => {
      checkSettings(settings);
      return db.transaction().execute(async (tx) => {
        const each = Object.entries(settings).map(
          ([name, value]) => sql`set_config(${name}, ${value}, true)`,
        );
        if (each.length > 0) await sql`SELECT ${sql.join(each)}`.execute(tx);
        return work(tx);
      });
    },
    async close() {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
  pgliteUnder.set(database, pglite);
  return database;
}
