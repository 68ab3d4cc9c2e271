// Data API against DuckDB itself, in one process and one run (DESIGN §8):
//   1. a generated 10,000,000-row table (BENCH_ROWS), served as a resource's table;
//   2. a filtered page of 100 rows, a sorted page, a group_by with two aggregates: the API over
//      HTTP on a real listening server, timed by a client in a child process, vs the same query
//      run directly on DuckDB in this process (median of BENCH_REPEAT runs each, alternated) —
//      target: API ≥ 0.7 of DuckDB's speed;
//   3. the full CSV export streamed over HTTP to curl, in MB/s (target ≥ 100), next to DuckDB's own
//      `COPY … TO csv` of the same query;
//   4. 50 concurrent clients (a child process running autocannon) mixing those queries for
//      BENCH_SECONDS: p50/p99, errors, and the worst event-loop stall of the server.
//   npm run bench:data-api
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { parseEnv } from '../src/config.js';
import { createMemoryCounterStore } from '../src/counters/index.js';
import { migrate, openDatabase, type Database } from '../src/db/index.js';
import { median, root, writeResultsSection } from './harness.js';

const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 7);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-data-api-'));

const sample = [
  'id,province,district,population,amount,day',
  '1,LA01,ເມືອງ 1,1000,123456.75,2020-01-01',
  '2,LA02,ເມືອງ 2,2000,654321.25,2021-02-03',
].join('\n');

const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

