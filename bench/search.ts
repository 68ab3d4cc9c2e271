// Search at scale: bulk-load a generated catalog of Lao and English datasets, index it with the
// real indexer, then time a mix of queries with facets and suggestions through the API, against
// a plain ILIKE scan of the same catalog, on PGlite and on PostgreSQL.
//   npm run bench:search   (BENCH_DATASETS, default 100000; BENCH_ENGINES, default pglite,postgres;
//                           BENCH_DATABASE_URL for PostgreSQL, default postgres://postgres@127.0.0.1:5432/postgres)
// BENCH_DB_NAME names the PostgreSQL database (created if missing, kept at the end); when it
// already holds a loaded catalog, that catalog is searched as is and only the generator is run
// again, for the same queries: load 100,000 datasets once, then time versions of the queries.
// BENCH_DETAIL=1 also prints the search times by kind of query; BENCH_MIX_FILE=path writes the
// query mix there as JSON, to replay or EXPLAIN it. Prints its figures; it does not write RESULTS.md.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Insertable } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { createMemoryCounterStore } from '../src/counters/index.js';
import {
  migrate,
  openDatabase,
  type Database,
  type DatasetRevisionsTable,
  type DatasetsTable,
} from '../src/db/index.js';
import { provinces } from '../src/lao/index.js';
import { reindexDatasets } from '../src/search/index.js';
import { median } from './harness.js';

const datasetCount = Number(process.env.BENCH_DATASETS ?? 100_000);
const engines = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const queryCount = 200;
const baselineCount = Number(process.env.BENCH_BASELINE_QUERIES ?? 50);

// A fixed seed: every run searches the same catalog with the same queries.
let seed = 7;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** What `make` draws with its own seed, leaving the main sequence as it was. */
function withSeed<T>(own: number, make: () => T): T {
  const saved = seed;
  seed = own;
  try {
    return make();
  } finally {
    seed = saved;
  }
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const some = <T>(list: readonly T[], min: number, max: number): T[] =>
  Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick(list));

// Real Lao words and their English senses, from the shipped Lao–English search terms.
const laoWords: string[] = [];
const englishWords: string[] = [];
for (const line of readFileSync(
  new URL('../src/lao/reference/lao-eng-terms.tsv', import.meta.url),
  'utf8',
).split('\n')) {
  if (line.startsWith('#') || line === '') continue;
  const [lao = '', , senses = ''] = line.split('\t');
  if (!lao.includes(' ') && [...lao].length >= 2) laoWords.push(lao);
  for (const word of (senses.split('|')[0] ?? '').split(' '))
    if (/^[a-z]{4,}$/.test(word)) englishWords.push(word);
}
const themes = [
  'AGRI',
  'ECON',
  'EDUC',
  'ENER',
  'ENVI',
  'GOVE',
  'HEAL',
  'JUST',
  'REGI',
  'SOCI',
  'TECH',
  'TRAN',
  'INTR',
];
const licences = ['CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0', 'ODbL-1.0', 'PDDL-1.0'];
const formats = ['CSV', 'XLSX', 'PDF', 'JSON', 'SHP'];
const pcodes = provinces().map((p) => p.pcode);
const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const laoText = (min: number, max: number) =>
  some(laoWords, min, max).join(random() < 0.5 ? '' : ' ');
const englishText = (min: number, max: number) => capital(some(englishWords, min, max).join(' '));

interface Generated {
  organizations: { id: string; slug: string; title_lo: string; title_en: string }[];
  titles: { lo: string | null; en: string | null }[];
}

/**
 * Inserts organizations, datasets and their published revisions in batches; returns rows/s.
 * With `insert` false it only generates them, as a reused catalog was (same seed).
 */
