import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  script: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const migrationsDir = new URL('./migrations/', import.meta.url);

/** The `.sql` files beside this module, in order: `0001_accounts.sql` is version 1. */
export async function loadMigrations(dir: URL = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError(`Migration file name ${file} is not NNNN_name.sql`);
    const script = await readFile(new URL(file, dir), 'utf8');
    const version = Number(match[1]);
    if (version !== migrations.length + 1) {
      throw new MigrationError(
        `Migration ${file} breaks the sequence: expected version ${migrations.length + 1}`,
      );
    }
    migrations.push({
      version,
      name: match[2] as string,
      script,
      checksum: createHash('sha256').update(script).digest('hex'),
    });
  }
  return migrations;
}

/**
 * Applies the migrations not yet applied, each in its own transaction together with its
 * bookkeeping row, under a lock so that several processes may start at once. Refuses to run
 * when an applied migration was edited (they are append-only) or the database is newer.
 */
export async function migrate(database: Database, migrations?: Migration[]): Promise<number[]> {
  const known = migrations ?? (await loadMigrations());
  return database.withMigrationLock(async (runScript) => {
    await runScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await database.db
      .selectFrom('schema_migrations')
      .select(['version', 'name', 'checksum'])
      .orderBy('version')
      .execute();
    for (const row of applied) {
      const migration = known[row.version - 1];
      if (!migration) {
        throw new MigrationError(
          `The database has migration ${row.version} (${row.name}), which this version of Khomoun does not know; it was written by a newer version.`,
        );
      }
      if (migration.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${migration.version} (${migration.name}) was changed after it was applied; migrations are append-only, add a new one instead.`,
        );
      }
    }
    const done: number[] = [];
    for (const migration of known.slice(applied.length)) {
      await runScript(
        `${migration.script}\n;\nINSERT INTO schema_migrations (version, name, checksum) VALUES (${migration.version}, '${migration.name}', '${migration.checksum}');`,
      );
      done.push(migration.version);
    }
    return done;
  });
}

/** True when every known migration is applied: what `/readyz` reports. */
export async function isMigrated(database: Database, latestVersion: number): Promise<boolean> {
  const row = await sql<{
    version: number | null;
  }>`select max(version) as version from schema_migrations`.execute(database.db);
  return (row.rows[0]?.version ?? 0) >= latestVersion;
}
