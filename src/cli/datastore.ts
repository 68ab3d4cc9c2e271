import { Command } from 'commander';
import type { Config } from '../config.js';
import { startDatastore, type DatastoreRuntime } from '../datastore/index.js';
import { migrate, type Database } from '../db/index.js';
import { createBlobStore, type BlobStore } from '../files/index.js';
import { openConfiguredDatabase } from '../server.js';

export const print = (line: string) => process.stderr.write(`${line}\n`);
// An Error has no enumerable properties: JSON.stringify would print `{"err":{}}`.
const detailsText = (details: object) =>
  JSON.stringify(details, (_key, value: unknown) =>
    value instanceof Error ? value.message : value,
  );
export const log = {
  warn: (details: object, message: string) => print(`${message} ${detailsText(details)}`),
  error: (details: object, message: string) => print(`${message} ${detailsText(details)}`),
};

/** Runs `work` with the database, blob store and datastore of the configuration, then closes them. */
export async function withDatastore<T>(
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