async function main() {
  const loadAtStart = loadAverage();
  const config = {
    ...parseEnv({ DATA_DIR: join(work, 'data'), KHOMOUN_DEMO: '0', LOG_LEVEL: 'warn', PORT: '0' }),
    sessionSecret: 'bench-secret-bench-secret-bench-secret-0123',
  };
  const database = await openDatabase({ kind: 'pglite', dataDir: config.dataDir });
  await migrate(database);
  const counters = createMemoryCounterStore();
  const app = await buildApp({ config, database, counters });
  // Requests in flight, so that the run ends only once those the load left behind are answered.
  const inFlight = new Set<string>();
  app.http.addHook('onRequest', async (request) => {
    inFlight.add(request.id);
  });
  app.http.addHook('onResponse', async (request) => {
    inFlight.delete(request.id);
  });
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const address = app.http.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const user = await app.accounts.users.createUser({
      email: 'bench@example.org',
      password: 'bench-password-1',
      isSysadmin: true,
    });
    const { token } = await app.accounts.tokens.createToken(user.id, { name: 'bench' });
    const auth = { authorization: `Bearer ${token}` };
    const resourceId = await servedResource(base, auth);
    const { tableName, duckTypes } = await replaceTable(app, database, resourceId);
    console.log(
      `table ${tableName}: ${rows.toLocaleString('en-US')} rows (${duckTypes.join(', ')})`,
    );

    const records = `${base}/api/v1/resources/${resourceId}/records`;
    const queries = [
      {
        name: 'filtered page of 100 rows',
        url: `${records}?province=eq:LA05&population=gt:500000&limit=100`,
        sql: `select id, province, district, population, amount, day from "${tableName}" where province = ? and population > CAST(? AS HUGEINT) order by _row limit 100`,
        params: ['LA05', '500000'],
      },
      {
        name: 'sorted page of 100 rows',
        url: `${records}?order=-amount&limit=100`,
        sql: `select id, province, district, population, amount, day from "${tableName}" order by amount desc nulls last, _row limit 100`,
        params: [],
      },
      {
        // The API reads a table stored in row order without sorting it (src/dataapi/query-plan.ts,
        // `storedOrder`): the same page against DuckDB doing the same.
        name: 'filtered page, DuckDB also without ORDER BY',
        url: `${records}?province=eq:LA05&population=gt:500000&limit=100`,
        sql: `select id, province, district, population, amount, day from "${tableName}" where province = ? and population > CAST(? AS HUGEINT) limit 100`,
        params: ['LA05', '500000'],
        inMix: false,
      },
      {
        name: 'group_by with two aggregates',
        url: `${records}?group_by=province&agg=sum:population,avg:amount`,
        sql: `select province, sum(population), avg(amount) from "${tableName}" group by province order by province`,
        params: [],
      },
    ];
    const lines: string[] = [];
    const client = startTimedClient(auth);
    for (const query of queries) {
      await client.time(query.url); // warm: the table's pages in memory for both
      const api: number[] = [];
      const duck: number[] = [];
      for (let i = 0; i < repeat; i += 1) {
        duck.push(await timeDuck(app, query.sql, query.params));
        api.push(await client.time(query.url));
      }
      const ratio = median(duck) / median(api);
      lines.push(
        `| ${query.name} | ${median(api).toFixed(1)} ms | ${median(duck).toFixed(1)} ms | ${ratio.toFixed(2)} |`,
      );
      console.log(lines.at(-1));
    }

    // What every records request costs besides reading rows: HTTP, the token, the caller's roles
    // and served table (both remembered between catalog changes), the answer's fields.
    const floorUrl = `${records}?limit=0`;
    const floor: number[] = [];
    for (let i = 0; i < repeat; i += 1) floor.push(await client.time(floorUrl));
    client.close();

    // Alternated twice, best of each: the first pass over a fresh table pays for reading it in.
    // DuckDB's own COPY twice over: of the query the export runs (the rows in the table's stored
    // order, which is row order), and of the same with ORDER BY _row, which the export ran until
    // the table's order was known.
    const exportUrl = `${base}/api/v1/resources/${resourceId}/export.csv`;
    const copyPath = join(work, 'copy.csv');
    const exports: Array<{ bytes: number; seconds: number }> = [];
    const copies: Array<{ bytes: number; seconds: number }> = [];
    const sortedCopies: Array<{ bytes: number; seconds: number }> = [];
    const copy = async (order: string) => {
      const milliseconds = await timeDuck(
        app,
        `copy (select id, province, district, population, amount, day from "${tableName}"${order}) to '${copyPath}' (header, delimiter ',')`,
        [],
      );
      const run = { bytes: statSync(copyPath).size, seconds: milliseconds / 1000 };
      rmSync(copyPath);
      return run;
    };
    for (let i = 0; i < 2; i += 1) {
      const started = performance.now();
      const bytes = await download(exportUrl, auth);
      exports.push({ bytes, seconds: (performance.now() - started) / 1000 });
      copies.push(await copy(''));
      sortedCopies.push(await copy(' order by _row'));
    }
    const best = (runs: Array<{ bytes: number; seconds: number }>) =>
      runs.reduce((a, b) => (a.bytes / a.seconds >= b.bytes / b.seconds ? a : b));
    const ours = best(exports);
    const theirs = best(copies);
    const sorted = best(sortedCopies);
    const mbps = (run: { bytes: number; seconds: number }) =>
      (run.bytes / 1e6 / run.seconds).toFixed(0);
    const exportLine = `Full CSV export over HTTP: ${(ours.bytes / 1e6).toFixed(0)} MB in ${ours.seconds.toFixed(1)} s = **${mbps(ours)} MB/s**; DuckDB's own COPY of the same query to a CSV file: ${mbps(theirs)} MB/s (${(theirs.bytes / 1e6).toFixed(0)} MB in ${theirs.seconds.toFixed(1)} s), ratio ${(Number(mbps(ours)) / Number(mbps(theirs))).toFixed(2)}; with ORDER BY _row: ${mbps(sorted)} MB/s. Per-request floor (records?limit=0: HTTP, token, roles, served table, no row read): ${median(floor).toFixed(1)} ms.`;
    console.log(exportLine);

    // The same load on the floor alone: the
    // stall every data API request inherits, to tell it apart from the data API's own.
    const floorStall = monitorEventLoopDelay({ resolution: 10 });
    floorStall.enable();
    const floorLoad = await loadFromChild(base, [floorUrl.slice(base.length)], auth, 10);
    floorStall.disable();

    const stall = monitorEventLoopDelay({ resolution: 10 });
    stall.enable();
    const waitedBefore = mainThreadWaited();
    const pauses = garbageCollectionPauses();
    const mix = [
      ...queries
        .filter((query) => query.inMix !== false)
        .map((query) => query.url.slice(base.length)),
      `/api/v1/resources/${resourceId}/export.csv?province=eq:LA05&population=gt:990000`,
    ];
    const load = await loadFromChild(base, mix, auth, seconds);
    stall.disable();
    pauses.stop();
    const waited = mainThreadWaited() - waitedBefore;
    // Requests the load left behind still run on the server: let them end before it closes.
    for (let i = 0; i < 600 && inFlight.size > 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const ms = (nanoseconds: number) => (nanoseconds / 1e6).toFixed(0);
    const loadLine = `50 clients for ${seconds} s mixing the three queries and a filtered CSV export (${mix.length} requests in turn): ${load.requests} requests, p50 ${load.p50} ms, p99 ${load.p99} ms, errors ${load.errors}, non-2xx ${load.non2xx}${load.statuses ? ` (${load.statuses})` : ''}; worst event-loop stall ${ms(stall.max)} ms (p99 ${ms(stall.percentile(99))} ms); the event loop's thread waited for a core ${(waited / 1e9).toFixed(1)} s of the ${seconds} s, and its longest garbage collection pause was ${pauses.longest().toFixed(0)} ms. The floor alone under the same 50 clients (10 s of records?limit=0): ${floorLoad.requests} requests, p50 ${floorLoad.p50} ms, errors ${floorLoad.errors}, worst stall ${ms(floorStall.max)} ms (p99 ${ms(floorStall.percentile(99))} ms).`;
    console.log(loadLine);

    const section = `
\`npm run bench:data-api\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, load average ${loadAtStart} at the start and ${loadAverage()} at the end (2 cores); the app in this process on PGlite, DuckDB memory limit ${config.duckdbMemoryLimit}, ${rows.toLocaleString('en-US')} rows.
Median of ${repeat} runs; API over HTTP from a client in another process (JSON; the caller's roles and served table remembered until the catalog reports a change) vs the same query written for DuckDB in-process (rows in row order: \`ORDER BY _row\`). The API reads a table stored in row order without that sort; the row "DuckDB also without ORDER BY" times DuckDB doing the same.

| query | API | DuckDB | ratio (≥ 0.7) |
| --- | --- | --- | --- |
${lines.join('\n')}

${exportLine}

${loadLine}

Goals: page queries at least 0.7 of DuckDB's speed, the export at 100 MB/s or more.`;
    console.log(section);
    writeResultsSection('Data API', section);
  } catch (error) {
    // Printed before the server closes: closing may wait on what the failure left behind.
    console.error(error);
    process.exitCode = 1;
  } finally {
    await app.http.close();
    await counters.close();
    await database.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** An organization, a dataset and a small CSV with the columns of the generated table; waits for its ingest. */
async function servedResource(base: string, auth: Record<string, string>): Promise<string> {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string; resources?: Array<{ id: string }> };
  };
  await post('/organizations', { slug: 'bench', title: { en: 'Bench' } });
  const dataset = await post('/datasets', {
    organization: 'bench',
    title: { en: 'Bench table' },
    description: { en: 'Generated rows' },
  });
  const form = new FormData();
  form.set('title', 'Generated');
  form.set('file', new Blob([sample], { type: 'text/csv' }), 'generated.csv');
  const uploaded = await fetch(`${base}/api/v1/datasets/${dataset.id}/resources`, {
    method: 'POST',
    headers: auth,
    body: form,
  });
  if (uploaded.status !== 201)
    throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`);
  const resourceId = ((await uploaded.json()) as { resources: Array<{ id: string }> }).resources.at(
    -1,
  )!.id;
  for (let i = 0; i < 600; i += 1) {
    const status = (await (
      await fetch(`${base}/api/v1/resources/${resourceId}/ingest`, { headers: auth })
    ).json()) as { state: string };
    if (status.state === 'done') return resourceId;
    if (status.state === 'failed') throw new Error(`ingest failed: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the ingest did not finish');
}

