import { sql, type Kysely } from 'kysely';
import type { StoredRevision } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import { indexVersion, type DocumentSource, type SearchDocumentRow } from './document.js';

type Db = Kysely<Schema>;

/** The table as Kysely sees it; the tsvector goes in as its literal text. */
type SearchTables = {
  search_documents: Omit<SearchDocumentRow, 'document'> & { document: string };
};

const search = (db: Db) => db.withTables<SearchTables>();

/** What the documents of these datasets are built from; deleted datasets give nothing. */
export async function loadDocumentSources(
  db: Db,
  datasetIds: readonly string[],
): Promise<DocumentSource[]> {
  if (datasetIds.length === 0) return [];
  const datasets = await db
    .selectFrom('datasets as d')
    .innerJoin('organizations as o', 'o.id', 'd.organization_id')
    .select([
      'd.id',
      'd.slug',
      'd.organization_id',
      'd.state',
      'd.published_access_level',
      'd.created_at',
      'd.current_revision',
      'd.published_revision',
      'o.slug as organization_slug',
      'o.title_lo as organization_title_lo',
      'o.title_en as organization_title_en',
    ])
    .where('d.id', 'in', datasetIds)
    .where('d.deleted_at', 'is', null)
    .execute();
  if (datasets.length === 0) return [];
  const wanted = datasets.flatMap((d) =>
    d.published_revision === null || d.published_revision === d.current_revision
      ? [[d.id, d.current_revision] as const]
      : [[d.id, d.current_revision] as const, [d.id, d.published_revision] as const],
  );
  const [revisions, themes] = await Promise.all([
    // Joined to two arrays, not `(dataset_id, number) IN (pairs)`: PostgreSQL analyses a list of
    // row values recursively, and in PGlite a few thousand pairs overflow V8's stack, an error
    // PGlite swallows, answering no rows (bench/RESULTS.md, PGLITE_OPTIMIZE).
    db
      .selectFrom(
        sql<{ dataset_id: string; number: number }>`(SELECT * FROM unnest(
          ARRAY[${sql.join(wanted.map(([id]) => id))}]::uuid[],
          ARRAY[${sql.join(wanted.map(([, number]) => number))}]::int[]) AS w (dataset_id, number))`.as(
          'wanted',
        ),
      )
      .innerJoin('dataset_revisions as r', (join) =>
        join
          .onRef('r.dataset_id', '=', 'wanted.dataset_id')
          .onRef('r.number', '=', 'wanted.number'),
      )
      .select(['r.dataset_id', 'r.number', 'r.metadata', 'r.created_at'])
      .execute(),
    db.selectFrom('themes').select(['code', 'label_lo', 'label_en']).execute(),
  ]);
  const resourceIds = [
    ...new Set(
      revisions.flatMap((r) => (r.metadata as StoredRevision).resources.map((res) => res.id)),
    ),
  ];
  const schemas =
    resourceIds.length === 0
      ? []
      : await db
          .selectFrom('resources')
          .select(['id', 'table_schema'])
          .where('id', 'in', resourceIds)
          .where('table_schema', 'is not', null)
          .execute();
  const columns = new Map(schemas.map((row) => [row.id, columnNames(row.table_schema)]));
  const themeLabels = new Map(themes.map((t) => [t.code, { lo: t.label_lo, en: t.label_en }]));
  const byDataset = new Map(datasets.map((d) => [d.id, d]));
  return revisions.flatMap((revision) => {
    const dataset = byDataset.get(revision.dataset_id);
    if (!dataset) return [];
    return [
      {
        dataset,
        revision: {
          number: revision.number,
          metadata: revision.metadata as StoredRevision,
          created_at: revision.created_at,
        },
        organization: {
          slug: dataset.organization_slug,
          title_lo: dataset.organization_title_lo,
          title_en: dataset.organization_title_en,
        },
        themeLabels,
        columns,
      },
    ];
  });
}

function columnNames(tableSchema: unknown): string[] {
  const fields = (tableSchema as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.flatMap((field: { name?: unknown; title?: { lo?: unknown; en?: unknown } }) =>
    [field.name, field.title?.lo, field.title?.en].filter(
      (text): text is string => typeof text === 'string',
    ),
  );
}

/** Puts `rows` in place of every document these datasets had. */
export async function replaceDocuments(
  db: Db,
  datasetIds: readonly string[],
  rows: readonly SearchDocumentRow[],
): Promise<void> {
  if (datasetIds.length === 0) return;
  await search(db).deleteFrom('search_documents').where('dataset_id', 'in', datasetIds).execute();
  if (rows.length === 0) return;
  await search(db)
    .insertInto('search_documents')
    .values(
      rows.map((row) => ({
        ...row,
        document: sql<string>`${row.document}::tsvector`,
      })),
    )
    .execute();
}

export async function datasetIdsOfOrganization(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('datasets')
    .select('id')
    .where('organization_id', '=', organizationId)
    .execute();
  return rows.map((row) => row.id);
}

/** Datasets whose documents are missing or were built by an older version of the indexer. */
export async function staleDatasetIds(db: Db, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT d.id FROM datasets d
    WHERE d.deleted_at IS NULL AND NOT EXISTS (
      SELECT 1 FROM search_documents s
      WHERE s.dataset_id = d.id AND s.revision = d.current_revision
        AND s.index_version = ${indexVersion})
    LIMIT ${limit}`.execute(db);
  return rows.map((row) => row.id);
}

/** Fresh planner statistics: after a bulk (re)index the old ones describe another catalog. */
export async function analyzeDocuments(db: Db): Promise<void> {
  await sql`ANALYZE search_documents`.execute(db);
}
