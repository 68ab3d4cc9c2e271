// `khomoun ingest FILE --dataset SLUG`: one file read into a table, in this process, with progress.
import { Command, InvalidArgumentError } from 'commander';
import { constants as osConstants } from 'node:os';
import { basename, join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { createAccounts, toAuthUser } from '../accounts/index.js';
import { createCatalog, loadActor } from '../catalog/index.js';
import type { Config } from '../config.js';
import { createMemoryCounterStore } from '../counters/index.js';
import {
  cancelIngest,
  checkEncoding,
  claimIngestOnFileStored,
  isTabular,
  runIngestHere,
  type IngestOptions,
  type IngestRow,
} from '../datastore/index.js';
import { cleanFileName, detectMediaType, type BlobStore, type StoredBlob } from '../files/index.js';
import { AppError, Invalid, NotFound } from '../lib/errors.js';
import { openLocalFile, readLayout, type LocalFile } from './local-file.js';
import { ProgressView } from './progress.js';
import { log, print, withDatastore } from './datastore.js';

function sheetOption(value: string): number | string {
  if (value.trim() === '') throw new InvalidArgumentError('must be a sheet number or name');
  if (/^-\d+$/.test(value)) throw new InvalidArgumentError('sheet numbers start at 0');
  return /^\d+$/.test(value) ? Number(value) : value;
}

function encodingOption(value: string): string {
  try {
    checkEncoding(value);
  } catch (error) {
    // Commander prints it as wrong usage (exit 2), as it does every other bad flag value.
    if (error instanceof Invalid) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return value;
}

/**
 * The user stopped the command with SIGINT (Ctrl-C) or SIGTERM; the process exits with 128 plus
 * the signal's number, as a shell reports a process the signal killed.
 */
export class Interrupted extends Error {
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, message: string) {
    super(message);
    this.name = 'Interrupted';
    this.exitCode = 128 + osConstants.signals[signal];
  }
}

interface IngestFlags {
  dataset?: string;
  sheet?: number | string;
  encoding?: string;
  layout?: string;
  email?: string;
}

/** `khomoun ingest FILE --dataset SLUG`: add a file to a dataset and read it into a table. */
export function ingestCommand(getConfig: () => Config): Command {
  return new Command('ingest')
    .description('add a file to a dataset as a resource and read it into a table, with progress')
    .argument('<file>', 'CSV, XLSX, XLS, ODS, JSON, GeoJSON or Parquet file')
    .option('--dataset <slug>', 'the dataset to add the file to (required)')
    .option('--sheet <n>', 'sheet of a workbook to read: 0-based number or name', sheetOption)
    .option(
      '--encoding <name>',
      'text encoding, e.g. windows-1252 or cp1133 (else detected)',
      encodingOption,
    )
    .option('--layout <file>', 'column layout of a fixed-width file (CSV name,start,width or JSON)')
    .option('--email <email>', 'the editor adding the file (default: the first sysadmin)')
    .action(async (file: string, flags: IngestFlags, command: Command) => {
      // Checked here, not by Commander, which asks for a missing option before a missing FILE.
      const dataset = flags.dataset;
      if (dataset === undefined)
        command.error("error: required option '--dataset <slug>' not specified", {
          exitCode: 2,
        });
      const usageError = (message: string): never =>
        command.error(`error: ${message}`, { exitCode: 2 });
      const config = getConfig();
      const progress = new ProgressView(process.stderr);
      const stop = cancelOnSignals(() => {
        progress.stop();
        print('Cancelling the ingest…');
      });
      try {
        await ingestOne(config, { ...flags, file, dataset }, stop.signal, progress, usageError);
      } finally {
        progress.stop();
        stop.dispose();
      }
    });
}

/**
 * Aborts the returned signal on the first SIGINT or SIGTERM, with the signal's name as reason; a
 * second one ends the process at once (what is left is found by the sweep of lost ingests).
 */
function cancelOnSignals(onCancel: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      print('khomoun: stopped at once, without cleaning up');
      process.exit(128 + osConstants.signals[signal]);
    }
    onCancel();
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function cancelled(signal: AbortSignal, message: string): Interrupted {
  return new Interrupted(signal.reason as NodeJS.Signals, message);
}

const workbookTypes = new Set([
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-excel',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

/**
 * Everything that can be checked without the database is checked first (the file, its format
 * from its first bytes, the layout), and nothing is stored until it has passed. The ingest then
 * runs here, in this process, and no other: it is never put on the job queue, and no queue
 * worker starts here (`workers` 0), so other ingests waiting there are left to the servers.
 */
async function ingestOne(
  config: Config,
  flags: IngestFlags & { file: string; dataset: string },
  signal: AbortSignal,
  progress: ProgressView,
  usageError: (message: string) => never,
): Promise<void> {
  const { file, dataset } = flags;
  const local = await openLocalFile(file, config.uploadMaxBytes);
  try {
    const options: IngestOptions = {
      ...(flags.sheet !== undefined && { sheet: flags.sheet }),
      ...(flags.encoding !== undefined && { encoding: flags.encoding }),
      ...(flags.layout !== undefined && { fixedWidth: await readLayout(flags.layout) }),
    };
    const filename = cleanFileName(basename(file));
    const type = detectMediaType(local.head, filename);
    if (!isTabular(type.mediaType) && options.fixedWidth === undefined)
      throw new Invalid('file', `${type.format} is not a table Khomoun reads`);
    if (flags.sheet !== undefined && !workbookTypes.has(type.mediaType))
      usageError(`--sheet picks a sheet of a workbook (XLSX, XLS, ODS); ${file} is ${type.format}`);
    if (signal.aborted) throw cancelled(signal, 'cancelled; nothing was added');

    await withDatastore(config, 0, async ({ database, blobs, runtime }) => {
      const accounts = createAccounts({
        db: database.db,
        counters: createMemoryCounterStore(),
        sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
        tokenCacheSeconds: 0,
      });
      const user = flags.email
        ? toAuthUser(await accounts.users.getUserByEmail(flags.email))
        : await accounts.users.firstSysadmin();
      await accounts.close();
      if (!user) throw new Invalid('email', 'no such user');
      const actor = await loadActor(database.db, user);
      const now = () => new Date();
      let claimed: IngestRow | undefined;
      const catalog = createCatalog(database.db, blobs, undefined, {
        fileStored: claimIngestOnFileStored(options, now, (ingest) => (claimed = ingest)),
      });
      // Before copying what may be gigabytes: the dataset exists and this user may add to it.
      await catalog.datasets.checkEditable(actor, dataset).catch((error: unknown) => {
        throw error instanceof NotFound ? new NotFound(`Dataset "${dataset}"`) : error;
      });

      const stored = await storeFile(blobs, local, config.uploadMaxBytes, signal, progress);
      if (signal.aborted) {
        if (stored.created) await blobs.delete(stored.sha256);
        throw cancelled(signal, 'cancelled; nothing was added');
      }
      await catalog.resources.addFile({ actor }, dataset, {
        ...stored,
        ...type,
        filename,
        fields: { title: filename },
      });
      if (!claimed) throw new Error('the ingest of the file was not recorded');
      const ingest = claimed;
      const undo = async () => {
        await catalog.resources
          .remove({ actor }, dataset, ingest.resource_id)
          .catch((error: unknown) =>
            print(
              `khomoun: the resource ${ingest.resource_id} could not be removed again: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
      };

      // Cancelled while the resource was being recorded: its ingest never starts.
      const finished = signal.aborted
        ? undefined
        : await runHere(
            {
              db: database.db,
              jobs: runtime.jobs,
              blobs,
              workDir: join(config.dataDir, 'tmp', 'ingest'),
              now,
              soleWorker: database.engine === 'pglite',
              // The failure is this command's own message; the worker's log line would repeat it.
              log: { ...log, warn: () => undefined },
            },
            ingest,
            stored.size,
            signal,
            progress,
          );
      if (finished === 'taken over')
        throw new AppError(
          409,
          'INGEST_TAKEN_OVER',
          `this process went silent for too long (was it suspended?), so the ingest went back to the queue; a server or worker will finish it (resource ${ingest.resource_id})`,
        );
      if (finished === undefined || (finished.state !== 'done' && signal.aborted)) {
        await cancelIngest({ db: database.db, now }, ingest, 'cancelled by the user');
        await undo();
        throw cancelled(signal, `cancelled; ${file} was not added to ${dataset}`);
      }
      if (finished.state !== 'done') {
        await undo();
        throw new AppError(
          422,
          'INGEST_FAILED',
          `${finished.error ?? 'the ingest failed'} (${file} was not added to ${dataset})`,
        );
      }
      process.stdout.write(`${ingest.resource_id}\n`);
      const rows = Number(finished.rows_done);
      print(
        `Read ${rows} ${rows === 1 ? 'row' : 'rows'} into the table of resource ${ingest.resource_id}`,
      );
    });
  } finally {
    await local.handle.close();
  }
}

/** Copies the file into the blob store with progress; the upload limit applies, as to uploads. */
async function storeFile(
  blobs: BlobStore,
  local: LocalFile,
  maxBytes: number,
  signal: AbortSignal,
  progress: ProgressView,
): Promise<StoredBlob> {
  const source = addAbortSignal(
    signal,
    local.handle.createReadStream({ start: 0, autoClose: false }),
  );
  let bytes = 0;
  async function* counted(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      progress.update(bytes);
      yield chunk;
    }
  }
  progress.start('Copying', local.size);
  try {
    return await blobs.put(Readable.from(counted(source), { objectMode: false }), { maxBytes });
  } catch (error) {
    if (signal.aborted) throw cancelled(signal, 'cancelled; nothing was added');
    throw error;
  } finally {
    progress.stop();
  }
}

type FinishedIngest = Pick<IngestRow, 'state' | 'rows_done' | 'error'>;

/**
 * Runs the claimed ingest here while drawing its progress from its row. Stops it when `signal`
 * aborts, or when another process has taken it over (this one was silent for so long, a laptop
 * gone to sleep, that the sweep of lost ingests queued it again); then its row is left alone.
 */
async function runHere(
  deps: Parameters<typeof runIngestHere>[0],
  ingest: IngestRow,
  size: number,
  signal: AbortSignal,
  progress: ProgressView,
): Promise<FinishedIngest | 'taken over'> {
  const stopping = new AbortController();
  const onCancel = () => stopping.abort();
  signal.addEventListener('abort', onCancel, { once: true });
  let takenOver = false;
  const row = () =>
    deps.db
      .selectFrom('datastore_ingests')
      .select(['state', 'rows_done', 'bytes_done', 'error', 'attempts'])
      .where('id', '=', ingest.id)
      .executeTakeFirstOrThrow();
  try {
    if (signal.aborted) stopping.abort();
    progress.start('Reading', Math.max(size, 1), 0);
    let running = true;
    // The same signal stops the ingest's reading process (ingestFile).
    const run = runIngestHere(
      { ...deps, signal: stopping.signal },
      ingest,
      stopping.signal,
    ).finally(() => (running = false));
    while (running) {
      await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 250))]);
      if (!running) break;
      const now = await row();
      // Finished rows are this run's own: it records its end before it returns.
      if (now.state === 'queued' || now.attempts !== ingest.attempts) {
        takenOver = true;
        stopping.abort();
      }
      progress.update(Number(now.bytes_done), Number(now.rows_done));
    }
    await run;
    if (takenOver) return 'taken over';
    const final = await row();
    if (final.state === 'done') progress.update(size, Number(final.rows_done));
    return final;
  } finally {
    progress.stop();
    signal.removeEventListener('abort', onCancel);
  }
}