/** Replaces the ingested table's rows with generated ones, in the same columns and types. */
async function replaceTable(
  app: Awaited<ReturnType<typeof buildApp>>,
  database: Database,
  resourceId: string,
) {
  const ingest = await database.db
    .selectFrom('datastore_ingests')
    .select(['id', 'table_name'])
    .where('resource_id', '=', resourceId)
    .where('state', '=', 'done')
    .executeTakeFirstOrThrow();
  const tableName = ingest.table_name!;
  const duckTypes = await app.tables.withConnection(async (c) => {
    const reader = await c.runAndReadAll(
      `select column_name, data_type from duckdb_columns() where table_name = '${tableName}'`,
    );
    return reader.getRows().map(([name, type]) => `${String(name)} ${String(type)}`);
  });
  const type = (name: string) =>
    duckTypes.find((entry) => entry.startsWith(`${name} `))!.slice(name.length + 1);
  await app.tables.withConnection((c) =>
    c.run(`create or replace table "${tableName}" as
      select cast(range + 1 as ${type('_row')}) as _row,
             cast(range + 1 as ${type('id')}) as id,
             cast('LA' || lpad(cast(range % 18 + 1 as varchar), 2, '0') as ${type('province')}) as province,
             cast('ເມືອງ ' || (range % 148) as ${type('district')}) as district,
             cast((range * 7919) % 1000000 as ${type('population')}) as population,
             cast(((range * 104729) % 10000000) / 100.0 as ${type('amount')}) as amount,
             cast(date '2000-01-01' + cast(range % 9000 as integer) as ${type('day')}) as day
      from range(${rows})`),
  );
  await database.db
    .updateTable('datastore_ingests')
    .set({ row_count: rows })
    .where('id', '=', ingest.id)
    .execute();
  return { tableName, duckTypes };
}

