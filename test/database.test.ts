import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  DataDirLocked,
  loadMigrations,
  migrate,
  MigrationError,
  openDatabase,
  listeningApplication,
  type Database,
  type Migration,
} from '../src/db/index.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`database on ${engine.name}`, () => {
    let database: Database;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ database, dispose } = await engine.freshDatabase());
    });
    after(() => dispose());

    it('applies every migration once and records them', async () => {
      const known = await loadMigrations();
      assert.deepEqual(await migrate(database), []);
      const rows = await database.db
        .selectFrom('schema_migrations')
        .select(['version', 'name'])
        .execute();
      assert.deepEqual(
        rows.map((row) => row.version),
        known.map((migration) => migration.version),
      );
    });

    it('refuses to start when an applied migration was edited', async () => {
      const known = await loadMigrations();
      const edited: Migration[] = known.map((migration, index) =>
        index === 0 ? { ...migration, checksum: 'edited' } : migration,
      );
      await assert.rejects(migrate(database, edited), MigrationError);
    });

    it('refuses a database written by a newer version', async () => {
      const known = await loadMigrations();
      // Knowing one migration fewer than the database has applied: the last one is unknown.
      await assert.rejects(migrate(database, known.slice(0, -1)), (error: unknown) => {
        return error instanceof MigrationError && /newer version/.test(error.message);
      });
    });

    it('rolls back a failing migration completely, bookkeeping included', async () => {
      const known = await loadMigrations();
      const broken: Migration = {
        version: known.length + 1,
        name: 'broken',
        script: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
        checksum: 'x',
      };
      await assert.rejects(migrate(database, [...known, broken]));
      const tables = await sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.tables where table_name = 'half_done'`.execute(
        database.db,
      );
      assert.equal(tables.rows[0]?.n, 0);
      const versions = await database.db
        .selectFrom('schema_migrations')
        .select('version')
        .execute();
      assert.equal(versions.length, known.length);
    });

    it('returns the same JavaScript values on both engines', async () => {
      const result = await sql<{
        big: number;
        date: string;
        at: Date;
        json: unknown;
        huge: string;
      }>`
        select 42::int8 as big, date '2026-11-25' as date, timestamptz '2026-11-25T10:00:00Z' as at,
               '{"a": [1, "ລາວ"]}'::jsonb as json, 9007199254740993::int8 as huge`.execute(
        database.db,
      );
      const row = result.rows[0];
      assert.equal(row?.big, 42);
      assert.equal(row?.date, '2026-11-25');
      assert.equal(row?.at.toISOString(), '2026-11-25T10:00:00.000Z');
      assert.deepEqual(row?.json, { a: [1, 'ລາວ'] });
      assert.equal(String(row?.huge), '9007199254740993');
    });

    it('runs statements with planner settings of their own, leaving everyone else on the defaults', async () => {
      const settingsOf = (db: typeof database.db) =>
        sql<{ seqscan: string; threshold: string }>`
          SELECT current_setting('enable_seqscan') AS seqscan,
            current_setting('pg_trgm.similarity_threshold') AS threshold`
          .execute(db)
          .then(({ rows }) => rows[0]);
      // pg_trgm's settings exist once a session has loaded it, as search does; a database opened
      // from existing files has not yet.
      await sql`SELECT similarity('ລາວ', 'ລາວ')`.execute(database.db);
      const settings = { enable_seqscan: 'off', 'pg_trgm.similarity_threshold': '0.25' };
      const [inside, outside] = await Promise.all([
        database.withSettings(settings, (db) => Promise.all([settingsOf(db), settingsOf(db)])),
        settingsOf(database.db),
      ]);
      assert.deepEqual(inside, [
        { seqscan: 'off', threshold: '0.25' },
        { seqscan: 'off', threshold: '0.25' },
      ]);
      assert.deepEqual(outside, { seqscan: 'on', threshold: '0.3' });
      assert.deepEqual(await settingsOf(database.db), { seqscan: 'on', threshold: '0.3' });
      await assert.rejects(
        database.withSettings({ enable_seqscan: 'off -c work_mem=1GB' }, settingsOf),
        /not a plain setting/,
      );
    });

    it('serialises concurrent transactions without losing writes', async () => {
      await sql`create table if not exists counter_test (id int primary key, n int not null)`.execute(
        database.db,
      );
      await sql`insert into counter_test values (1, 0) on conflict do nothing`.execute(database.db);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          database.db.transaction().execute(async (tx) => {
            const row = await sql<{
              n: number;
            }>`select n from counter_test where id = 1 for update`.execute(tx);
            await sql`update counter_test set n = ${(row.rows[0]?.n ?? 0) + 1} where id = 1`.execute(
              tx,
            );
          }),
        ),
      );
      const final = await sql<{ n: number }>`select n from counter_test where id = 1`.execute(
        database.db,
      );
      assert.equal(final.rows[0]?.n, 20);
    });

    it('lets the event loop turn at each statement, inside a transaction too', async () => {
      // On PGlite a statement runs on this thread: without a turn of the loop per statement, a
      // request's statements would hold it (timers, other requests) until the last one is done.
      const turnedDuring = async (statement: () => Promise<unknown>) => {
        let turned = false;
        setImmediate(() => {
          turned = true;
        });
        await statement();
        return turned;
      };
      const turns: boolean[] = [];
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 3; i += 1)
          turns.push(await turnedDuring(() => sql`select ${i}::int AS i`.execute(tx)));
      });
      assert.deepEqual(turns, [true, true, true]);
      // The job queue's statements (pg-boss) go through executeSql.
      const turned = await turnedDuring(() => database.executeSql('select 1'));
      assert.equal(turned, true);
    });

    it('delivers notifications of committed transactions, and only those, at once', async () => {
      const heard: string[] = [];
      const events: string[] = [];
      await database.listen('test_channel', {
        notified: (payload) => heard.push(payload),
        interrupted: () => events.push('interrupted'),
        listening: () => events.push('listening'),
      });
      assert.deepEqual(events, ['listening']);
      await database.db
        .transaction()
        .execute(async (tx) => {
          await sql`select pg_notify('test_channel', 'rolled back')`.execute(tx);
          throw new Error('roll back');
        })
        .catch(() => {});
      await database.db.transaction().execute(async (tx) => {
        await sql`select pg_notify('test_channel', 'committed')`.execute(tx);
        await sql`select pg_notify('other_channel', 'elsewhere')`.execute(tx);
      });
      // Known before the commit returns: a change made here is never answered from before it.
      assert.ok(heard.includes('committed'), `heard ${heard.join(', ')}`);
      await sql`select pg_notify('test_channel', 'after')`.execute(database.db);
      assert.ok(heard.includes('after'));
      // On PostgreSQL the dedicated connection brings each one again, a moment later.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(new Set(heard), new Set(['committed', 'after']));
    });

    if (engine.name === 'postgres')
      it('listens again after its connection is cut, and says when it may have missed some', async () => {
        const heard: string[] = [];
        const events: string[] = [];
        await database.listen('cut_channel', {
          notified: (payload) => heard.push(payload),
          interrupted: () => events.push('interrupted'),
          listening: () => events.push('listening'),
        });
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and application_name = ${listeningApplication}`.execute(
          database.db,
        );
        await until(() => events.length === 3, 10_000);
        assert.deepEqual(events, ['listening', 'interrupted', 'listening']);
        await sql`select pg_notify('cut_channel', 'back')`.execute(database.db);
        await until(() => heard.length > 0);
        assert.deepEqual(new Set(heard), new Set(['back']));
      });

    if (engine.name === 'postgres')
      it('has sessions that connect after a channel is followed hear it before their commit returns, with nothing queued in pg', async () => {
        // No session of this second pool exists yet: the first LISTENs as it connects.
        const second = await openDatabase({
          kind: 'postgres',
          url: process.env.TEST_DATABASE_URL!,
          poolMax: 2,
        });
        try {
          const heard: string[] = [];
          for (const channel of ['fresh_channel', 'fresh_other_channel'])
            await second.listen(channel, {
              notified: (payload) => heard.push(`${channel} ${payload}`),
              interrupted: () => undefined,
              listening: () => undefined,
            });
          await Promise.all(
            ['first', 'second'].map((payload) =>
              second.db.transaction().execute(async (tx) => {
                await sql`select pg_notify('fresh_channel', ${payload})`.execute(tx);
              }),
            ),
          );
          assert.deepEqual(
            new Set(heard),
            new Set(['fresh_channel first', 'fresh_channel second']),
          );
        } finally {
          await second.close();
        }
        // pg warns (once a process) when a statement waits behind another in a session's
        // queue, which pg 9 will refuse: the LISTENs of every test above included.
        assert.deepEqual(queuedStatementWarnings, []);
      });
  });
}

