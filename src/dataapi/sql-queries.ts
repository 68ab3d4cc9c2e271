import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';

/** The blob holding the Parquet copy an ingest left of its table, if it left one. */
export async function parquetOfIngest(
  db: Kysely<Schema>,
  ingestId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('datastore_ingests')
    .select('parquet_sha256')
    .where('id', '=', ingestId)
    .executeTakeFirst();
  return row?.parquet_sha256 ?? null;
}
