import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  processStorages,
  runCli,
  startServerProcess,
  type ProcessStorage,
  type ServerProcess,
} from './helpers/processes.js';

/** A CSV big enough that its ingest is still running when the test pulls the plug. */
function writeBigCsv(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'id,ແຂວງ,ມູນຄ່າ,ວັນທີ\n');
  const provinces = ['ຫຼວງພະບາງ', 'ວຽງຈັນ', 'ສະຫວັນນະເຂດ', 'ຈຳປາສັກ'];
  for (let start = 0; start < rows; start += 10_000) {
    let chunk = '';
    for (let i = start; i < Math.min(rows, start + 10_000); i += 1)
      chunk += `${i},${provinces[i % 4]},"${i % 1000}.${i % 10}",${1 + (i % 28)}/${1 + (i % 12)}/2024\n`;
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

for (const storage of processStorages()) {
  describe(`an ingest interrupted by a crash, on ${storage.name}`, () => {
    let place: ProcessStorage;
    let token: string;
    let server: ServerProcess | undefined;
    const rows = 600_000;

    before(async () => {
      place = await storage.create();
      const email = 'editor@example.org';
      const created = await runCli(
        ['users', 'create', '--email', email, '--password', 'long-enough-password', '--admin'],
        place.env,
      );
      assert.equal(created.code, 0, created.stderr);
      const minted = await runCli(['tokens', 'create', '--email', email, '--name', 't'], place.env);
      token = minted.stdout.trim();
      writeBigCsv(join(place.env.DATA_DIR!, 'big.csv'), rows);
    });
    after(async () => {
      await server?.stop();
      await place.dispose();
    });

    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${server!.url}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    const json = { 'content-type': 'application/json' };
    let datasetId: string | undefined;

    /** Uploads the big CSV as a new resource and waits until its ingest has written progress. */
    const uploadAndCatchRunning = async (file = 'big.csv', count = rows): Promise<string> => {
      if (datasetId === undefined) {
        await api('/organizations', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ slug: 'nsc', title: { en: 'Statistics' } }),
        });
        const dataset = await api('/datasets', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            organization: 'nsc',
            title: { en: 'Values' },
            description: { en: 'Values by province' },
          }),
        });
        assert.equal(dataset.status, 201, JSON.stringify(dataset.body));
        datasetId = String(dataset.body.id);
      }
      const form = new FormData();
      form.set('title', 'Values');
      form.set('file', new Blob([readFileSync(join(place.env.DATA_DIR!, file))]), 'values.csv');
      const uploaded = await api(`/datasets/${datasetId}/resources`, {
        method: 'POST',
        body: form,
      });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      const resourceId = (uploaded.body.resources as Array<{ id: string }>).at(-1)!.id;
      let status: Record<string, unknown> = {};
      for (let i = 0; i < 600; i += 1) {
        status = (await api(`/resources/${resourceId}/ingest`)).body;
        if (status.state === 'running' && Number(status.rows) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(status.state, 'running', `caught the ingest running: ${JSON.stringify(status)}`);
      assert.ok(Number(status.rows) < count, 'caught before it finished');
      return resourceId;
    };

    const finished = async (resourceId: string, count = rows) => {
      let status: Record<string, unknown> = {};
      for (let i = 0; i < 1200; i += 1) {
        status = (await api(`/resources/${resourceId}/ingest`)).body;
        if (status.state === 'done' || status.state === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status.state, 'done', JSON.stringify(status));
      assert.equal(status.rows, count);
      assert.equal(status.serving, true);
      return status;
    };

    it('is picked up again after a restart and finishes, with nothing lost or doubled', async () => {
      server = await startServerProcess(place.env);
      const resourceId = await uploadAndCatchRunning();
      await server.kill();

      server = await startServerProcess(place.env);
      const status = await finished(resourceId);
      assert.equal(status.attempts, 2, 'the lost try was run once more');
      const schema = await api(`/resources/${resourceId}/schema`);
      assert.deepEqual(
        (schema.body.fields as Array<{ name: string; type: string }>).map((f) => f.type),
        ['integer', 'string', 'number', 'date'],
      );
      await server.stop();
      server = undefined;
    });

    it('stops at SIGTERM within the shutdown time, and hands the ingest back to the queue', async () => {
      // An ingest that takes longer than the whole shutdown time.
      const longer = rows * 3;
      writeBigCsv(join(place.env.DATA_DIR!, 'bigger.csv'), longer);
      const env = { ...place.env, SHUTDOWN_TIMEOUT_MS: '2500' };
      server = await startServerProcess(env);
      const resourceId = await uploadAndCatchRunning('bigger.csv', longer);
      const code = await server.stop();
      // Given the whole shutdown time, the ingest outlived it: exit 1, the database not closed.
      assert.equal(code, 0, server.output());
      assert.match(server.output(), /Stopped cleanly/);

      server = await startServerProcess(env);
      const status = await finished(resourceId, longer);
      // The try the shutdown stopped is not counted.
      assert.equal(status.attempts, 1);
    });
  });
}
