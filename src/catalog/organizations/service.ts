import type { Kysely } from 'kysely';
import { normalizeEmail } from '../../accounts/index.js';
import { creationDiff, diffObjects, recordAuditEvent } from '../../audit/index.js';
import type { MembershipRole, OrganizationKind, Schema } from '../../db/index.js';
import { Conflict, Invalid, NotFound, PreconditionFailed } from '../../lib/errors.js';
import { httpUrl } from '../../lib/http-url.js';
import { slugFromTitle } from '../../lib/slug.js';
import { authorize, can, type Actor } from '../policy.js';
import { cleanTranslatable, requireTranslatable, type Translatable } from '../translatable.js';
import * as q from './queries.js';
import { reindexOrganization } from '../../search/index.js';

type TextIn = { lo?: string | null | undefined; en?: string | null | undefined };

export interface OrganizationInput {
  slug?: string | undefined;
  title?: TextIn | undefined;
  description?: TextIn | undefined;
  kind?: OrganizationKind | undefined;
  parent?: string | null | undefined;
  website?: string | null | undefined;
  contact_email?: string | null | undefined;
  contact_phone?: string | null | undefined;
  logo_url?: string | null | undefined;
  demo?: boolean | undefined;
}

/** Who did it and under which request, for the audit trail. */
export interface ChangeContext {
  actor: Actor;
  requestId?: string | undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createOrganizationService(db: Kysely<Schema>) {
  const find = (db_: Kysely<Schema>, idOrSlug: string) =>
    q.findOrganization(
      db_,
      uuidPattern.test(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug.toLowerCase() },
    );

  const get = async (db_: Kysely<Schema>, idOrSlug: string): Promise<q.OrganizationView> => {
    const row = await find(db_, idOrSlug);
    if (!row) throw new NotFound('Organization');
    return row;
  };

  const resolveParent = async (db_: Kysely<Schema>, parent: string | null, selfId?: string) => {
    if (parent === null) return null;
    const row = await find(db_, parent);
    if (!row) throw new Invalid('parent', 'no such organization');
    if (selfId !== undefined && (await q.ancestorIds(db_, row.id)).includes(selfId)) {
      throw new Invalid('parent', 'would make the organization its own ancestor');
    }
    return row.id;
  };

  const audit = (
    db_: Kysely<Schema>,
    context: ChangeContext,
    organizationId: string,
    action: string,
    diff: object,
  ) =>
    recordAuditEvent(db_, {
      actorId: context.actor.user?.id ?? null,
      entityType: 'organization',
      entityId: organizationId,
      action,
      organizationId,
      diff: diff as Record<string, { from: unknown; to: unknown }>,
      requestId: context.requestId ?? null,
    });

  return {
    get: (idOrSlug: string) => get(db, idOrSlug),

    list(
      filter: { kind?: OrganizationKind | undefined; parent?: string | undefined },
      limit: number,
      after?: string,
    ) {
      return (async () => {
        const parentId =
          filter.parent === undefined ? undefined : (await get(db, filter.parent)).id;
        return q.listOrganizations(db, { kind: filter.kind, parentId }, limit, after);
      })();
    },

    async create(
      context: ChangeContext,
      input: OrganizationInput & { title: TextIn },
    ): Promise<q.OrganizationView> {
      authorize(context.actor, can.createOrganization(context.actor));
      const title = requireTranslatable(input.title, 'title');
      return db.transaction().execute(async (tx) => {
        const values = {
          ...(await contactFields(input)),
          title_lo: title.lo,
          title_en: title.en,
          ...descriptionFields(input.description),
          kind: input.kind ?? 'other',
          parent_id: input.parent === undefined ? null : await resolveParent(tx, input.parent),
          is_demo: input.demo ?? false,
        };
        const row = await insertWithSlug(tx, input.slug, title, values);
        await audit(tx, context, row.id, 'created', creationDiff(auditable(row)));
        return get(tx, row.id);
      });
    },

    async update(
      context: ChangeContext,
      idOrSlug: string,
      input: OrganizationInput,
      expectedVersion?: number,
    ): Promise<q.OrganizationView> {
      return db.transaction().execute(async (tx) => {
        const current = await get(tx, idOrSlug);
        authorize(context.actor, can.updateOrganization(context.actor, current.id));
        if (expectedVersion !== undefined && expectedVersion !== current.version)
          throw new PreconditionFailed();
        const changes: q.OrganizationChanges = { ...(await contactFields(input)) };
        if (input.title !== undefined) {
          const title = requireTranslatable(input.title, 'title');
          changes.title_lo = title.lo;
          changes.title_en = title.en;
        }
        if (input.description !== undefined)
          Object.assign(changes, descriptionFields(input.description));
        if (input.kind !== undefined) changes.kind = input.kind;
        if (input.parent !== undefined)
          changes.parent_id = await resolveParent(tx, input.parent, current.id);
        if (input.slug !== undefined && input.slug !== current.slug) {
          if (await q.slugTaken(tx, input.slug, current.id))
            throw new Conflict('This slug is already used', 'slug');
          changes.slug = input.slug;
        }
        const row = await q.updateOrganizationAt(tx, current.id, current.version, changes);
        if (!row) throw new PreconditionFailed();
        const diff = diffObjects(auditable(current), auditable(row));
        if (Object.keys(diff).length > 0) await audit(tx, context, row.id, 'updated', diff);
        // Its names and slug are in every one of its datasets' search documents.
        if (diff.title_lo || diff.title_en || diff.slug) await reindexOrganization(tx, row.id);
        return get(tx, row.id);
      });
    },

    async remove(context: ChangeContext, idOrSlug: string): Promise<void> {
      authorize(context.actor, can.deleteOrganization(context.actor));
      await db.transaction().execute(async (tx) => {
        const current = await get(tx, idOrSlug);
        await q.updateOrganizationAt(tx, current.id, current.version, { deleted_at: new Date() });
        await audit(tx, context, current.id, 'deleted', {});
      });
    },

    async members(actor: Actor, idOrSlug: string) {
      const organization = await get(db, idOrSlug);
      authorize(actor, can.seeInside(actor, organization.id));
      return q.listMembers(db, organization.id);
    },

    async setMember(
      context: ChangeContext,
      idOrSlug: string,
      who: { email?: string | undefined; userId?: string | undefined },
      role: MembershipRole,
    ): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const organization = await get(tx, idOrSlug);
        authorize(context.actor, can.manageMembers(context.actor, organization.id));
        await q.lockOrganization(tx, organization.id);
        const userId = await resolveUser(tx, who);
        const before = await q.findMembership(tx, organization.id, userId);
        if (before?.role === role) return;
        if (before?.role === 'admin') await keepOneAdmin(tx, context.actor, organization.id);
        await q.upsertMembership(tx, organization.id, userId, role);
        await audit(tx, context, organization.id, before ? 'member_role_changed' : 'member_added', {
          [`member:${userId}`]: { from: before?.role ?? null, to: role },
        });
      });
    },

    async removeMember(context: ChangeContext, idOrSlug: string, userId: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        const organization = await get(tx, idOrSlug);
        authorize(context.actor, can.manageMembers(context.actor, organization.id));
        await q.lockOrganization(tx, organization.id);
        const before = uuidPattern.test(userId)
          ? await q.findMembership(tx, organization.id, userId)
          : undefined;
        if (!before) throw new NotFound('Member');
        if (before.role === 'admin') await keepOneAdmin(tx, context.actor, organization.id);
        await q.deleteMembership(tx, organization.id, userId);
        await audit(tx, context, organization.id, 'member_removed', {
          [`member:${userId}`]: { from: before.role, to: null },
        });
      });
    },
  };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;

