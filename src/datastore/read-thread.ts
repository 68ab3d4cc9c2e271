import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { AppError } from '../lib/errors.js';
import type { IngestProgress } from './convert-file.js';
import { UnreadableSource } from './readers/errors.js';
import { readRows, spoolRows, type ReadTask, type TableRead } from './read-rows.js';

/** What the read thread is asked: the first read, or a second one that only spools. */
type ThreadJob =
  { kind: 'read'; task: ReadTask } | { kind: 'spool'; task: ReadTask; width: number };

type ThreadMessage =
  | { kind: 'progress'; progress: IngestProgress }
  | { kind: 'read'; result: TableRead }
  | { kind: 'spooled'; longestLineBytes: number }
  | { kind: 'failed'; message: string; unreadable: boolean };

/**
 * Semi-space of the read thread's young generation, in MiB, set as a V8 flag, which is read when
 * a thread's heap is made (a process-wide flag of the same kind wins over a thread's
 * resourceLimits). 16 rather than 32: the ingest process peaked 30–40 MiB lower reading a
 * 256 MiB CSV, and took no more CPU time (4 runs of each, alternated: 11.5 s against 12.0 s).
 */
const readNurseryMiB = 16;

/** Marks this module's own threads, so that importing it elsewhere in a worker starts nothing. */
const threadMark = 'khomoun-read-thread';

/**
 * The reading in JavaScript makes millions of short-lived cell strings, and V8 keeps the young
 * generation it grew for them committed until the heap goes: 64 MiB of the ingest process that
 * no gc() gave back, held through DuckDB's steps, its peak. A thread's heap goes when it ends:
 * read there, the process enters DuckDB's steps without it.
 */
export function readInThread(
  task: ReadTask,
  onProgress: (progress: IngestProgress) => void,
): Promise<TableRead> {
  return runThread({ kind: 'read', task }, onProgress).then((message) => {
    if (message.kind !== 'read') throw new Error(`the read thread answered ${message.kind}`);
    return message.result;
  });
}

/** spoolRows in a thread of its own, for the same reason as readInThread. */
export function spoolInThread(task: ReadTask, width: number): Promise<number> {
  return runThread({ kind: 'spool', task, width }, () => undefined).then((message) => {
    if (message.kind !== 'spooled') throw new Error(`the read thread answered ${message.kind}`);
    return message.longestLineBytes;
  });
}

function runThread(
  job: ThreadJob,
  onProgress: (progress: IngestProgress) => void,
): Promise<ThreadMessage> {
  setFlagsFromString(`--max-semi-space-size=${readNurseryMiB}`);
  const [entry, evaluated] = threadEntry();
  const thread = new Worker(entry, { ...evaluated, workerData: { mark: threadMark, job } });
  return new Promise<ThreadMessage>((resolve, reject) => {
    let answer: ThreadMessage | undefined;
    thread.on('message', (message: ThreadMessage) => {
      if (message.kind === 'progress') onProgress(message.progress);
      else answer = message;
    });
    thread.on('error', (error: Error & { code?: string }) => {
      answer ??= {
        kind: 'failed',
        message:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? 'Reading the file needs more memory than an ingest may use: the JavaScript heap ran out.'
            : error.message,
        unreadable: error.code === 'ERR_WORKER_OUT_OF_MEMORY',
      };
    });
    // Only once the thread has ended is its heap gone: DuckDB's steps start after this.
    thread.on('exit', (code) => {
      if (answer === undefined) reject(new Error(`the read thread stopped (exit code ${code})`));
      else if (answer.kind !== 'failed') resolve(answer);
      else
        reject(
          answer.unreadable ? new UnreadableSource(answer.message) : new Error(answer.message),
        );
    });
  });
}

/**
 * This module as a thread's entry: built (dist/), or as source under tsx (tests), whose loader a
 * thread does not inherit: it registers it first.
 */
function threadEntry(): [string, { eval?: boolean }] {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return [fileURLToPath(self), {}];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return [
    `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`,
    { eval: true },
  ];
}

async function serveThread(job: ThreadJob): Promise<void> {
  const port = parentPort!;
  try {
    if (job.kind === 'spool') {
      const longestLineBytes = await spoolRows(job.task, job.width);
      port.postMessage({ kind: 'spooled', longestLineBytes } satisfies ThreadMessage);
      return;
    }
    let lastSent = 0;
    const result = await readRows(job.task, (progress) => {
      const now = Date.now();
      if (now - lastSent < 100) return;
      lastSent = now;
      port.postMessage({ kind: 'progress', progress } satisfies ThreadMessage);
    });
    port.postMessage({ kind: 'read', result } satisfies ThreadMessage);
  } catch (error) {
    port.postMessage({
      kind: 'failed',
      message: error instanceof Error ? error.message : String(error),
      unreadable: error instanceof AppError,
    } satisfies ThreadMessage);
  }
}

const data = workerData as { mark?: string; job?: ThreadJob } | null;
if (!isMainThread && data?.mark === threadMark && data.job) await serveThread(data.job);