const queuedStatementWarnings: string[] = [];
process.on('warning', (warning) => {
  if (/already executing a query/.test(warning.message))
    queuedStatementWarnings.push(warning.message);
});

async function until(done: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PGlite data directory', () => {
  it('lets only one process (or opener) use a data directory at a time, and keeps data across reopen', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-pglite-'));
    const first = await openDatabase({ kind: 'pglite', dataDir });
    await migrate(first);
    await first.db
      .insertInto('users')
      .values({
        email: 'keep@example.org',
        display_name: 'Keep',
        password_hash: null,
        language: 'lo',
      })
      .execute();
    await assert.rejects(openDatabase({ kind: 'pglite', dataDir }), (error: unknown) => {
      return (
        error instanceof DataDirLocked &&
        error.holderPid === process.pid &&
        /in use by another Khomoun process/.test(error.message)
      );
    });
    await first.close();
    assert.equal(existsSync(join(dataDir, 'pg.lock')), false);

    const second = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const row = await second.db.selectFrom('users').select('email').executeTakeFirst();
      assert.equal(row?.email, 'keep@example.org');
    } finally {
      await second.close();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-pglite-'));
    // No process has pid 2^22 + 1 on Linux (pid_max is at most 2^22).
    writeFileSync(
      join(dataDir, 'pg.lock'),
      JSON.stringify({ pid: 4194305, since: '2026-01-01T00:00:00Z' }),
    );
    const database = await openDatabase({ kind: 'pglite', dataDir });
    await database.close();
  });
});