/** An organization keeps an admin, unless a sysadmin (who can always step in) decides otherwise. */
async function keepOneAdmin(
  db: Kysely<Schema>,
  actor: Actor,
  organizationId: string,
): Promise<void> {
  if (actor.user?.isSysadmin) return;
  if ((await q.countAdmins(db, organizationId)) <= 1) {
    throw new Conflict(
      'An organization needs at least one admin; make someone else admin first',
      'role',
    );
  }
}

async function resolveUser(
  db: Kysely<Schema>,
  who: { email?: string | undefined; userId?: string | undefined },
) {
  if ((who.email === undefined) === (who.userId === undefined)) {
    throw new Invalid('email', 'give either email or user_id');
  }
  let query = db.selectFrom('users').select('id');
  if (who.email !== undefined) query = query.where('email', '=', normalizeEmail(who.email));
  else if (uuidPattern.test(who.userId ?? '')) query = query.where('id', '=', who.userId ?? '');
  else throw new Invalid('user_id', 'no such user');
  const row = await query.executeTakeFirst();
  if (!row) throw new Invalid(who.email !== undefined ? 'email' : 'user_id', 'no such user');
  return row.id;
}

async function insertWithSlug(
  db: Kysely<Schema>,
  given: string | undefined,
  title: Translatable,
  values: Omit<Parameters<typeof q.insertOrganization>[1], 'slug'>,
): Promise<q.OrganizationRow> {
  if (given !== undefined) {
    const row = await q.insertOrganization(db, { ...values, slug: given });
    if (!row) throw new Conflict('This slug is already used', 'slug');
    return row;
  }
  // A generated slug that is taken gets a number, as people expect from titles that repeat.
  const base = slugFromTitle(
    { en: title.en ?? undefined, lo: title.lo ?? undefined },
    'organization',
  );
  for (let n = 1; n < 100; n += 1) {
    const row = await q.insertOrganization(db, {
      ...values,
      slug: n === 1 ? base : `${base}-${n}`,
    });
    if (row) return row;
  }
  throw new Conflict('Could not find a free slug; give one', 'slug');
}

function descriptionFields(description: TextIn | undefined) {
  const text = cleanTranslatable(description ?? {}, { multiline: true });
  return { description_lo: text.lo, description_en: text.en };
}

async function contactFields(input: OrganizationInput): Promise<q.OrganizationChanges> {
  const fields: q.OrganizationChanges = {};
  if (input.website !== undefined)
    fields.website = input.website === null ? null : httpUrl(input.website, 'website');
  if (input.logo_url !== undefined)
    fields.logo_url = input.logo_url === null ? null : httpUrl(input.logo_url, 'logo_url');
  if (input.contact_email !== undefined) {
    fields.contact_email =
      input.contact_email === null ? null : normalizeEmail(input.contact_email, 'contact_email');
  }
  if (input.contact_phone !== undefined) {
    const phone = input.contact_phone?.trim() ?? null;
    if (phone !== null && !/^\+?[0-9 ()-]{5,30}$/.test(phone))
      throw new Invalid('contact_phone', 'is not a phone number');
    fields.contact_phone = phone;
  }
  return fields;
}

/** The fields whose changes the audit trail records. */
function auditable(row: q.OrganizationRow | q.OrganizationView): Record<string, unknown> {
  const {
    id: _id,
    version: _version,
    created_at: _created,
    updated_at: _updated,
    ...fields
  }: Record<string, unknown> = row;
  // The parent's slug is shown, not stored: its id in parent_id is what changes.
  const { parent_slug: _parentSlug, ...stored } = fields;
  return stored;
}
