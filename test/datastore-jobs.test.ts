import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/db/index.js';
import { jobKind, startJobQueue, type JobQueue } from '../src/jobs/index.js';
import { testEngines } from './helpers/engines.js';

const pingJob = jobKind<{ n: number }>('test-ping', {
  retryLimit: 0,
  retryDelaySeconds: 1,
  expireSeconds: 60,
});

const polling = 6;

for (const engine of testEngines()) {
  describe(`job queue on ${engine.name}`, () => {
    let database: Database;
    let dispose: () => Promise<void>;
    let jobs: JobQueue;
    const started = new Map<number, number>();
    const done = new Map<number, () => void>();

    before(async () => {
      ({ database, dispose } = await engine.freshDatabase());
      // A long poll, so that a job which waited for it cannot pass for one started at once.
      jobs = await startJobQueue(
        database,
        [pingJob],
        (error) => {
          throw error;
        },
        { pollingIntervalSeconds: polling },
      );
      await jobs.work(pingJob, async ({ n }) => {
        started.set(n, performance.now());
        done.get(n)?.();
      });
    });
    after(async () => {
      await jobs.stop(1000);
      await dispose();
    });

    const run = async (n: number) => {
      const finished = new Promise<void>((resolve) => done.set(n, resolve));
      const sent = performance.now();
      await jobs.send(pingJob, { n });
      await finished;
      return started.get(n)! - sent;
    };

    // An ingest queued by an upload starts at once, not at the worker's next poll: the job sent
    // right after one finished would otherwise wait the whole polling interval.
    it('starts a job sent in this process without waiting for the next poll', async () => {
      await run(1);
      const waited = await run(2);
      assert.ok(waited < (polling * 1000) / 2, `the job started after ${Math.round(waited)} ms`);
    });

    it('starts a job sent in a transaction once the transaction has committed', async () => {
      await run(3);
      const finished = new Promise<void>((resolve) => done.set(4, resolve));
      const sent = performance.now();
      await database.db.transaction().execute(async (tx) => {
        await jobs.send(pingJob, { n: 4 }, { tx });
      });
      await finished;
      const waited = started.get(4)! - sent;
      // On PGlite the worker's fetch waits for the sender's transaction on the one session; on
      // PostgreSQL a fetch before the commit finds nothing, and the job waits for the next poll.
      if (engine.name === 'pglite')
        assert.ok(waited < (polling * 1000) / 2, `the job started after ${Math.round(waited)} ms`);
      else assert.ok(waited < polling * 1000 * 3, `the job started after ${Math.round(waited)} ms`);
    });
  });
}
