import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { buildDocument } from './document.js';
import {
  analyzeDocuments,
  datasetIdsOfOrganization,
  loadDocumentSources,
  replaceDocuments,
  staleDatasetIds,
} from './index-queries.js';

/**
 * Rebuilds the search documents of one dataset. Called by the catalog inside the transaction
 * that changes the dataset, so a search never shows a stale title or a dataset just hidden.
 */
export function reindexDataset(tx: Kysely<Schema>, datasetId: string): Promise<void> {
  return reindexDatasets(tx, [datasetId]);
}

/** The same for many datasets at once (bulk loads, rebuilds): a few queries per batch. */
export async function reindexDatasets(
  db: Kysely<Schema>,
  datasetIds: readonly string[],
): Promise<void> {
  const sources = await loadDocumentSources(db, datasetIds);
  await replaceDocuments(db, datasetIds, sources.map(buildDocument));
}

/** An organization's names are in its datasets' documents. */
export async function reindexOrganization(
  tx: Kysely<Schema>,
  organizationId: string,
): Promise<void> {
  const ids = await datasetIdsOfOrganization(tx, organizationId);
  for (let start = 0; start < ids.length; start += batchSize)
    await reindexDatasets(tx, ids.slice(start, start + batchSize));
}

const batchSize = 500;
const analyzeAfter = 1_000;

/**
 * Indexes every dataset that has no document yet, or one built by an older indexer: after the
 * migration that adds search, and after a change to the text rules. Returns how many it did.
 */
export async function indexStaleDatasets(db: Kysely<Schema>): Promise<number> {
  const tried = new Set<string>();
  for (;;) {
    // A dataset that stays stale (a revision gone missing) is tried once, not forever.
    const ids = (await staleDatasetIds(db, batchSize + tried.size)).filter((id) => !tried.has(id));
    if (ids.length === 0) {
      // Without statistics for the new documents the planner may scan the whole table.
      if (tried.size >= analyzeAfter) await analyzeDocuments(db);
      return tried.size;
    }
    await db.transaction().execute((tx) => reindexDatasets(tx, ids));
    for (const id of ids) tried.add(id);
  }
}
