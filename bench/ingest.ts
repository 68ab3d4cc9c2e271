// Datastore ingest against DuckDB's own CSV reader and PostgreSQL's COPY in the same run:
//   1. a 1,000,000-row (~80 MB) CSV with mixed types, Lao text and Lao-format decimals:
//      upload done → queryable, vs `read_csv_auto` into a DuckDB table, and rows/s vs `COPY`;
//   2. a big CSV (BENCH_BIG_MIB, default 2048): the server's peak RSS, the ingest process's, the
//      most the two held at once, and the worst stall of the server's event loop: as the server
//      itself measured it (bench/loop-lag.mjs), and the slowest /healthz answer while the ingest
//      runs, pinged every 20 ms; then CSVs holding one cell of 10 MiB (ASCII) and 30 MiB (Lao);
//   3. a ~50 MB XLSX (1,000,000 rows): time and peak RSS.
//   npm run bench:ingest     (BENCH_ROWS, BENCH_BIG_MIB, BENCH_XLSX_ROWS change the sizes)
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  root,
  startBenchServer,
  uploadFile,
  writeResultsSection,
  type Started,
} from './harness.js';

const loadAtStart = loadavg()
  .map((n) => n.toFixed(1))
  .join(' ');
const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const bigMiB = Number(process.env.BENCH_BIG_MIB ?? 2048);
const xlsxRows = Number(process.env.BENCH_XLSX_ROWS ?? 1_000_000);
const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-ingest-'));
const lagFile = join(work, 'loop-lag.txt');
const env = {
  DATA_DIR: join(work, 'data'),
  KHOMOUN_DEMO: '0',
  // The worker logs each ingest's step times at debug level: they go into the results.
  LOG_LEVEL: 'debug',
  PORT: '0',
  UPLOAD_MAX_BYTES: String(8 * 1024 ** 3),
  // The server records its own event-loop stalls (bench/loop-lag.mjs).
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${join(root, 'bench', 'loop-lag.mjs')}`,
  KHOMOUN_LOOP_LAG_FILE: lagFile,
  KHOMOUN_MEMORY_FILE: join(work, 'memory.txt'),
};
const logFile = join(work, 'server.log');
/** BENCH_KEEP_LOGS=<dir>: the server's log, its stalls and memory samples are kept there. */
const keepLogs = process.env.BENCH_KEEP_LOGS;
const provinces = ['ນະຄອນຫຼວງວຽງຈັນ', 'ຜົ້ງສາລີ', 'ຫຼວງນ້ຳທາ', 'ອຸດົມໄຊ', 'ບໍ່ແກ້ວ', 'ຫຼວງພະບາງ'];

/** One line of the mixed-type table; `i` makes every row different. */
function line(i: number): string {
  const amount = ((i * 7919) % 9_000_000) + 1000;
  const whole = amount.toLocaleString('de-DE'); // 6.492.228: dots group the thousands, as in Lao
  const day = 1 + (i % 28);
  const month = 1 + (i % 12);
  return `${i};LA${String(1 + (i % 18)).padStart(2, '0')};${provinces[i % provinces.length]};${whole},${i % 10};${day}/${month}/20${10 + (i % 15)};${i % 3 === 0 ? 'true' : 'false'};${(i % 1000) / 10}%;ເມືອງ ${i % 148}\n`;
}

function writeCsv(path: string, targetRows: number | undefined, targetBytes?: number): number {
  const fd = openSync(path, 'w');
  writeSync(fd, 'id;pcode;ແຂວງ;ມູນຄ່າ;ວັນທີ;ກວດແລ້ວ;ອັດຕາ;ເມືອງ\n');
  let written = 0;
  let bytes = 0;
  while (targetRows !== undefined ? written < targetRows : bytes < (targetBytes ?? 0)) {
    let chunk = '';
    for (let k = 0; k < 10_000; k += 1) chunk += line(written + k);
    written += 10_000;
    bytes += Buffer.byteLength(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return written;
}

/** A short table with one cell of `mib` MiB in its middle: Lao text (three bytes a character), or ASCII. */
function writeBigCellCsv(path: string, mib: number, lao: boolean): void {
  const unit = lao ? 'ສະຖິຕິ ປະຊາກອນ ' : 'population statistics ';
  const cell = unit.repeat(Math.ceil((mib * 1024 ** 2) / Buffer.byteLength(unit)));
  const rows = Array.from(
    { length: 100 },
    (_, i) => `${i},district ${i},${i === 50 ? `"${cell}"` : 'short'}`,
  );
  writeFileSync(path, `id,name,text\n${rows.join('\n')}\n`);
}

async function writeXlsx(path: string, count: number): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const sheet = book.addWorksheet('ຂໍ້ມູນ');
  sheet.addRow(['ສະຖິຕິ ມູນຄ່າ ຕາມແຂວງ']).commit();
  sheet.addRow([]).commit();
  sheet.addRow(['id', 'pcode', 'ແຂວງ', 'ມູນຄ່າ', 'ວັນທີ', 'ເມືອງ']).commit();
  for (let i = 0; i < count; i += 1)
    sheet
      .addRow([
        i,
        `LA${String(1 + (i % 18)).padStart(2, '0')}`,
        provinces[i % provinces.length],
        ((i * 7919) % 9_000_000) / 10,
        new Date(Date.UTC(2010 + (i % 15), i % 12, 1 + (i % 28))),
        `ເມືອງ ${i % 148} district ${i}`,
      ])
      .commit();
  await book.commit();
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

async function ingestThroughServer(
  server: Started,
  token: string,
  datasetId: string,
  path: string,
  name: string,
) {
  const uploaded = await uploadFile(
    `${server.url}/api/v1/datasets/${datasetId}/resources`,
    token,
    path,
    name,
  );
  if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${uploaded.body}`);
  const started = performance.now();
  const startedUs = process.hrtime.bigint() / 1000n;
  const resources = (JSON.parse(uploaded.body) as { resources: Array<{ id: string }> }).resources;
  const resourceId = resources.at(-1)!.id;
  let worstPingMs = 0;
  let ingestPeakMiB = 0;
  let togetherPeakMiB = 0;
  let togetherPeakServerMiB = 0;
  let togetherPeakPssMiB = 0;
  const stepsBefore = ingestSteps().length;
  // The reading runs in a child process of the server: sample its peak memory from outside, and
  // the two processes' resident memory at the same moments.
  const sampler = setInterval(() => {
    const pid = server.child.pid ?? 0;
    ingestPeakMiB = Math.max(ingestPeakMiB, childrenPeakMiB(pid));
    const together = residentWithChildrenMiB(pid);
    if (keepLogs)
      appendFileSync(
        join(work, 'resident.txt'),
        `${Date.now()} ${together.server} ${together.total - together.server}\n`,
      );
    if (together.total > togetherPeakMiB) {
      togetherPeakMiB = together.total;
      togetherPeakServerMiB = together.server;
    }
    togetherPeakPssMiB = Math.max(togetherPeakPssMiB, together.pss);
  }, 100);
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const sent = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      worstPingMs = Math.max(worstPingMs, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    for (;;) {
      const response = await fetch(`${server.url}/api/v1/resources/${resourceId}/ingest`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const status = (await response.json()) as { state: string; rows: number; error: string };
      // The worker logs the steps once the table is served: wait for both.
      const steps = ingestSteps();
      if (status.state === 'done' && steps.length > stepsBefore)
        return {
          seconds: seconds(started),
          worstStallMs: worstStallSince(startedUs),
          rows: status.rows,
          worstPingMs,
          ingestPeakMiB,
          togetherPeakMiB,
          togetherPeakServerMiB,
          togetherPeakPssMiB,
          steps: steps.at(-1) ?? {},
        };
      if (status.state === 'failed') throw new Error(`ingest failed: ${status.error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    clearInterval(sampler);
    pinging = false;
    await pinger;
  }
}

/** The server's longest event-loop stall (bench/loop-lag.mjs) that ended after `sinceUs`. */
function worstStallSince(sinceUs: bigint): number {
  let worst = 0;
  const lines = existsSync(lagFile) ? readFileSync(lagFile, 'utf8').split('\n') : [];
  for (const line of lines) {
    const [at, ms] = line.split(' ');
    if (at && ms && BigInt(at) >= sinceUs) worst = Math.max(worst, Number(ms));
  }
  return worst;
}

/** Step times (ms) of every ingest finished so far, from the server's log. */
function ingestSteps(): Array<Record<string, number>> {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"ingest steps"'))
    .map((line) => (JSON.parse(line) as { stepsMs: Record<string, number> }).stepsMs);
}

/**
 * VmRSS of `pid` and its child processes together, and of `pid` alone, in MiB; and their PSS
 * together. A sum of RSS counts twice the pages both map from the same files (the node binary,
 * DuckDB's library: some 50 MiB), PSS shares them out, so its sum is what the two hold at once.
 */
function residentWithChildrenMiB(pid: number): { total: number; server: number; pss: number } {
  const rss = (process: string) =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${process}/status`, 'utf8'))?.[1] ?? 0);
  const pss = (process: string) =>
    Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${process}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  let kib = 0;
  let server = 0;
  let pssKib = 0;
  try {
    server = rss(String(pid));
    kib += server;
    pssKib += pss(String(pid));
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) {
        kib += rss(child);
        pssKib += pss(child);
      }
    }
  } catch {
    // A child that ended between listing and reading: the next sample sees the server alone.
  }
  const mib = (n: number) => Math.round(n / 1024);
  return { total: mib(kib), server: mib(server), pss: mib(pssKib) };
}