async function load(
  database: Database,
  insert = true,
): Promise<{ generated: Generated; rate: number }> {
  const db = database.db;
  const organizations = Array.from({ length: 40 }, (_, i) => ({
    id: randomUUID(),
    slug: `org-${i}`,
    kind: 'ministry' as const,
    title_lo: `ກະຊວງ${laoText(1, 2)}`,
    title_en: `Ministry of ${englishText(1, 2)}`,
  }));
  if (insert) await db.insertInto('organizations').values(organizations).execute();
  const titles: Generated['titles'] = [];
  const started = performance.now();
  const batch = 500;
  for (let start = 0; start < datasetCount; start += batch) {
    const datasets: Insertable<DatasetsTable>[] = [];
    const revisions: Insertable<DatasetRevisionsTable>[] = [];
    for (let n = start; n < Math.min(datasetCount, start + batch); n += 1) {
      const language = random();
      const title = {
        lo: language < 0.8 ? laoText(2, 5) : null,
        en: language >= 0.2 ? englishText(2, 6) : null,
      };
      titles.push(title);
      const organization = pick(organizations);
      const created = new Date(Date.UTC(2019, 0, 1) + random() * 5 * 365 * 86_400_000);
      const metadata = {
        title,
        description: {
          lo: title.lo === null ? null : laoText(15, 40),
          en: title.en === null ? null : `${englishText(15, 40)}.`,
        },
        keywords: {
          lo: title.lo === null ? [] : some(laoWords, 1, 3),
          en: title.en === null ? [] : some(englishWords, 1, 3),
        },
        themes: [pick(themes)],
        license: pick(licences),
        contact_point: { name: null, email: 'data@example.org', phone: null },
        access_level: 'public',
        spatial: { provinces: [...new Set(some(pcodes, 1, 2))], geometry: null },
        temporal: { start: '2020-01-01', end: null },
        frequency: 'ANNUAL',
        languages: title.en === null ? ['lo'] : ['lo', 'en'],
        version_info: null,
        provenance: { lo: null, en: null },
        documentation_url: null,
        extras: {},
        resources: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, position) => ({
          id: randomUUID(),
          position,
          title: {
            lo: title.lo === null ? null : laoText(1, 3),
            en: title.en === null ? null : englishText(1, 3),
          },
          description: { lo: null, en: null },
          url: 'https://example.org/data',
          blob_sha256: null,
          file_name: null,
          size_bytes: null,
          media_type: null,
          format: pick(formats),
          created_at: created.toISOString(),
          updated_at: created.toISOString(),
        })),
      };
      const id = randomUUID();
      datasets.push({
        id,
        slug: `d-${n}`,
        organization_id: organization.id,
        state: 'published' as const,
        current_revision: 1,
        published_revision: 1,
        published_access_level: 'public' as const,
        published_themes: metadata.themes,
        published_provinces: metadata.spatial.provinces,
        published_license: metadata.license,
        created_at: created,
        updated_at: created,
        published_at: created,
      });
      revisions.push({
        dataset_id: id,
        number: 1,
        metadata: JSON.stringify(metadata),
        created_at: created,
      });
    }
    if (insert)
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('datasets').values(datasets).execute();
        await tx.insertInto('dataset_revisions').values(revisions).execute();
      });
  }
  const rate = datasetCount / ((performance.now() - started) / 1000);
  return { generated: { organizations, titles }, rate };
}

/** Builds every search document with the real indexer, 500 datasets per transaction. */
async function index(database: Database): Promise<number> {
  const ids = (await database.db.selectFrom('datasets').select('id').execute()).map((r) => r.id);
  const started = performance.now();
  for (let start = 0; start < ids.length; start += 500)
    await database.db
      .transaction()
      .execute((tx) => reindexDatasets(tx, ids.slice(start, start + 500)));
  return ids.length / ((performance.now() - started) / 1000);
}

const provinceSpellings = [
  'Luang Prabang',
  'Savannakhet',
  'Champasak',
  'ຫລວງພະບາງ',
  'Vientiane Capital',
  'Xieng Khouang',
  'Attapeu',
  'ສະຫວັນນະເຂດ',
];

/** 200 queries like people type: words of real titles, provinces, typos, filters. */
function queryMix(generated: Generated): { url: string; q: string; kind: string }[] {
  const word = () => {
    const title = pick(generated.titles);
    const text =
      title.lo !== null && (title.en === null || random() < 0.6) ? title.lo : (title.en ?? '');
    const words = text.split(' ');
    return pick(words).slice(0, 12);
  };
  // Each kind of query up to its share of the mix (`below`, cumulative), and how it is made.
  const kinds: Array<{ below: number; kind: string; make: () => [string, string[]] }> = [
    { below: 0.3, kind: 'lao word', make: () => [pick(laoWords), []] },
    { below: 0.5, kind: 'english words', make: () => [some(englishWords, 1, 2).join(' '), []] },
    {
      below: 0.6,
      kind: 'lao word + province',
      make: () => [`${pick(laoWords)} ${pick(provinceSpellings)}`, []],
    },
    {
      below: 0.7,
      kind: 'english word + theme',
      make: () => [pick(englishWords), [`theme=${pick(themes)}`]],
    },
    {
      below: 0.8,
      kind: 'title word + province + format',
      make: () => [word(), [`province=${pick(pcodes)}`, `format=${pick(formats)}`]],
    },
    {
      below: 0.85,
      kind: 'english typo',
      make: () => {
        const w = pick(englishWords);
        const at = 1 + Math.floor(random() * (w.length - 2));
        return [w.slice(0, at) + w.slice(at + 1), []];
      },
    },
    {
      below: 0.9,
      kind: 'theme + license, no text',
      make: () => ['', [`theme=${pick(themes)}`, `license=${pick(licences)}`]],
    },
    { below: 1, kind: 'lao prefix', make: () => [[...pick(laoWords)].slice(0, 3).join(''), []] },
  ];
  const mix: { url: string; q: string; kind: string }[] = [];
  for (let i = 0; i < queryCount; i += 1) {
    const r = random();
    const { kind, make } = kinds.find(({ below }) => r < below) ?? kinds.at(-1)!;
    const [q, filters] = make();
    const params = [...(q ? [`q=${encodeURIComponent(q)}`] : []), ...filters];
    mix.push({ url: `/api/v1/search?${params.join('&')}`, q, kind });
  }
  return mix;
}

