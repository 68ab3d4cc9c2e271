import {
  sql,
  type Expression,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import type { AccessLevel, DatasetState, DatasetsTable, Schema } from '../../db/index.js';
import type { DatasetMetadata } from './metadata.js';

type Db = Kysely<Schema>;
export type DatasetRow = Selectable<DatasetsTable>;
export type DatasetChanges = Omit<Updateable<DatasetsTable>, 'id' | 'version' | 'created_at'>;

/** Whose working copies the caller may see: every organization's for sysadmins. */
export interface Viewer {
  sysadmin: boolean;
  organizationIds: readonly string[];
}

export interface RevisionRow {
  number: number;
  metadata: StoredRevision;
  created_by: string | null;
  created_at: Date;
}

/** What one revision stores: the description and the resources as they were. */
export interface StoredRevision extends DatasetMetadata {
  resources: StoredResource[];
}

export interface StoredResource {
  id: string;
  position: number;
  title: { lo: string | null; en: string | null };
  description: { lo: string | null; en: string | null };
  url: string | null;
  blob_sha256: string | null;
  file_name: string | null;
  size_bytes: number | null;
  media_type: string | null;
  format: string | null;
  created_at: string;
  updated_at: string;
}

/** A dataset with the revision the viewer is shown and its publisher's names. */
export interface ListedDataset extends DatasetRow {
  /** The viewer sees the working copy (and its state) of this one. */
  insider: boolean;
  shown_revision: number;
  metadata: StoredRevision;
  organization_slug: string;
  organization_title_lo: string | null;
  organization_title_en: string | null;
}

export function findDataset(
  db: Db,
  key: { id: string } | { slug: string },
  options: { includeDeleted?: boolean; lock?: boolean } = {},
): Promise<DatasetRow | undefined> {
  let query = db.selectFrom('datasets').selectAll();
  query = 'id' in key ? query.where('id', '=', key.id) : query.where('slug', '=', key.slug);
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findRevision(
  db: Db,
  datasetId: string,
  number: number,
): Promise<RevisionRow | undefined> {
  const row = await db
    .selectFrom('dataset_revisions')
    .select(['number', 'metadata', 'created_by', 'created_at'])
    .where('dataset_id', '=', datasetId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row && { ...row, metadata: row.metadata as StoredRevision };
}

/** Inserts unless the slug is taken; undefined when it was. */
export function insertDataset(
  db: Db,
  values: {
    slug: string;
    organization_id: string;
    created_by: string | null;
    is_demo: boolean;
    created_at: Date;
    updated_at: Date;
  },
): Promise<DatasetRow | undefined> {
  return db
    .insertInto('datasets')
    .values(values)
    .onConflict((conflict) => conflict.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function insertRevision(
  db: Db,
  revision: {
    dataset_id: string;
    number: number;
    metadata: StoredRevision;
    created_by: string | null;
    created_at: Date;
  },
): Promise<void> {
  await db
    .insertInto('dataset_revisions')
    .values({ ...revision, metadata: JSON.stringify(revision.metadata) })
    .execute();
}

/** Applies `changes` and moves the version on; the caller holds the row lock. */
export function updateDataset(db: Db, id: string, changes: DatasetChanges): Promise<DatasetRow> {
  return db
    .updateTable('datasets')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function slugTaken(db: Db, slug: string, exceptId: string): Promise<boolean> {
  const row = await db
    .selectFrom('datasets')
    .select('id')
    .where('slug', '=', slug)
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function vocabulary(db: Db) {
  const [themes, licences] = await Promise.all([
    db.selectFrom('themes').select('code').execute(),
    db.selectFrom('licences').select('id').execute(),
  ]);
  return {
    themes: new Set(themes.map((row) => row.code)),
    licences: new Set(licences.map((row) => row.id)),
  };
}

export interface DatasetFilter {
  organizationId?: string | undefined;
  state?: DatasetState | undefined;
  theme?: string | undefined;
  license?: string | undefined;
  province?: string | undefined;
  accessLevel?: AccessLevel | undefined;
}

/** Seen by the viewer: their organizations' datasets, and everyone's published public ones. */
export function visibleCondition(insider: Expression<SqlBool>): Expression<SqlBool> {
  return sql<SqlBool>`(${insider} OR (d.state <> 'archived' AND d.published_access_level = 'public'))`;
}

export function insiderCondition(viewer: Viewer): Expression<SqlBool> {
  if (viewer.sysadmin) return sql<SqlBool>`true`;
  if (viewer.organizationIds.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`d.organization_id IN (${sql.join(viewer.organizationIds)})`;
}

/**
 * The filter as SQL conditions. Outsiders only ever see published public datasets, whose
 * facets are copied onto the row and indexed; for callers who also see working copies the
 * conditions read the shown revision's JSON (a smaller, slower path).
 */
function filterConditions(
  viewer: Viewer,
  filter: DatasetFilter,
): { conditions: Expression<SqlBool>[]; readsRevision: boolean } {
  const insider = insiderCondition(viewer);
  const outsider = !viewer.sysadmin && viewer.organizationIds.length === 0;
  const conditions: Expression<SqlBool>[] = [
    sql<SqlBool>`d.deleted_at IS NULL`,
    visibleCondition(insider),
  ];
  if (filter.organizationId !== undefined)
    conditions.push(sql<SqlBool>`d.organization_id = ${filter.organizationId}`);
  if (filter.state !== undefined)
    conditions.push(
      sql<SqlBool>`(CASE WHEN ${insider} THEN d.state ELSE 'published' END) = ${filter.state}`,
    );
  let readsRevision = false;
  const facet = (onRow: Expression<SqlBool>, onRevision: Expression<SqlBool>) => {
    conditions.push(outsider ? onRow : onRevision);
    readsRevision ||= !outsider;
  };
  if (filter.theme !== undefined)
    facet(
      sql<SqlBool>`d.published_themes @> ARRAY[${filter.theme}]::text[]`,
      sql<SqlBool>`r.metadata -> 'themes' @> jsonb_build_array(${filter.theme}::text)`,
    );
  if (filter.province !== undefined)
    facet(
      sql<SqlBool>`d.published_provinces @> ARRAY[${filter.province}]::text[]`,
      sql<SqlBool>`r.metadata -> 'spatial' -> 'provinces' @> jsonb_build_array(${filter.province}::text)`,
    );
  if (filter.license !== undefined)
    facet(
      sql<SqlBool>`d.published_license = ${filter.license}`,
      sql<SqlBool>`r.metadata ->> 'license' = ${filter.license}`,
    );
  if (filter.accessLevel !== undefined)
    facet(
      sql<SqlBool>`d.published_access_level = ${filter.accessLevel}`,
      sql<SqlBool>`r.metadata ->> 'access_level' = ${filter.accessLevel}`,
    );
  return { conditions, readsRevision };
}

/**
 * One page, newest change first, after the keyset cursor `after`, with the total on first
 * pages. The total comes from the datasets table alone unless a filter reads revisions.
 */
export async function listDatasets(
  db: Db,
  viewer: Viewer,
  filter: DatasetFilter,
  page: { limit: number; after?: { updatedAt: Date; id: string } | undefined; count: boolean },
): Promise<{ rows: ListedDataset[]; total: number | undefined }> {
  const insider = insiderCondition(viewer);
  const { conditions, readsRevision } = filterConditions(viewer, filter);
  const where = sql.join(conditions, sql` AND `);
  let total: number | undefined;
  if (page.count) {
    const counted = readsRevision
      ? db
          .selectFrom('datasets as d')
          .innerJoin('dataset_revisions as r', (join) => join.on(shownRevision(insider)))
      : db.selectFrom('datasets as d');
    const row = await counted
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(sql<SqlBool>`${where}`)
      .executeTakeFirstOrThrow();
    total = Number(row.n);
  }
  let rows = db
    .selectFrom('datasets as d')
    .innerJoin('dataset_revisions as r', (join) => join.on(shownRevision(insider)))
    .innerJoin('organizations as o', 'o.id', 'd.organization_id')
    .where(sql<SqlBool>`${where}`)
    .selectAll('d')
    .select(sql<boolean>`${insider}`.as('insider'))
    .select([
      'r.number as shown_revision',
      'r.metadata',
      'o.slug as organization_slug',
      'o.title_lo as organization_title_lo',
      'o.title_en as organization_title_en',
    ])
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(page.limit);
  if (page.after !== undefined)
    rows = rows.where(
      sql<SqlBool>`(d.updated_at, d.id) < (${page.after.updatedAt}, ${page.after.id}::uuid)`,
    );
  return { rows: (await rows.execute()) as ListedDataset[], total };
}

/** The revision a viewer is shown: the working copy where they are an insider, else the published one. */
function shownRevision(insider: Expression<SqlBool>): Expression<SqlBool> {
  return sql<SqlBool>`r.dataset_id = d.id AND r.number = CASE WHEN ${insider} THEN d.current_revision ELSE d.published_revision END`;
}