/** Steps as `name 1.23 s`, in order. */
function stepList(steps: Record<string, number>): string {
  return Object.entries(steps)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)}`)
    .join(', ');
}

/** The highest VmHWM among the child processes of `pid`, in MiB (0 when there are none). */
function childrenPeakMiB(pid: number): number {
  let peak = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) {
        const status = readFileSync(`/proc/${child}/status`, 'utf8');
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      }
    }
  } catch {
    // A child that ended between listing and reading: its peak was sampled before, or never mattered.
  }
  return Math.round(peak);
}

interface DuckdbReads {
  /** `read_csv_auto` as it is: types from a sample of the file (the baseline). */
  sampled: number;
  /** DuckDB's own sniffer scanning the whole file for types before it reads it. */
  fullScan: number;
  /** Less than any full-scan load with this file's conventions asks of DuckDB: every cell read
   * as text, then converted to the types an ingest decides, with no pass to decide them. */
  textThenConvert: number;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * DuckDB reading the mixed CSV three ways, each the median of three runs taken in turn: what an
 * ingest is measured against, and what typing from a full scan costs DuckDB itself. The issue
 * asks for types from a full scan while `read_csv_auto` types from a sample, so the other two
 * show how near 1.00 any ingest that meets the issue's other requirements can come.
 */
async function duckdbReads(path: string): Promise<DuckdbReads> {
  const [id, pcode, province, amount, day, checked, rate, district] = [
    'id',
    'pcode',
    'ແຂວງ',
    'ມູນຄ່າ',
    'ວັນທີ',
    'ກວດແລ້ວ',
    'ອັດຕາ',
    'ເມືອງ',
  ].map((name) => `"${name}"`);
  const converted = [
    `CAST(${id} AS BIGINT)`,
    pcode,
    province,
    `CAST(replace(replace(${amount}, '.', ''), ',', '.') AS DECIMAL(8,1))`,
    `CAST(strptime(${day}, '%d/%m/%Y') AS DATE)`,
    `CAST(${checked} AS BOOLEAN)`,
    `CAST(left(${rate}, -1) AS DECIMAL(4,1))`,
    district,
  ];
  const runs: Record<keyof DuckdbReads, number[]> = {
    sampled: [],
    fullScan: [],
    textThenConvert: [],
  };
  for (let round = 0; round < 3; round += 1) {
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    const timed = async (statements: string[]): Promise<number> => {
      const started = performance.now();
      for (const sql of statements) await connection.run(sql);
      return seconds(started);
    };
    runs.sampled.push(
      await timed([`create or replace table t as select * from read_csv_auto('${path}')`]),
    );
    runs.fullScan.push(
      await timed([
        `create or replace table t as select * from read_csv_auto('${path}', sample_size = -1)`,
      ]),
    );
    runs.textThenConvert.push(
      await timed([
        `create or replace table raw as select * from read_csv('${path}', all_varchar = true, delim = ';', header = true)`,
        `create or replace table t as select ${converted.join(', ')} from raw`,
      ]),
    );
    connection.closeSync();
    instance.closeSync();
  }
  return {
    sampled: median(runs.sampled),
    fullScan: median(runs.fullScan),
    textThenConvert: median(runs.textThenConvert),
  };
}

/** `\copy` through psql into an all-text table; undefined when no PostgreSQL answers. */
function postgresCopy(path: string): number | undefined {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const psql = (sql: string) =>
    execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  try {
    psql('drop table if exists khomoun_bench_copy');
  } catch {
    return undefined;
  }
  psql(
    'create unlogged table khomoun_bench_copy (id text, pcode text, province text, amount text, day text, checked text, rate text, district text)',
  );
  const started = performance.now();
  psql(`\\copy khomoun_bench_copy from '${path}' (format csv, header, delimiter ';')`);
  const took = seconds(started);
  psql('drop table khomoun_bench_copy');
  return took;
}

try {
  const csv = join(work, 'mixed.csv');
  const written = writeCsv(csv, rows);
  const csvMiB = statSync(csv).size / 1024 ** 2;
  process.stdout.write(`${written} rows, ${csvMiB.toFixed(0)} MiB of CSV\n`);
  const { server, token, dataset: newDataset } = await startBenchServer(env, logFile);
  try {
    const dataset = { id: await newDataset() };

    const reads = await duckdbReads(csv);
    const duck = reads.sampled;
    const ours = await ingestThroughServer(server, token, dataset.id, csv, 'mixed.csv');
    const copy = postgresCopy(csv);

    const peakBeforeBig = server.peakRssMiB();
    const big = join(work, 'big.csv');
    const bigRows = writeCsv(big, undefined, bigMiB * 1024 ** 2);
    const bigRun = await ingestThroughServer(server, token, dataset.id, big, 'big.csv');
    const peakAfterBig = server.peakRssMiB();
    rmSync(big);

    // A 10 MB cell is one of the issue's bad inputs; 30 MiB of Lao is 10 Mi characters, near
    // the parser's limit of 32 Mi. After the big CSV: the server keeps some of the memory that
    // loading such a table took (about 60 MiB in one run), which the big CSV would then carry.
    const cellRuns = [];
    for (const [mib, lao] of [
      [10, false],
      [30, true],
    ] as const) {
      const path = join(work, `cell-${mib}.csv`);
      writeBigCellCsv(path, mib, lao);
      const run = await ingestThroughServer(server, token, dataset.id, path, `cell-${mib}.csv`);
      cellRuns.push({ mib, lao, run, serverPeakMiB: server.peakRssMiB() });
      rmSync(path);
    }

    const xlsx = join(work, 'values.xlsx');
    await writeXlsx(xlsx, xlsxRows);
    const xlsxMiB = statSync(xlsx).size / 1024 ** 2;
    const xlsxRun = await ingestThroughServer(server, token, dataset.id, xlsx, 'values.xlsx');
    const peakAfterXlsx = server.peakRssMiB();

    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
    const load = loadavg()
      .map((n) => n.toFixed(1))
      .join(' ');
    const body = `
