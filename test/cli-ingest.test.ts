import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
          const created = await api(server, 'GET', '/api/v1/datasets/dengue-2024');
          const datasetId = ((await created.json()) as { id: string }).id;
          const uploaded = await fetch(`${server.url}/api/v1/datasets/${datasetId}/resources`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, ...multipartHeaders },
            body: multipart(
              { title: 'Dengue' },
              { name: 'dengue.csv', bytes: readFileSync(fixture('health-utf16le.csv')) },
            ),
          });
          assert.equal(uploaded.status, 201, await uploaded.clone().text());
          const resources = ((await uploaded.json()) as { resources: Array<{ id: string }> })
            .resources;
          const resourceId = resources.at(-1)!.id;
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

    it('refuses an unknown encoding at once, and tells why a file is no table', async () => {
      const misnamed = await runCli(
        ['ingest', fixture('health-utf16le.csv'), '--dataset', 'dengue-2024', '--encoding', 'lao'],
        place.env,
      );
      assert.equal(misnamed.code, 1);
      assert.match(misnamed.stderr, /unknown text encoding "lao"/);
      const garbage = join(place.env.DATA_DIR!, 'garbage.csv');
      writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
      const refused = await runCli(['ingest', garbage, '--dataset', 'dengue-2024'], place.env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /BIN is not a table Khomoun reads/);
    });
  });
}
