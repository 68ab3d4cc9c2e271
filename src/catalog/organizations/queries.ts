import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
  MembershipRole,
  OrganizationKind,
  OrganizationsTable,
  Schema,
} from '../../db/index.js';

type Db = Kysely<Schema>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type OrganizationChanges = Omit<
  Updateable<OrganizationsTable>,
  'id' | 'version' | 'created_at'
>;

/** An organization with its parent's slug, as the API shows it. */
export type OrganizationView = OrganizationRow & { parent_slug: string | null };

function selectViews(db: Db) {
  return db
    .selectFrom('organizations')
    .leftJoin('organizations as parent', 'parent.id', 'organizations.parent_id')
    .selectAll('organizations')
    .select('parent.slug as parent_slug')
    .where('organizations.deleted_at', 'is', null);
}

export function findOrganization(
  db: Db,
  key: { id: string } | { slug: string },
): Promise<OrganizationView | undefined> {
  const query = selectViews(db);
  return (
    'id' in key
      ? query.where('organizations.id', '=', key.id)
      : query.where('organizations.slug', '=', key.slug)
  ).executeTakeFirst();
}

export interface OrganizationFilter {
  kind?: OrganizationKind | undefined;
  parentId?: string | undefined;
}

/** A page of organizations by slug, after `afterSlug` (keyset), with the total for the filter. */
export async function listOrganizations(
  db: Db,
  filter: OrganizationFilter,
  limit: number,
  afterSlug?: string,
): Promise<{ rows: OrganizationView[]; total: number }> {
  let page = selectViews(db).orderBy('organizations.slug').limit(limit);
  let count = db.selectFrom('organizations').where('deleted_at', 'is', null);
  if (filter.kind !== undefined) {
    page = page.where('organizations.kind', '=', filter.kind);
    count = count.where('kind', '=', filter.kind);
  }
  if (filter.parentId !== undefined) {
    page = page.where('organizations.parent_id', '=', filter.parentId);
    count = count.where('parent_id', '=', filter.parentId);
  }
  if (afterSlug !== undefined) page = page.where('organizations.slug', '>', afterSlug);
  const [rows, total] = await Promise.all([
    page.execute(),
    count.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Undefined when the slug is taken (the unique index decides). */
export function insertOrganization(
  db: Db,
  values: OrganizationChanges & { slug: string; kind: OrganizationKind },
) {
  return db
    .insertInto('organizations')
    .values(values)
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Applies `changes` only if the row is still at `version`; undefined otherwise. */
export function updateOrganizationAt(
  db: Db,
  id: string,
  version: number,
  changes: OrganizationChanges,
) {
  return db
    .updateTable('organizations')
    .set({ ...changes, updated_at: new Date(), version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function slugTaken(db: Db, slug: string, exceptId: string) {
  return db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', slug)
    .where('id', '<>', exceptId)
    .executeTakeFirst()
    .then(Boolean);
}

/** The ids from `id` up through its parents (to refuse a parent that would make a cycle). */
export async function ancestorIds(db: Db, id: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive chain(id, parent_id, depth) as (
      select id, parent_id, 0 from organizations where id = ${id}
      union all
      select o.id, o.parent_id, chain.depth + 1
      from organizations o join chain on o.id = chain.parent_id
      where chain.depth < 50
    )
    select id from chain`.execute(db);
  return result.rows.map((row) => row.id);
}

// Members

export function listMembers(db: Db, organizationId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'memberships.role',
      'memberships.created_at',
    ])
    .where('memberships.organization_id', '=', organizationId)
    .orderBy('users.email')
    .execute();
}

export function findMembership(db: Db, organizationId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function upsertMembership(
  db: Db,
  organizationId: string,
  userId: string,
  role: MembershipRole,
) {
  await db
    .insertInto('memberships')
    .values({ organization_id: organizationId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function deleteMembership(db: Db, organizationId: string, userId: string) {
  await db
    .deleteFrom('memberships')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function countAdmins(db: Db, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Serialises changes to one organization's members (e.g. two admins removing each other). */
export async function lockOrganization(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}