\`npm run bench:ingest\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2 cores,
load average ${loadAtStart} at the start and ${load} at the end (other jobs share the machine).
Server from \`dist/\` on PGlite with the defaults (1 ingest worker, DuckDB memory limit 128 MB);
each ingest reads in a child process (DuckDB: 128 MiB, one thread; niceness 10, all its threads)
and the server loads the table on one DuckDB thread. Times run from
the end of the upload to the ingest reported \`done\` (typed table, validation report and
Parquet copy all written), polled every 50 ms.

| ${written.toLocaleString('en-US')}-row mixed CSV (${csvMiB.toFixed(0)} MiB: integers, Lao text, \`6.492.228,5\` decimals, dd/mm/yyyy dates, booleans, percents) | seconds | rows/s | speed relative to DuckDB |
| --- | ---: | ---: | ---: |
| DuckDB \`read_csv_auto\` into a table (baseline, 2 threads; median of 3, as the next two) | ${duck.toFixed(2)} | ${rate(written, duck)} | 1.00 |
| DuckDB \`read_csv_auto\` typing from a full scan (\`sample_size = -1\`; the decimals and percents stay text) | ${reads.fullScan.toFixed(2)} | ${rate(written, reads.fullScan)} | ${(duck / reads.fullScan).toFixed(2)} |
| DuckDB: every cell read as text, then converted to the types the ingest decides (no pass to decide them) | ${reads.textThenConvert.toFixed(2)} | ${rate(written, reads.textThenConvert)} | ${(duck / reads.textThenConvert).toFixed(2)} |
| Khomoun ingest, upload done → queryable | ${ours.seconds.toFixed(2)} | ${rate(written, ours.seconds)} | ${(duck / ours.seconds).toFixed(2)} |
| PostgreSQL \`COPY\` into an unlogged all-text table (psql \`\\copy\`) | ${copy === undefined ? 'n/a' : copy.toFixed(2)} | ${copy === undefined ? 'no PostgreSQL' : rate(written, copy)} | ${copy === undefined ? '' : (duck / copy).toFixed(2)} |

Goal: at least 0.80 of DuckDB's speed — ${duck / ours.seconds >= 0.8 ? 'met' : '**not met**'}.
DuckDB itself reaches ${(duck / reads.fullScan).toFixed(2)} of its sampled read when it takes its types from a
full scan, as the issue asks of an ingest, and ${(duck / reads.textThenConvert).toFixed(2)} when it reads every cell as text and converts it to
the types an ingest decides, told them in advance: less than typing this file's conventions from
a full scan asks. A goal of 0.80 against a sampled read is out of reach of any ingest that types
from a full scan.

| big files | seconds | rows/s | server peak RSS (VmHWM) | ingest process peak RSS | most held at once by both: RSS (the server's part); PSS | worst event-loop stall in the server | worst /healthz answer |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${bigMiB} MiB CSV, ${bigRows.toLocaleString('en-US')} rows | ${bigRun.seconds.toFixed(1)} | ${rate(bigRows, bigRun.seconds)} | ${peakAfterBig} MiB (${peakBeforeBig} MiB before it) | ${bigRun.ingestPeakMiB} MiB | ${bigRun.togetherPeakMiB} MiB (${bigRun.togetherPeakServerMiB}); PSS ${bigRun.togetherPeakPssMiB} MiB | ${bigRun.worstStallMs} ms | ${bigRun.worstPingMs.toFixed(0)} ms |
${cellRuns.map(({ mib, lao, run, serverPeakMiB }) => `| CSV of 100 rows, one a cell of ${mib} MiB (${lao ? 'Lao' : 'ASCII'}) | ${run.seconds.toFixed(1)} | | ${serverPeakMiB} MiB | ${run.ingestPeakMiB} MiB | ${run.togetherPeakMiB} MiB (${run.togetherPeakServerMiB}); PSS ${run.togetherPeakPssMiB} MiB | ${run.worstStallMs} ms | ${run.worstPingMs.toFixed(0)} ms |`).join('\n')}
| ${xlsxMiB.toFixed(0)} MiB XLSX, ${xlsxRows.toLocaleString('en-US')} rows | ${xlsxRun.seconds.toFixed(1)} | ${rate(xlsxRows, xlsxRun.seconds)} | ${peakAfterXlsx} MiB | ${xlsxRun.ingestPeakMiB} MiB | ${xlsxRun.togetherPeakMiB} MiB (${xlsxRun.togetherPeakServerMiB}); PSS ${xlsxRun.togetherPeakPssMiB} MiB | ${xlsxRun.worstStallMs} ms | ${xlsxRun.worstPingMs.toFixed(0)} ms |

The reading and typing run in a child process of the server (one per ingest, its memory freed
when it ends), the JavaScript read in a thread of that process whose heap goes before DuckDB's
steps start; the server itself stores the Parquet file and loads it into its DuckDB tables.
The mixed CSV's ingest process peaked at ${ours.ingestPeakMiB} MiB (${ours.togetherPeakMiB} MiB with the server at once); the
server's worst stall during it was ${ours.worstStallMs} ms, its worst /healthz answer ${ours.worstPingMs.toFixed(0)} ms.

Where the time went, in seconds (the worker's step times; \`start\` is the ingest process up to
its first step):

- mixed CSV: ${stepList(ours.steps)}
- big CSV: ${stepList(bigRun.steps)}
- XLSX: ${stepList(xlsxRun.steps)}

Goals: peak RSS under 512 MB (488 MiB) while ingesting the big CSV — server ${peakAfterBig < 488 ? 'met' : '**not met**'}, ingest process ${bigRun.ingestPeakMiB < 488 ? 'met' : '**not met**'}, the two at once ${bigRun.togetherPeakMiB < 488 ? 'met' : '**not met**'} (${bigRun.togetherPeakMiB} MiB; PSS, shared pages counted once, ${bigRun.togetherPeakPssMiB} MiB; the sum of their peaks: ${peakAfterBig + bigRun.ingestPeakMiB} MiB); no event-loop stall over 100 ms — ${Math.max(ours.worstStallMs, bigRun.worstStallMs, xlsxRun.worstStallMs) <= 100 ? 'met' : '**not met**'}: the server's
worst stall over the three ingests was ${Math.max(ours.worstStallMs, bigRun.worstStallMs, xlsxRun.worstStallMs)} ms (stalls under 20 ms are not recorded), the worst /healthz answer
(the stall, the request itself, and the benchmark's own waits for the CPU) ${Math.max(ours.worstPingMs, bigRun.worstPingMs, xlsxRun.worstPingMs).toFixed(0)} ms.
`;
    writeResultsSection('Datastore ingest', body);
    process.stdout.write(body);
  } finally {
    await server.stop();
  }
} finally {
  if (keepLogs) {
    mkdirSync(keepLogs, { recursive: true });
    for (const name of [
      'server.log',
      'loop-lag.txt',
      'memory.txt',
      'memory.txt.ingest',
      'resident.txt',
    ])
      if (existsSync(join(work, name))) copyFileSync(join(work, name), join(keepLogs, name));
  }
  rmSync(work, { recursive: true, force: true });
}
