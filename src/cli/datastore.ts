import { Command, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createAccounts, toAuthUser } from '../accounts/index.js';
import { createCatalog, loadActor } from '../catalog/index.js';
import type { Config } from '../config.js';
import { createMemoryCounterStore } from '../counters/index.js';
import {
  checkEncoding,
  ingestOnFileStored,
  isTabular,
  parseLayoutFile,
  readHead,
  startDatastore,
  type DatastoreRuntime,
} from '../datastore/index.js';
import { migrate, type Database } from '../db/index.js';
import {
  cleanFileName,
  createBlobStore,
  detectMediaType,
  mediaTypeHeadBytes,
  type BlobStore,
} from '../files/index.js';
import { AppError, Invalid } from '../lib/errors.js';
import { openConfiguredDatabase } from '../server.js';

const print = (line: string) => process.stderr.write(`${line}\n`);
// An Error has no enumerable properties: JSON.stringify would print `{"err":{}}`.
const detailsText = (details: object) =>
  JSON.stringify(details, (_key, value: unknown) =>
    value instanceof Error ? value.message : value,
  );
const log = {
  warn: (details: object, message: string) => print(`${message} ${detailsText(details)}`),
  error: (details: object, message: string) => print(`${message} ${detailsText(details)}`),
};

/** Runs `work` with the database, blob store and datastore of the configuration, then closes them. */
async function withDatastore<T>(
  config: Config,
  workers: number,
  work: (parts: { database: Database; blobs: BlobStore; runtime: DatastoreRuntime }) => Promise<T>,
): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    const blobs = await createBlobStore(config);
    try {
      const runtime = await startDatastore({
        config,
        database,
        blobs,
        workers,
        serves: false,
        log,
        now: () => new Date(),
      });
      try {
        return await work({ database, blobs, runtime });
      } finally {
        await runtime.stop();
      }
    } finally {
      await blobs.close();
    }
  } finally {
    await database.close();
  }
}

/** `khomoun worker`: ingest jobs without the web server, for scaled setups. */
export function workerCommand(getConfig: () => Config): Command {
  return new Command('worker')
    .description('run ingest jobs (files read into tables) without the web server')
    .action(async () => {
      const config = getConfig();
      await withDatastore(config, Math.max(config.ingestWorkers, 1), async () => {
        print('Khomoun worker is taking ingest jobs');
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        print('Stopping: ingests in flight finish or go back to the queue');
      });
    });
}

function sheetOption(value: string): number | string {
  if (value.trim() === '') throw new InvalidArgumentError('must be a sheet number or name');
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** `khomoun ingest FILE --dataset SLUG`: add a file to a dataset and read it into a table. */
export function ingestCommand(getConfig: () => Config): Command {
  return new Command('ingest')
    .description('add a file to a dataset as a resource and read it into a table, with progress')
    .argument('<file>', 'CSV, XLSX, XLS, ODS, JSON, GeoJSON or Parquet file')
    .requiredOption('--dataset <slug>', 'the dataset to add the file to')
    .option('--sheet <n>', 'sheet to read: 0-based number or name', sheetOption)
    .option('--encoding <name>', 'text encoding, e.g. windows-1252 or cp1133 (else detected)')
    .option('--layout <file>', 'column layout of a fixed-width file (CSV name,start,width or JSON)')
    .option('--email <email>', 'the editor adding the file (default: the first sysadmin)')
    .action(
      async (
        file: string,
        flags: {
          dataset: string;
          sheet?: number | string;
          encoding?: string;
          layout?: string;
          email?: string;
        },
      ) => {
        if (flags.encoding !== undefined) checkEncoding(flags.encoding);
        const config = getConfig();
        await withDatastore(config, 1, async ({ database, blobs, runtime }) => {
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
          const catalog = createCatalog(database.db, blobs, undefined, {
            fileStored: ingestOnFileStored(runtime.jobs, {
              ...(flags.sheet !== undefined && { sheet: flags.sheet }),
              ...(flags.encoding !== undefined && { encoding: flags.encoding }),
              ...(flags.layout !== undefined && {
                fixedWidth: await parseLayoutFile(readFileSync(flags.layout, 'utf8')),
              }),
            }),
          });
          const stored = await blobs.put(createReadStream(file), {
            maxBytes: Number.MAX_SAFE_INTEGER,
          });
          const filename = cleanFileName(basename(file));
          const type = detectMediaType(await readHead(file, mediaTypeHeadBytes), filename);
          if (!isTabular(type.mediaType) && flags.layout === undefined)
            throw new Invalid('file', `${type.format} is not a table Khomoun reads`);
          const actor = await loadActor(database.db, user);
          const view = await catalog.resources.addFile({ actor }, flags.dataset, {
            ...stored,
            ...type,
            filename,
            fields: { title: filename },
          });
          const resource = view.revision.metadata.resources.at(-1);
          if (!resource) throw new Error('the resource was not recorded');
          const ingest = await database.db
            .selectFrom('datastore_ingests')
            .select('id')
            .where('resource_id', '=', resource.id)
            .orderBy('created_at', 'desc')
            .executeTakeFirstOrThrow();
          const finished = await followIngest(database, ingest.id, stored.size);
          if (finished.state === 'failed')
            throw new AppError(422, 'INGEST_FAILED', finished.error ?? 'the ingest failed');
          process.stdout.write(`${resource.id}\n`);
          print(`Read ${finished.rows_done} rows into the table of resource ${resource.id}`);
        });
      },
    );
}

/** Draws rows, MB/s and the time left until the ingest ends; resolves with its final row. */
async function followIngest(database: Database, id: string, size: number) {
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {rows} rows | {speed} MB/s | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  const started = Date.now();
  bar.start(Math.max(size, 1), 0, { rows: 0, speed: '0.0' });
  try {
    for (;;) {
      const row = await database.db
        .selectFrom('datastore_ingests')
        .select(['state', 'rows_done', 'bytes_done', 'error', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const seconds = (Date.now() - started) / 1000;
      const bytes = row.state === 'done' ? size : Number(row.bytes_done);
      bar.update(bytes, {
        rows: Number(row.rows_done),
        speed: (bytes / 1e6 / Math.max(seconds, 0.001)).toFixed(1),
      });
      if (row.state === 'done' || (row.state === 'failed' && row.attempts > 0)) return row;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    bar.stop();
  }
}
