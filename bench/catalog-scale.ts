// The catalog at scale: bulk-create datasets through the service layer, then time the dataset
// page and list APIs on that catalog against the same calls on a near-empty one, and walk the
// public list to its last page to show keyset paging does not slow down with depth.
//   npm run bench:catalog      (BENCH_DATASETS, default 100000; PGlite in a temp DATA_DIR)
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { createMemoryCounterStore } from '../src/counters/index.js';
import { migrate, openDatabase, type Database } from '../src/db/index.js';
import { median, writeResultsSection } from './harness.js';

const datasetCount = Number(process.env.BENCH_DATASETS ?? 100_000);
const samples = Number(process.env.BENCH_SAMPLES ?? 300);

interface Catalog {
  app: App;
  database: Database;
  dataDir: string;
  slugs: string[];
}

async function openCatalog(): Promise<Catalog> {
  const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-bench-catalog-'));
  const config = {
    ...parseEnv({ DATA_DIR: dataDir, KHOMOUN_DEMO: '0', LOG_LEVEL: 'silent' }),
    sessionSecret: 'bench-secret-bench-secret-bench-secret-00',
  };
  const database = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pg') });
  await migrate(database);
  const app = await buildApp({ config, database, counters: createMemoryCounterStore() });
  await app.http.ready();
  return { app, database, dataDir, slugs: [] };
}

async function closeCatalog(catalog: Catalog) {
  await catalog.app.http.close();
  await catalog.database.close();
  rmSync(catalog.dataDir, { recursive: true, force: true });
}

/** Creates and publishes `count` public datasets; returns datasets per second. */
async function fill(catalog: Catalog, count: number): Promise<number> {
  const { accounts, catalog: services } = catalog.app;
  const row = await accounts.users.createUser({
    email: 'bench@example.org',
    password: 'bench-password-1',
    isSysadmin: true,
  });
  const author = (await accounts.users.firstSysadmin()) ?? undefined;
  if (!author || author.id !== row.id) throw new Error('no sysadmin to author the datasets');
  const context = { actor: { user: author, roles: new Map() } };
  await services.organizations.create(context, { slug: 'bench', title: { en: 'Bench' } });
  const started = performance.now();
  for (let n = 0; n < count; n += 1) {
    const created = await services.datasets.create(context, {
      organization: 'bench',
      slug: `dataset-${n}`,
      title: { en: `Dataset number ${n}`, lo: `ຊຸດຂໍ້ມູນ ${n}` },
      description: { en: `Description of dataset ${n}. `.repeat(10) },
      keywords: { en: ['bench', `k${n % 100}`], lo: [] },
      themes: [['SOCI', 'ECON', 'AGRI', 'HEAL'][n % 4] as string],
      license: 'CC-BY-4.0',
      contact_point: { email: 'data@example.org' },
      frequency: 'ANNUAL',
      spatial: { provinces: [`LA${String((n % 18) + 1).padStart(2, '0')}`] },
      publish: true,
    });
    catalog.slugs.push(created.row.slug);
    if ((n + 1) % 10_000 === 0) process.stdout.write(`  ${n + 1} datasets\n`);
  }
  return count / ((performance.now() - started) / 1000);
}

interface Timing {
  p50: number;
  p99: number;
}

async function time(catalog: Catalog, urls: () => string, n = samples): Promise<Timing> {
  const durations: number[] = [];
  for (let i = 0; i < n + 20; i += 1) {
    const url = urls();
    const started = performance.now();
    const response = await catalog.app.http.inject({ url });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
    if (i >= 20) durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return {
    p50: median(durations),
    p99: durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))] as number,
  };
}

/** Walks the public list to the end, 100 per page; median time of the first and last 20 pages. */
async function walk(catalog: Catalog): Promise<{ pages: number; first: number; last: number }> {
  const times: number[] = [];
  let next: string | null = null;
  do {
    const url: string = `/api/v1/datasets?limit=100${next ? `&after=${next}` : ''}`;
    const started = performance.now();
    const response = await catalog.app.http.inject({ url });
    times.push(performance.now() - started);
    next = (response.json() as { next: string | null }).next;
  } while (next !== null);
  return {
    pages: times.length,
    first: median(times.slice(1, 21)),
    last: median(times.slice(-20)),
  };
}

function databaseMiB(dataDir: string): number {
  return Math.round(
    Number(
      execSync(`du -sk ${join(dataDir, 'pg')}`)
        .toString()
        .split('\t')[0],
    ) / 1024,
  );
}

const small = await openCatalog();
const big = await openCatalog();
try {
  await fill(small, 10);
  process.stdout.write(`filling ${datasetCount} datasets…\n`);
  const rate = await fill(big, datasetCount);
  const size = databaseMiB(big.dataDir);
  const pick = (catalog: Catalog) => () =>
    `/api/v1/datasets/${catalog.slugs[Math.floor(Math.random() * catalog.slugs.length)]}`;
  const rows: string[] = [];
  const ratios: string[] = [];
  for (const [label, path] of [
    ['dataset page `GET /datasets/{slug}`', null],
    ['first list page `GET /datasets?limit=20`', '/api/v1/datasets?limit=20'],
    ['filtered list `?theme=HEAL&province=LA05`', '/api/v1/datasets?theme=HEAL&province=LA05'],
  ] as const) {
    const empty = await time(small, path === null ? pick(small) : () => path);
    const full = await time(big, path === null ? pick(big) : () => path);
    rows.push(
      `| ${label} | ${empty.p50.toFixed(2)} / ${empty.p99.toFixed(2)} | ${full.p50.toFixed(2)} / ${full.p99.toFixed(2)} | ${(full.p50 / empty.p50).toFixed(2)} |`,
    );
    ratios.push(`${label}: ${(full.p50 / empty.p50).toFixed(2)}`);
  }
  const pages = await walk(big);
  const body = `
\`npm run bench:catalog\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, PGlite
in a temp directory, requests through \`fastify.inject\` (no network), ${samples} samples each.

- Bulk creation through the service layer (create and publish: one transaction per dataset
  with its revision and two audit events): **${Math.round(rate)} datasets/s**;
  ${datasetCount} datasets take **${size} MiB** on disk.

| call | 10 datasets p50 / p99 ms | ${datasetCount} datasets p50 / p99 ms | p50 ratio |
| --- | ---: | ---: | ---: |
${rows.join('\n')}

- Walking the public list to its end, 100 per page: ${pages.pages} pages; median of the first
  20 pages ${pages.first.toFixed(2)} ms, of the last 20 pages ${pages.last.toFixed(2)} ms
  (ratio ${(pages.last / pages.first).toFixed(2)}).
`;
  writeResultsSection('Catalog at scale', body);
  process.stdout.write(
    `${Math.round(rate)} datasets/s, ${size} MiB; ${ratios.join('; ')}; deep/first page ${(pages.last / pages.first).toFixed(2)}\n`,
  );
} finally {
  await closeCatalog(small);
  await closeCatalog(big);
}