/** Nanoseconds the main thread has spent runnable but waiting for a core (Linux; 0 elsewhere). */
function mainThreadWaited(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return 0;
  }
}

function garbageCollectionPauses() {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { stop: () => observer.disconnect(), longest: () => longest };
}

async function timeDuck(
  app: Awaited<ReturnType<typeof buildApp>>,
  sql: string,
  params: string[],
): Promise<number> {
  return app.tables.withConnection(async (c) => {
    const started = performance.now();
    const statement = await c.prepare(sql);
    for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
    const reader = await statement.runAndReadAll();
    reader.getRowObjectsJS();
    statement.destroySync();
    return performance.now() - started;
  });
}

/**
 * Times requests from a child process over one kept-alive connection, as a client on another
 * machine would see them: the client's own work (parsing, buffering) is not done on the server's
 * event loop, where it would be added to every answer's time.
 */
function startTimedClient(headers: Record<string, string>) {
  const script = `
    import http from 'node:http';
    const headers = JSON.parse(process.argv[1]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    process.on('message', (url) => {
      const started = performance.now();
      http.get(url, { agent, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const ms = performance.now() - started;
          const failed = response.statusCode !== 200 && Buffer.concat(chunks).toString().slice(0, 300);
          process.send(failed ? { error: response.statusCode + ' ' + failed } : { ms });
        });
      }).on('error', (error) => process.send({ error: error.message }));
    });`;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(headers)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return {
    time(url: string): Promise<number> {
      return new Promise((resolve, reject) => {
        child.once('message', (answer: { ms?: number; error?: string }) =>
          answer.error === undefined
            ? resolve(answer.ms!)
            : reject(new Error(`${url}: ${answer.error}`)),
        );
        child.send(url);
      });
    },
    close: () => child.disconnect(),
  };
}

/** curl in a child process reads the export, so that the client's work is not the server's. */
function download(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download}'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    const child = spawn('curl', [...args, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (text: Buffer) => (out += text.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const [status, size] = out.trim().split(' ');
      if (status !== '200') reject(new Error(`${url}: ${status}`));
      else resolve(Number(size));
    });
  });
}

/** autocannon in a child process, so that the load's own work does not run on the server's event loop. */
function loadFromChild(
  base: string,
  paths: string[],
  headers: Record<string, string>,
  duration: number,
) {
  const script = `
    import autocannon from 'autocannon';
    const [base, paths, headers, duration] = JSON.parse(process.argv[1]);
    const result = await autocannon({ url: base, connections: 50, duration, headers, timeout: 120,
      requests: paths.map((path) => ({ method: 'GET', path })) });
    console.log(JSON.stringify({ requests: result.requests.total, p50: result.latency.p50, p99: result.latency.p99,
      errors: result.errors + result.timeouts, non2xx: result.non2xx,
      statuses: Object.entries(result.statusCodeStats ?? {}).filter(([code]) => !code.startsWith('2'))
        .map(([code, stat]) => code + ' ×' + stat.count).join(', ') }));`;
  return new Promise<{
    requests: number;
    p50: number;
    p99: number;
    errors: number;
    non2xx: number;
    statuses: string;
  }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify([base, paths, headers, duration])],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (text: Buffer) => (out += text.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load process exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

await main();
