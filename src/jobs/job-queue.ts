import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database, Schema } from '../db/index.js';

/** Whatever runs the caller's transaction: jobs sent through it commit or roll back with it. */
type Transaction = Pick<Kysely<Schema>, 'executeQuery'>;

/** A kind of background work: its queue name, retry policy and how long one try may run. */
export interface JobKind<Data extends object> {
  readonly name: string;
  readonly retryLimit: number;
  /** Seconds before the first retry; doubled for each later one. */
  readonly retryDelaySeconds: number;
  /** A try still running after this long is taken as lost and retried. */
  readonly expireSeconds: number;
  /** Only for typing `send` and `work`; never read. */
  readonly data?: Data;
}

export function jobKind<Data extends object>(
  name: string,
  policy: { retryLimit: number; retryDelaySeconds: number; expireSeconds: number },
): JobKind<Data> {
  return { name, ...policy };
}

export interface JobState {
  id: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retryCount: number;
  retryLimit: number;
  output: unknown;
}

/**
 * Background jobs on pg-boss, in the catalog database itself (PGlite or PostgreSQL), so a job is
 * as durable as the data it is about and can be queued in the same transaction.
 *
 * @example
 *   const jobs = await startJobQueue(database, [ingestJob]);
 *   await jobs.send(ingestJob, { ingestId }, { tx });
 *   await jobs.work(ingestJob, async (data) => { … });
 */
export interface JobQueue {
  send<Data extends object>(
    kind: JobKind<Data>,
    data: Data,
    options?: { tx?: Transaction; startAfterSeconds?: number; singletonKey?: string },
  ): Promise<string | null>;
  /** Runs `handler` for each job of `kind`, one at a time per call; a throw means retry. */
  work<Data extends object>(
    kind: JobKind<Data>,
    handler: (data: Data, job: { id: string; retryCount: number }) => Promise<void>,
  ): Promise<void>;
  /** Marks jobs as failed (retried if they have tries left), e.g. tries lost with a process. */
  fail(kind: JobKind<object>, ids: string[]): Promise<void>;
  state(kind: JobKind<object>, id: string): Promise<JobState | null>;
  /** Stops taking jobs; tries in flight get `timeoutMs` to finish, then are marked failed. */
  stop(timeoutMs: number): Promise<void>;
}

export async function startJobQueue(
  database: Database,
  kinds: ReadonlyArray<JobKind<object>>,
  onError: (error: Error) => void,
  options: {
    /** How often an idle worker looks for jobs that no one in this process announced. */
    pollingIntervalSeconds?: number;
  } = {},
): Promise<JobQueue> {
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 0.5;
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema: 'pgboss',
    migrate: true,
    supervise: true,
    // No cron jobs yet: the clock monitor would only add queries.
    schedule: false,
    maintenanceIntervalSeconds: 60,
  });
  boss.on('error', onError);
  await boss.start();
  for (const kind of kinds) {
    const queue = {
      name: kind.name,
      retryLimit: kind.retryLimit,
      retryDelay: kind.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: kind.expireSeconds,
    };
    // createQueue keeps an existing queue's options; updating brings them in line with the code.
    if (await boss.getQueue(kind.name)) await boss.updateQueue(kind.name, queue);
    else await boss.createQueue(kind.name, queue);
  }

  /** This process's workers of each queue, by name. */
  const workers = new Map<string, string[]>();

  return {
    async send(kind, data, options = {}) {
      const tx = options.tx;
      const id = await boss.send(kind.name, data, {
        ...(tx ? { db: transactionDb(tx) } : {}),
        ...(options.startAfterSeconds !== undefined
          ? { startAfter: options.startAfterSeconds }
          : {}),
        ...(options.singletonKey !== undefined ? { singletonKey: options.singletonKey } : {}),
      });
      // A worker of this process fetches at once instead of at its next poll (up to half a
      // second away, a quarter on average: some 6 % of a 1M-row CSV's ingest). Its fetch waits
      // for the sender's transaction on PGlite's one session; on PostgreSQL a fetch before the
      // commit finds nothing and the worker polls as before.
      if (id !== null && options.startAfterSeconds === undefined)
        for (const worker of workers.get(kind.name) ?? []) boss.notifyWorker(worker);
      return id;
    },
    async work(kind, handler) {
      const worker = await boss.work<(typeof kind)['data'] & object>(
        kind.name,
        { pollingIntervalSeconds, batchSize: 1, includeMetadata: true },
        async ([job]) => {
          if (job) await handler(job.data as never, { id: job.id, retryCount: job.retryCount });
        },
      );
      workers.set(kind.name, [...(workers.get(kind.name) ?? []), worker]);
    },
    async fail(kind, ids) {
      if (ids.length > 0) await boss.fail(kind.name, ids);
    },
    async state(kind, id) {
      const job = await boss.getJobById(kind.name, id);
      if (!job) return null;
      return {
        id: job.id,
        state: job.state,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
        output: job.output,
      };
    },
    async stop(timeoutMs) {
      await boss.stop({ graceful: true, close: false, timeout: Math.max(timeoutMs, 1000) });
    },
  };
}

/** pg-boss's `db` option over a Kysely transaction, so a job is queued only if it commits. */
function transactionDb(tx: Transaction): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}
