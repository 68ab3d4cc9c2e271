import { sql, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { ResourcesTable, Schema } from '../../db/index.js';
import {
  insiderCondition,
  visibleCondition,
  type StoredResource,
  type Viewer,
} from '../datasets/queries.js';

type Db = Kysely<Schema>;
export type ResourceRow = Selectable<ResourcesTable>;
export type ResourceChanges = Omit<Updateable<ResourcesTable>, 'id' | 'dataset_id' | 'created_at'>;

/** The resources of a dataset's working copy, in their order. */
export function listWorkingResources(db: Db, datasetId: string): Promise<ResourceRow[]> {
  return db
    .selectFrom('resources')
    .selectAll()
    .where('dataset_id', '=', datasetId)
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
}

export function findResource(db: Db, id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertResource(
  db: Db,
  values: Omit<ResourceRow, 'id' | 'deleted_at' | 'table_schema' | 'datastore_ingest_id'>,
): Promise<ResourceRow> {
  return db.insertInto('resources').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateResource(db: Db, id: string, changes: ResourceChanges): Promise<ResourceRow> {
  return db
    .updateTable('resources')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function nextPosition(db: Db, datasetId: string): Promise<number> {
  const row = await db
    .selectFrom('resources')
    .select((eb) => eb.fn.max('position').as('last'))
    .where('dataset_id', '=', datasetId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
}

/** Whether any resource, current or removed (old revisions still point at it), uses the blob. */
export async function blobInUse(db: Db, sha256: string): Promise<boolean> {
  const row = await db
    .selectFrom('resources')
    .select('id')
    .where('blob_sha256', '=', sha256)
    .executeTakeFirst();
  return row !== undefined;
}

/** The resource as a revision keeps it. */
export function snapshotOf(row: ResourceRow): StoredResource {
  return {
    id: row.id,
    position: row.position,
    title: { lo: row.title_lo, en: row.title_en },
    description: { lo: row.description_lo, en: row.description_en },
    url: row.url,
    blob_sha256: row.blob_sha256,
    file_name: row.file_name,
    size_bytes: row.size_bytes,
    media_type: row.media_type,
    format: row.format,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * The file of a resource as a viewer is shown it, as SQL for other modules to join on (the data
 * API looks it up on every request, in one round trip with its table). The rule is the one of
 * `find` in service.ts: the dataset is seen by insiders or is published, public and not archived
 * (deleted ones by sysadmins only); insiders are shown the working copy, everyone else the
 * published revision; the resource is the one listed in that revision. One row or none, with
 * `resource_id`, `dataset_id`, `blob_sha256` (null for a link) and `serving_ingest_id`.
 */
export function shownResourceFile(viewer: Viewer, resourceId: string): RawBuilder<ShownFile> {
  const insider = insiderCondition(viewer);
  const notDeleted = viewer.sysadmin ? sql`true` : sql`d.deleted_at IS NULL`;
  return sql<ShownFile>`(
    SELECT r.id AS resource_id, d.id AS dataset_id, shown.blob_sha256,
      r.datastore_ingest_id AS serving_ingest_id
    FROM resources r
      JOIN datasets d ON d.id = r.dataset_id
      JOIN dataset_revisions v ON v.dataset_id = d.id
        AND v.number = CASE WHEN ${insider} THEN d.current_revision ELSE d.published_revision END
      CROSS JOIN LATERAL (
        SELECT e ->> 'blob_sha256' AS blob_sha256
        FROM jsonb_array_elements(v.metadata -> 'resources') AS e
        WHERE e ->> 'id' = r.id::text LIMIT 1) AS shown
    WHERE r.id = ${resourceId} AND ${notDeleted}
      AND (${insider} OR d.published_revision IS NOT NULL)
      AND ${visibleCondition(insider)})`;
}

export interface ShownFile {
  resource_id: string;
  dataset_id: string;
  blob_sha256: string | null;
  serving_ingest_id: string | null;
}