interface Timing {
  p50: number;
  p99: number;
  perSecond: number;
}

function summarise(durations: number[], totalMs: number): Timing {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    p50: median(sorted),
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number,
    perSecond: durations.length / (totalMs / 1000),
  };
}

async function timeAll(
  run: (i: number) => Promise<void>,
  n: number,
  durations: number[] = [],
  warmUp: () => Promise<void> = async () => {
    for (let i = 0; i < Math.min(20, n); i += 1) await run(i);
  },
): Promise<Timing> {
  await warmUp();
  const started = performance.now();
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await run(i);
    durations.push(performance.now() - t);
  }
  return summarise(durations, performance.now() - started);
}

/** The naive search a portal without an index does: ILIKE over the published JSON, with a count. */
async function ilike(database: Database, q: string): Promise<void> {
  const pattern = `%${q}%`;
  const where = sql`d.deleted_at IS NULL AND d.state <> 'archived' AND d.published_access_level = 'public'
    AND (r.metadata -> 'title' ->> 'lo' ILIKE ${pattern} OR r.metadata -> 'title' ->> 'en' ILIKE ${pattern}
      OR r.metadata -> 'description' ->> 'lo' ILIKE ${pattern} OR r.metadata -> 'description' ->> 'en' ILIKE ${pattern}
      OR (r.metadata -> 'keywords')::text ILIKE ${pattern})`;
  await sql`SELECT count(*) FROM datasets d JOIN dataset_revisions r ON r.dataset_id = d.id AND r.number = d.published_revision WHERE ${where}`.execute(
    database.db,
  );
  await sql`SELECT d.id, r.metadata -> 'title' AS title FROM datasets d JOIN dataset_revisions r ON r.dataset_id = d.id AND r.number = d.published_revision WHERE ${where} ORDER BY d.updated_at DESC LIMIT 20`.execute(
    database.db,
  );
}

async function openEngine(
  name: string,
): Promise<{ database: Database; dispose: () => Promise<void>; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-bench-search-'));
  if (name === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pg') });
    return { database, dataDir, dispose: () => database.close() };
  }
  const named = process.env.BENCH_DB_NAME;
  if (named !== undefined && !/^[a-z_][a-z0-9_]*$/.test(named))
    throw new Error(`BENCH_DB_NAME: not a plain name: ${named}`);
  const dbName = named ?? `khomoun_bench_search_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
  if (exists.rowCount === 0)
    await admin.query(
      `CREATE DATABASE ${dbName} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
    );
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  return {
    database,
    dataDir,
    async dispose() {
      await database.close();
      // BENCH_KEEP=1 leaves the PostgreSQL catalog in place, to EXPLAIN queries against it.
      if (process.env.BENCH_KEEP === '1' || named !== undefined) {
        process.stdout.write(`postgres: kept database ${dbName}\n`);
        return;
      }
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await again.end();
    },
  };
}

