import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  processStorages,
  runCli,
  startServerProcess,
  type ProcessStorage,
} from './helpers/processes.js';

interface LoadResult {
  acknowledged: string[];
  attempted: number;
  serverErrors: number[];
}

/** Writes tokens from `workers` parallel clients until the server stops answering. */
async function writeUntilRefused(
  url: string,
  token: string,
  workers: number,
  onProgress: (done: number) => void,
) {
  const result: LoadResult = { acknowledged: [], attempted: 0, serverErrors: [] };
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; ; i += 1) {
        const name = `load-${worker}-${i}`;
        result.attempted += 1;
        let response: Response;
        try {
          response = await fetch(`${url}/api/v1/tokens`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
          });
        } catch {
          return; // connection refused or closed: the server has stopped
        }
        await response.arrayBuffer();
        if (response.status === 201) {
          result.acknowledged.push(name);
          onProgress(result.acknowledged.length);
        } else if (response.status === 503) {
          return; // closing: Fastify refuses new requests on kept-alive sockets
        } else {
          result.serverErrors.push(response.status);
        }
        if (i > 5000) return;
      }
    }),
  );
  return result;
}

for (const storage of processStorages()) {
  describe(`SIGTERM under load on ${storage.name}`, () => {
    let place: ProcessStorage;
    let token: string;
    before(async () => {
      place = await storage.create();
      const created = await runCli(
        ['users', 'create', '--email', 'load@example.org', '--password', 'a long password'],
        place.env,
      );
      assert.equal(created.code, 0, created.stderr);
      const issued = await runCli(
        ['tokens', 'create', '--email', 'load@example.org', '--name', 'load'],
        place.env,
      );
      token = issued.stdout.trim();
    });
    after(() => place.dispose());

    it('finishes requests in flight, exits 0, and loses nothing it acknowledged', async () => {
      const server = await startServerProcess(place.env);
      let stopping: Promise<number | null> | undefined;
      const load = await writeUntilRefused(server.url, token, 16, (done) => {
        if (done >= 150) stopping ??= server.stop();
      });
      const code = await (stopping ?? server.stop());
      assert.equal(code, 0, server.output());
      assert.match(server.output(), /Stopped cleanly/);
      assert.deepEqual(load.serverErrors, []);
      assert.ok(load.acknowledged.length >= 150);

      const restarted = await startServerProcess(place.env);
      try {
        const ready = await fetch(`${restarted.url}/readyz`);
        assert.equal(ready.status, 200);
        const list = await fetch(`${restarted.url}/api/v1/tokens`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(list.status, 200);
        const stored = new Set(
          ((await list.json()) as { items: Array<{ name: string }> }).items.map(
            (item) => item.name,
          ),
        );
        const lost = load.acknowledged.filter((name) => !stored.has(name));
        assert.deepEqual(lost, [], `${lost.length} acknowledged writes were lost`);
        // Nothing appears that was never sent.
        assert.ok(stored.size - 1 <= load.attempted);
      } finally {
        assert.equal(await restarted.stop(), 0);
      }
    });
  });
}
