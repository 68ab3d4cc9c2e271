import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { loadConfig } from '../src/config.js';
import type { Schema } from '../src/db/index.js';
import { openConfiguredDatabase } from '../src/server.js';
import { completeDataset } from './helpers/catalog.js';
import { fixture } from './datastore-readers-support.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';
import {
  processStorages,
  runCli,
  startCliProcess,
  startServerProcess,
  type ProcessStorage,
  type ServerProcess,
} from './helpers/processes.js';

for (const storage of processStorages()) {
  describe(`khomoun ingest on ${storage.name}`, () => {
    let place: ProcessStorage;
    let token: string;
    /** The embedded database admits one process at a time: the server runs only while asked. */
    const withServer = async <T>(work: (server: ServerProcess) => Promise<T>): Promise<T> => {
      const server = await startServerProcess(place.env);
      try {
        return await work(server);
      } finally {
        await server.stop();
      }
    };
    const api = (server: ServerProcess, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    /** Uploads a fixture to the demo's dengue dataset through `server`; resolves with its id. */
    const uploadTo = async (
      server: ServerProcess,
      title: string,
      name: string,
      fixtureName: string,
    ) => {
      const created = await api(server, 'GET', '/api/v1/datasets/dengue-2024');
      const datasetId = ((await created.json()) as { id: string }).id;
      const uploaded = await fetch(`${server.url}/api/v1/datasets/${datasetId}/resources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...multipartHeaders },
        body: multipart({ title }, { name, bytes: readFileSync(fixture(fixtureName)) }),
      });
      assert.equal(uploaded.status, 201, await uploaded.clone().text());
      return ((await uploaded.json()) as { resources: Array<{ id: string }> }).resources.at(-1)!.id;
    };

    before(async () => {
      place = await storage.create();
      const admin = await runCli(
        [
          'users',
          'create',
          '--email',
          'dsc@example.la',
          '--password',
          'a long password',
          '--admin',
        ],
        place.env,
      );
      assert.equal(admin.code, 0, admin.stderr);
      const created = await runCli(
        ['tokens', 'create', '--email', 'dsc@example.la', '--name', 'ingest'],
        place.env,
      );
      assert.equal(created.code, 0, created.stderr);
      token = created.stdout.trim();
      await withServer(async (server) => {
        const organization = await api(server, 'POST', '/api/v1/organizations', {
          slug: 'lsb',
          title: { en: 'Lao Statistics Bureau' },
          kind: 'department',
        });
        assert.equal(organization.status, 201, await organization.text());
        const dataset = await api(server, 'POST', '/api/v1/datasets', {
          ...completeDataset,
          slug: 'dengue-2024',
        });
        assert.equal(dataset.status, 201, await dataset.text());
      });
    });
    after(() => place.dispose());

    /** The catalog database, opened by the test while no Khomoun process holds a PGlite one. */
    const withDatabase = async <T>(work: (db: Kysely<Schema>) => Promise<T>): Promise<T> => {
      const database = await openConfiguredDatabase(loadConfig(place.env));
      try {
        return await work(database.db);
      } finally {
        await database.close();
      }
    };
    const shownResources = () =>
      withDatabase(async (db) =>
        (
          await db
            .selectFrom('resources')
            .innerJoin('datasets', 'datasets.id', 'resources.dataset_id')
            .select('resources.id')
            .where('datasets.slug', '=', 'dengue-2024')
            .where('resources.deleted_at', 'is', null)
            .execute()
        ).map((row) => row.id),
      );
    const blobCount = (): number => {
      const count = (dir: string): number =>
        existsSync(dir)
          ? readdirSync(dir, { withFileTypes: true }).reduce(
              (sum, entry) => sum + (entry.isDirectory() ? count(join(dir, entry.name)) : 1),
              0,
            )
          : 0;
      return count(join(place.env.DATA_DIR!, 'blobs'));
    };
    const scratch = (name: string) => {
      const dir = join(place.env.DATA_DIR!, 'scratch');
      mkdirSync(dir, { recursive: true });
      return join(dir, name);
    };

    it('adds a file to a dataset and reads it into a table the data API serves', async () => {
      const ingested = await runCli(
        ['ingest', fixture('health-utf16le.csv'), '--dataset', 'dengue-2024'],
        place.env,
      );
      assert.equal(ingested.code, 0, ingested.stderr);
      const resourceId = /^([0-9a-f-]{36})$/m.exec(ingested.stdout)?.[1];
      assert.ok(resourceId, ingested.stdout);
      assert.match(
        ingested.stderr,
        new RegExp(`Read 18 rows into the table of resource ${resourceId}`),
      );
      await withServer(async (server) => {
        const records = await api(server, 'GET', `/api/v1/resources/${resourceId}/records?limit=1`);
        assert.equal(records.status, 200);
        const body = (await records.json()) as { items: Array<Record<string, unknown>> };
        assert.deepEqual(body.items[0], {
          ລະຫັດ: 'LA01',
          ແຂວງ: 'ນະຄອນຫຼວງວຽງຈັນ',
          ຈຳນວນຄົນເຈັບ: 150,
          'ອັດຕາຕໍ່ 100.000': 3.8,
          ວັນທີລາຍງານ: '2024-01-01',
        });
      });
    });

    // The scaled setup: web servers take no ingests, a `khomoun worker` beside them does. Two
    // processes on one database is PostgreSQL's case; PGlite admits one process at a time.
    if (storage.name === 'postgres') {
      it('leaves ingests to khomoun worker when the server runs none', async () => {
        const server = await startServerProcess({ ...place.env, INGEST_WORKERS: '0' });
        try {
          const resourceId = await uploadTo(server, 'Dengue', 'dengue.csv', 'health-utf16le.csv');
          const state = async () =>
            (
              (await (
                await api(server, 'GET', `/api/v1/resources/${resourceId}/ingest`)
              ).json()) as {
                state: string;
              }
            ).state;
          await new Promise((resolve) => setTimeout(resolve, 1500));
          assert.equal(await state(), 'queued', 'the server reads no file itself');

          const worker = await startCliProcess(
            ['worker'],
            place.env,
            /Khomoun worker is taking ingest jobs/,
          );
          try {
            let now = await state();
            for (let i = 0; i < 300 && now !== 'done' && now !== 'failed'; i += 1) {
              await new Promise((resolve) => setTimeout(resolve, 100));
              now = await state();
            }
            assert.equal(now, 'done', worker.output());
          } finally {
            assert.equal(await worker.stop(), 0, worker.output());
          }
          // The server loads the worker's table from its Parquet copy in the blob store.
          const records = await api(
            server,
            'GET',
            `/api/v1/resources/${resourceId}/records?limit=1`,
          );
          assert.equal(records.status, 200);
          const body = (await records.json()) as { items: Array<Record<string, unknown>> };
          assert.equal(body.items[0]?.['ລະຫັດ'], 'LA01');
        } finally {
          await server.stop();
        }
      });
    }

    it('runs only its own ingest, here, and leaves queued ones to the servers', async () => {
      // A server that takes no ingests queues an upload; on PGlite it must stop before the CLI.
      const server = await startServerProcess({ ...place.env, INGEST_WORKERS: '0' });
      let queuedResource: string;
      try {
        queuedResource = await uploadTo(server, 'Waiting', 'waiting.csv', 'provinces.csv');
        if (storage.name === 'pglite') await server.stop();
        const one = scratch('one.csv');
        writeFileSync(one, 'pcode,cases\nLA01,3\n');
        const ingested = await runCli(['ingest', one, '--dataset', 'dengue-2024'], place.env);
        assert.equal(ingested.code, 0, ingested.stderr);
        assert.match(ingested.stderr, /Read 1 row into the table of resource /);
      } finally {
        await server.stop();
      }
      await withDatabase(async (db) => {
        const queued = await db
          .selectFrom('datastore_ingests')
          .select(['state', 'attempts', 'job_id'])
          .where('resource_id', '=', queuedResource)
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          { state: queued.state, attempts: queued.attempts },
          { state: 'queued', attempts: 0 },
          'the queued ingest was not touched',
        );
        const { rows } = await sql<{ state: string; retry_count: number }>`
          SELECT state, retry_count FROM pgboss.job WHERE id = ${queued.job_id}`.execute(db);
        assert.deepEqual(rows, [{ state: 'created', retry_count: 0 }], 'nor was its job');
        const own = await db
          .selectFrom('datastore_ingests')
          .select(['state', 'attempts', 'job_id'])
          .where('file_name', '=', 'one.csv')
          .executeTakeFirstOrThrow();
        assert.deepEqual(own, { state: 'done', attempts: 1, job_id: null });
      });
    });

    it('says in one line why a file cannot be used, and stores nothing', async () => {
      const before = await shownResources();
      const blobs = blobCount();
      const folder = scratch('folder');
      mkdirSync(folder, { recursive: true });
      const fifo = scratch('fifo.csv');
      execFileSync('mkfifo', [fifo]);
      const empty = scratch('empty.csv');
      writeFileSync(empty, '');
      const random = scratch('rand.bin');
      writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
      const csv = scratch('small.csv');
      writeFileSync(csv, 'pcode,cases\nLA01,3\nLA02,4\n');
      const layout = scratch('layout.csv');
      writeFileSync(layout, 'name,start,width\nid,1,5\nx,0,-3\n');
      const missing = scratch('missing.csv');
      const cases: Array<[string[], number, RegExp, Record<string, string>?]> = [
        [[missing], 1, /^khomoun: cannot read .*missing\.csv: no such file$/],
        [[folder], 1, /^khomoun: .*folder is a directory, not a file$/],
        [[fifo], 1, /^khomoun: .*fifo\.csv is not a regular file \(a pipe\)/],
        [['/dev/zero'], 1, /^khomoun: \/dev\/zero is not a regular file \(a device\)/],
        [[empty], 1, /^khomoun: .*empty\.csv is empty$/],
        [[random], 1, /^khomoun: file: BIN is not a table Khomoun reads$/],
        [
          [csv],
          1,
          /^khomoun: .*small\.csv is 26 bytes, more than the upload limit of 20 bytes/,
          { UPLOAD_MAX_BYTES: '20' },
        ],
        [[csv, '--layout', missing], 1, /^khomoun: cannot read .*missing\.csv: no such file$/],
        [[csv, '--layout', folder], 1, /^khomoun: .*folder is a directory, not a file$/],
        [[csv, '--layout', layout], 1, /^khomoun: fixedWidth: line 3 of the layout must read/],
        [
          [csv, '--sheet', '3'],
          2,
          /^error: --sheet picks a sheet of a workbook .*small\.csv is CSV$/,
        ],
        [[csv, '--sheet', '-1'], 2, /^error: option '--sheet <n>' argument '-1' is invalid/],
        [[csv, '--encoding', 'klingon'], 2, /^error: .*unknown text encoding "klingon"/],
      ];
      for (const [args, code, message, env] of cases) {
        const result = await runCli(['ingest', ...args, '--dataset', 'dengue-2024'], {
          ...place.env,
          ...env,
        });
        const said = `${args.join(' ')}: ${result.stderr}`;
        assert.equal(result.code, code, said);
        assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${said}`);
        assert.match(result.stderr.trim(), message, said);
      }
      const bare = await runCli(['ingest'], place.env);
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /missing required argument 'file'/);
      assert.equal(blobCount(), blobs, 'no blob was stored');
      assert.deepEqual(await shownResources(), before, 'no resource was added');
      const work = join(place.env.DATA_DIR!, 'tmp', 'ingest');
      assert.deepEqual(existsSync(work) ? readdirSync(work) : [], []);
    });

    it('adds no resource when the file cannot be read into a table', async () => {
      const before = await shownResources();
      const workbook = fixture('lao-provinces-report.xlsm');
      for (const [sheet, reason] of [
        ['99', /no sheet number 99/],
        ['Nope', /no sheet "Nope"/],
      ] as const) {
        const failed = await runCli(
          ['ingest', workbook, '--dataset', 'dengue-2024', '--sheet', sheet],
          place.env,
        );
        assert.equal(failed.code, 1, failed.stderr);
        assert.match(failed.stderr, reason);
        assert.match(failed.stderr, /was not added to dengue-2024/);
      }
      assert.deepEqual(await shownResources(), before);
    });

    it('cancels on Ctrl-C: stops the reading, removes its files, and no one resumes it', async () => {
      const big = scratch('big.csv');
      const fd = openSync(big, 'w');
      writeSync(fd, 'id,value\n');
      for (let start = 0; start < 1_500_000; start += 100_000) {
        let chunk = '';
        for (let i = start; i < start + 100_000; i += 1) chunk += `${i},${(i * 7) % 1000}.5\n`;
        writeSync(fd, chunk);
      }
      closeSync(fd);
      const before = await shownResources();
      const work = join(place.env.DATA_DIR!, 'tmp', 'ingest');
      const cli = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/run.ts', 'ingest', big, '--dataset', 'dengue-2024'],
        {
          cwd: new URL('../', import.meta.url).pathname,
          env: { PATH: process.env.PATH, KHOMOUN_DEMO: '0', ...place.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
      // The ingest has begun once its scratch directory exists.
      for (let i = 0; i < 600 && !(existsSync(work) && readdirSync(work).length > 0); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(readdirSync(work).length > 0, `the ingest never started: ${stderr}`);
      // To this process only, as `kill -INT` does: its ingest process must be stopped by it.
      cli.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /khomoun: cancelled; .*big\.csv was not added to dengue-2024/);
      assert.deepEqual(readdirSync(work), [], 'its scratch files are gone');
      assert.deepEqual(await shownResources(), before, 'its resource is gone');
      await withDatabase(async (db) => {
        const ingest = await db
          .selectFrom('datastore_ingests')
          .select(['state', 'error'])
          .where('file_name', '=', 'big.csv')
          .executeTakeFirstOrThrow();
        assert.deepEqual(ingest, { state: 'failed', error: 'cancelled by the user' });
      });
    });

    it('refuses an unknown encoding at once, and tells why a file is no table', async () => {
      const misnamed = await runCli(
        ['ingest', fixture('health-utf16le.csv'), '--dataset', 'dengue-2024', '--encoding', 'lao'],
        place.env,
      );
      assert.equal(misnamed.code, 2, 'wrong usage');
      assert.match(misnamed.stderr, /unknown text encoding "lao"/);
      const garbage = join(place.env.DATA_DIR!, 'garbage.csv');
      writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
      const refused = await runCli(['ingest', garbage, '--dataset', 'dengue-2024'], place.env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /BIN is not a table Khomoun reads/);
    });
  });
}