const lines: string[] = [];
for (const name of engines) {
  seed = 7;
  const { database, dispose, dataDir } = await openEngine(name);
  try {
    await migrate(database);
    const {
      rows: [{ loaded } = { loaded: 0 }],
    } = await sql<{ loaded: number }>`SELECT count(*)::int AS loaded FROM search_documents`.execute(
      database.db,
    );
    const reused = Number(loaded) > 0;
    if (reused && Number(loaded) !== datasetCount)
      throw new Error(`${name}: the kept catalog has ${loaded} datasets, not ${datasetCount}`);
    process.stdout.write(`${name}: ${reused ? 'reusing' : 'loading'} ${datasetCount} datasets…\n`);
    const { generated, rate: loadRate } = await load(database, !reused);
    process.stdout.write(`${name}: indexing…\n`);
    const indexRate = reused ? Number.NaN : await index(database);
    // What autovacuum does on a server soon after such a load, whether or not it has run here (it
    // may be off): the facet counts' trigger leaves millions of dead row versions behind (2.5
    // million for 37,000 live rows at 100,000 datasets), which suggestions and listings would
    // otherwise read through.
    await sql`VACUUM ANALYZE`.execute(database.db);
    // The searches' speed on PostgreSQL depends on whether the catalog (about 560 MB of tables
    // and indexes at 100,000 datasets) fits in the server's shared buffers: printed with the figures.
    const buffers =
      name === 'postgres'
        ? (await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(database.db)).rows[0]
            ?.shared_buffers
        : undefined;
    const config = {
      ...parseEnv({ DATA_DIR: dataDir, KHOMOUN_DEMO: '0', LOG_LEVEL: 'silent' }),
      sessionSecret: 'bench-secret-bench-secret-bench-secret-00',
    };
    const app = await buildApp({ config, database, counters: createMemoryCounterStore() });
    await app.http.ready();
    try {
      const mix = queryMix(generated);
      // Measured on a server that has answered other searches before (another mix, drawn with
      // its own seed): its code compiled by V8's optimizing compiler and the catalog's indexes
      // read, but not the rows of these queries. Replayed in one process without a warm-up, a
      // first pass over the mix had a p50 1–2 ms above the passes after it; twenty queries were
      // too few to close that gap.
      const warmMix = withSeed(11, () => queryMix(generated));
      if (process.env.BENCH_MIX_FILE)
        writeFileSync(process.env.BENCH_MIX_FILE, JSON.stringify(mix));
      let zero = 0;
      process.stdout.write(`${name}: ${queryCount} queries…\n`);
      const durations: number[] = [];
      const search = await timeAll(
        async (i) => {
          const { url } = mix[i % mix.length] as { url: string };
          const response = await app.http.inject({ url });
          if (response.statusCode !== 200)
            throw new Error(`${url}: ${response.statusCode} ${response.body}`);
          if ((response.json() as { total: number }).total === 0) zero += 1;
        },
        queryCount,
        durations,
        async () => {
          for (const { url } of warmMix) await app.http.inject({ url });
        },
      );
      if (process.env.BENCH_DETAIL === '1') {
        const kinds = [...new Set(mix.map((m) => m.kind))];
        for (const kind of kinds) {
          const times = durations.filter((_, i) => mix[i % mix.length]?.kind === kind);
          const t = summarise(times, 1);
          process.stdout.write(
            `  ${kind} (${times.length}): p50 ${t.p50.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms\n`,
          );
        }
        const slowest = durations
          .map((ms, i) => ({ ms, url: mix[i % mix.length]?.url ?? '' }))
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 8);
        for (const s of slowest) process.stdout.write(`  ${s.ms.toFixed(2)} ms ${s.url}\n`);
      }
      const prefixes = Array.from({ length: queryCount }, () => {
        const title = pick(generated.titles);
        const text = title.lo ?? title.en ?? '';
        return [...text].slice(0, 2 + Math.floor(random() * 4)).join('');
      });
      const suggest = await timeAll(async (i) => {
        const q = prefixes[i % prefixes.length] ?? '';
        const response = await app.http.inject({
          url: `/api/v1/search/suggest?q=${encodeURIComponent(q)}`,
        });
        if (response.statusCode !== 200) throw new Error(`suggest ${q}: ${response.statusCode}`);
      }, queryCount);
      const texts = mix
        .map((m) => m.q)
        .filter((q) => q !== '')
        .slice(0, baselineCount);
      process.stdout.write(`${name}: ILIKE baseline, ${texts.length} queries…\n`);
      const baseline = await timeAll(
        (i) => ilike(database, texts[i % texts.length] ?? ''),
        texts.length,
      );
      lines.push(
        `${name}: load ${Math.round(loadRate)} datasets/s; indexing ${Math.round(indexRate)} datasets/s${buffers ? `; shared_buffers ${buffers}` : ''}`,
        `  search (${queryCount} queries with facets, ${zero} with no result): p50 ${search.p50.toFixed(2)} ms, p99 ${search.p99.toFixed(2)} ms, ${search.perSecond.toFixed(1)} req/s (sequential)`,
        `  suggest (${queryCount} prefixes): p50 ${suggest.p50.toFixed(2)} ms, p99 ${suggest.p99.toFixed(2)} ms`,
        `  ILIKE baseline (${texts.length} text queries, SQL only, count + first page): p50 ${baseline.p50.toFixed(2)} ms, p99 ${baseline.p99.toFixed(2)} ms; p50 ratio ILIKE/search ${(baseline.p50 / search.p50).toFixed(1)}`,
      );
      process.stdout.write(`${lines.slice(-4).join('\n')}\n`);
    } finally {
      await app.http.close();
    }
  } finally {
    await dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
process.stdout.write(
  `\nsearch bench, ${datasetCount} datasets, Node ${process.version}\n${lines.join('\n')}\n`,
);
