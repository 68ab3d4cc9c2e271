import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  loadMigrations,
  migrate,
  openDatabase,
  pgliteImage,
  type Database,
} from '../../src/db/index.js';
import {
  createMemoryCounterStore,
  createRedisCounterStore,
  type CounterStore,
} from '../../src/counters/index.js';

/**
 * The engines every database test runs on: PGlite always, real PostgreSQL when
 * TEST_DATABASE_URL is set. TEST_ENGINES=postgres (what `npm run test:pg` sets) narrows the list.
 */
export interface TestEngine {
  name: 'pglite' | 'postgres';
  /** A new, empty, migrated database of its own; `dispose` removes it. */
  freshDatabase(): Promise<{ database: Database; dispose: () => Promise<void> }>;
}

export function testEngines(): TestEngine[] {
  const wanted = (process.env.TEST_ENGINES ?? 'pglite,postgres')
    .split(',')
    .map((name) => name.trim());
  const engines: TestEngine[] = [];
  if (wanted.includes('pglite')) engines.push(pgliteEngine);
  const url = process.env.TEST_DATABASE_URL;
  if (wanted.includes('postgres') && url) engines.push(postgresEngine(url));
  if (engines.length === 0) {
    throw new Error(
      `TEST_ENGINES=${process.env.TEST_ENGINES} selects no engine (is TEST_DATABASE_URL set?)`,
    );
  }
  return engines;
}

/**
 * A new PGlite spends seconds in initdb, which every test file would repeat. Databases start
 * instead as copies of one migrated database, kept in the temporary directory under a name that
 * changes with the migrations and the PGlite version, so a stale copy is never used.
 */
let migratedImage: Promise<Blob> | undefined;
async function loadMigratedImage(): Promise<Blob> {
  const migrations = await loadMigrations();
  const pgliteVersion = readFileSync(
    new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url),
  );
  const key = createHash('sha256')
    .update(pgliteVersion)
    .update(migrations.map((migration) => migration.checksum).join())
    .digest('hex')
    .slice(0, 16);
  const path = join(tmpdir(), `khomoun-test-pglite-${key}.tar`);
  try {
    return new Blob([readFileSync(path)]);
  } catch {
    const database = await openDatabase({ kind: 'pglite-memory' });
    try {
      await migrate(database, migrations);
      const image = await pgliteImage(database);
      // Test files run in parallel processes: each writes its own file and renames it in place.
      const partial = `${path}.${process.pid}`;
      writeFileSync(partial, new Uint8Array(await image.arrayBuffer()));
      renameSync(partial, path);
      return image;
    } finally {
      await database.close();
    }
  }
}

const pgliteEngine: TestEngine = {
  name: 'pglite',
  async freshDatabase() {
    migratedImage ??= loadMigratedImage();
    // Migrated already: the image's name follows the migrations' checksums.
    const database = await openDatabase({ kind: 'pglite-memory', image: await migratedImage });
    return { database, dispose: () => database.close() };
  },
};

function postgresEngine(adminUrl: string): TestEngine {
  return {
    name: 'postgres',
    async freshDatabase() {
      const created = await createPostgresDatabase(adminUrl);
      const database = await openDatabase({ kind: 'postgres', url: created.url, poolMax: 5 });
      await migrate(database);
      return {
        database,
        async dispose() {
          await database.close();
          await created.drop();
        },
      };
    },
  };
}

/** A new empty database next to `adminUrl`'s, as production needs it for Lao text. */
export async function createPostgresDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `khomoun_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(
    adminUrl,
    // Lao needs a UTF-8 collation: pg_trgm yields no Lao trigrams under the C locale.
    `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Counter stores to run throttling tests on: in-process always, Redis when TEST_REDIS_URL is set. */
export function testCounterStores(): Array<{ name: string; create: () => Promise<CounterStore> }> {
  const stores: Array<{ name: string; create: () => Promise<CounterStore> }> = [
    { name: 'memory', create: async () => createMemoryCounterStore() },
  ];
  const redisUrl = process.env.TEST_REDIS_URL;
  if (redisUrl) stores.push({ name: 'redis', create: () => createRedisCounterStore(redisUrl) });
  return stores;
}
