import type { Kysely } from 'kysely';
import { diffObjects, listAuditEvents, recordAuditEvent, type Diff } from '../../audit/index.js';
import type { Schema } from '../../db/index.js';
import { Conflict, Invalid, NotFound, PreconditionFailed } from '../../lib/errors.js';
import type { OrganizationService } from '../organizations/service.js';
import { findOrganization, type OrganizationView } from '../organizations/queries.js';
import { authorize, authorizeHidden, can, isSysadmin, viewerOf, type Actor } from '../policy.js';
import { applyMetadata, emptyMetadata, missingForReview, type MetadataInput } from './metadata.js';
import { listWorkingResources, snapshotOf } from '../resources/queries.js';
import * as q from './queries.js';
import { reindexDataset } from '../../search/index.js';
import {
  assertEditable,
  checkedSlug,
  insertWithSlug,
  publishedFacets,
  workflowStep,
  type WorkflowAction,
} from './workflow.js';

export type { WorkflowAction } from './workflow.js';

export interface ChangeContext {
  actor: Actor;
  requestId?: string | undefined;
}

export interface DatasetInput extends MetadataInput {
  slug?: string | undefined;
}

/** A dataset as one caller sees it: the working copy for insiders, the published one otherwise. */
export interface DatasetView {
  row: q.DatasetRow;
  revision: q.RevisionRow;
  organization: OrganizationView;
  /** The caller may see the organization's drafts, comments and history. */
  insider: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDatasetService(
  db: Kysely<Schema>,
  organizations: OrganizationService,
  now: () => Date = () => new Date(),
) {
  const key = (idOrSlug: string) =>
    uuidPattern.test(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug.toLowerCase() };

  const isPublic = (row: q.DatasetRow) =>
    row.published_revision !== null &&
    row.state !== 'archived' &&
    row.published_access_level === 'public';

  /** The row, or 404 for callers who may not know it exists. */
  const visibleRow = async (
    db_: Kysely<Schema>,
    actor: Actor,
    idOrSlug: string,
    options: { lock?: boolean; includeDeleted?: boolean } = {},
  ) => {
    const row = await q.findDataset(db_, key(idOrSlug), options);
    if (!row) throw new NotFound('Dataset');
    if (row.deleted_at !== null && !isSysadmin(actor)) throw new NotFound('Dataset');
    authorizeHidden(
      actor,
      isPublic(row) || can.seeInside(actor, row.organization_id),
      row.organization_id,
      'Dataset',
    );
    return row;
  };

  const view = async (
    db_: Kysely<Schema>,
    actor: Actor,
    row: q.DatasetRow,
    which: 'working' | 'published' = 'working',
  ): Promise<DatasetView> => {
    const insider = can.seeInside(actor, row.organization_id);
    const number = insider && which === 'working' ? row.current_revision : row.published_revision;
    if (number === null) throw new NotFound('Published version of this dataset');
    const revision = await q.findRevision(db_, row.id, number);
    if (!revision) throw new Error(`dataset ${row.id} lacks revision ${number}`);
    return { row, revision, organization: await publisher(db_, row), insider };
  };

  // Read through the caller's connection: inside a transaction on PGlite's single connection,
  // going through another one would wait for the transaction forever.
  const publisher = async (db_: Kysely<Schema>, row: q.DatasetRow) => {
    const organization = await findOrganization(db_, { id: row.organization_id });
    if (!organization) throw new Error(`dataset ${row.id} has no organization`);
    return organization;
  };

  const audit = (
    db_: Kysely<Schema>,
    context: ChangeContext,
    row: q.DatasetRow,
    action: string,
    diff: Diff,
  ) =>
    recordAuditEvent(db_, {
      actorId: context.actor.user?.id ?? null,
      entityType: 'dataset',
      entityId: row.id,
      action,
      organizationId: row.organization_id,
      diff,
      requestId: context.requestId ?? null,
    });

  /**
   * One change under the row lock: checks the caller's If-Match version, runs `apply`, and
   * stores a new revision when the metadata changed, all in one transaction with its audit event.
   */
  const change = (
    context: ChangeContext,
    idOrSlug: string,
    expectedVersion: number | undefined,
    apply: (
      tx: Kysely<Schema>,
      row: q.DatasetRow,
      working: q.StoredRevision,
    ) => Promise<{
      changes: q.DatasetChanges;
      metadata?: q.StoredRevision;
      action: string;
      diff: Diff;
    }>,
    options: { includeDeleted?: boolean } = {},
  ) =>
    db.transaction().execute(async (tx) => {
      const row = await visibleRow(tx, context.actor, idOrSlug, { lock: true, ...options });
      if (expectedVersion !== undefined && expectedVersion !== row.version)
        throw new PreconditionFailed();
      const working = await q.findRevision(tx, row.id, row.current_revision);
      if (!working) throw new Error(`dataset ${row.id} lacks revision ${row.current_revision}`);
      const result = await apply(tx, row, working.metadata);
      // An edit that changes nothing leaves no trace: no version, no revision, no event.
      if (
        result.metadata === undefined &&
        Object.keys(result.changes).length === 0 &&
        Object.keys(result.diff).length === 0
      )
        return view(tx, context.actor, row);
      const time = now();
      const changes: q.DatasetChanges = { ...result.changes, updated_at: time };
      if (result.metadata !== undefined) {
        const number = row.current_revision + 1;
        await q.insertRevision(tx, {
          dataset_id: row.id,
          number,
          metadata: result.metadata,
          created_by: context.actor.user?.id ?? null,
          created_at: time,
        });
        changes.current_revision = number;
      }
      const updated = await q.updateDataset(tx, row.id, changes);
      await reindexDataset(tx, row.id);
      await audit(tx, context, updated, result.action, result.diff);
      return view(tx, context.actor, updated);
    });

  return {
    async get(actor: Actor, idOrSlug: string, which: 'working' | 'published' = 'working') {
      return view(db, actor, await visibleRow(db, actor, idOrSlug), which);
    },

    async list(
      actor: Actor,
      filter: Omit<q.DatasetFilter, 'organizationId'> & { organization?: string | undefined },
      page: { limit: number; after?: { updatedAt: Date; id: string } | undefined },
    ) {
      const organizationId =
        filter.organization === undefined
          ? undefined
          : (await organizations.get(filter.organization)).id;
      return q.listDatasets(
        db,
        viewerOf(actor),
        { ...filter, organizationId },
        { ...page, count: page.after === undefined },
      );
    },

    async create(
      context: ChangeContext,
      input: DatasetInput & {
        organization: string;
        demo?: boolean | undefined;
        publish?: boolean | undefined;
      },
    ): Promise<DatasetView> {
      const organization = await organizations.get(input.organization).catch(() => {
        throw new Invalid('organization', 'no such organization');
      });
      authorize(context.actor, can.editDatasets(context.actor, organization.id));
      // Reviewers (org admins, sysadmins) may publish what they create, as harvesters need to.
      if (input.publish)
        authorize(context.actor, can.reviewDatasets(context.actor, organization.id));
      if (input.title === undefined) throw new Invalid('title', 'is required');
      if (input.description === undefined) throw new Invalid('description', 'is required');
      const metadata = applyMetadata(emptyMetadata, input, await q.vocabulary(db));
      const missing = input.publish ? missingForReview(metadata) : [];
      if (missing.length > 0)
        throw new Invalid(
          missing[0] as string,
          `is needed to publish (missing: ${missing.join(', ')})`,
        );
      const slug = input.slug === undefined ? undefined : checkedSlug(input.slug);
      return db.transaction().execute(async (tx) => {
        const time = now();
        const values = {
          organization_id: organization.id,
          created_by: context.actor.user?.id ?? null,
          is_demo: input.demo ?? false,
          created_at: time,
          updated_at: time,
        };
        const row = await insertWithSlug(tx, slug, metadata.title, values);
        const stored: q.StoredRevision = { ...metadata, resources: [] };
        await q.insertRevision(tx, {
          dataset_id: row.id,
          number: 1,
          metadata: stored,
          created_by: values.created_by,
          created_at: time,
        });
        await audit(tx, context, row, 'created', diffObjects({}, { slug: row.slug, ...metadata }));
        if (!input.publish) {
          await reindexDataset(tx, row.id);
          return view(tx, context.actor, row);
        }
        const published = await q.updateDataset(tx, row.id, {
          ...publishedFacets(metadata),
          state: 'published',
          published_revision: 1,
          published_at: time,
        });
        await reindexDataset(tx, row.id);
        await audit(tx, context, published, 'approved', {
          state: { from: 'draft', to: 'published' },
          published_revision: { from: null, to: 1 },
        });
        return view(tx, context.actor, published);
      });
    },

    update(
      context: ChangeContext,
      idOrSlug: string,
      input: DatasetInput,
      expectedVersion?: number,
    ): Promise<DatasetView> {
      return change(context, idOrSlug, expectedVersion, async (tx, row, working) => {
        assertEditable(context.actor, row);
        const { resources, ...before } = working;
        const after = applyMetadata(before, input, await q.vocabulary(tx));
        const changes: q.DatasetChanges = {};
        const diff = diffObjects(before, after);
        const metadataChanged = Object.keys(diff).length > 0;
        if (input.slug !== undefined && input.slug.toLowerCase() !== row.slug) {
          // The slug is the public address: once published, only a reviewer may move it.
          if (row.published_revision !== null)
            authorize(context.actor, can.reviewDatasets(context.actor, row.organization_id));
          const slug = checkedSlug(input.slug);
          if (await q.slugTaken(tx, slug, row.id))
            throw new Conflict('This slug is already used', 'slug');
          changes.slug = slug;
          diff.slug = { from: row.slug, to: slug };
        }
        if (metadataChanged && row.state === 'published') changes.state = 'draft';
        return {
          changes,
          ...(metadataChanged && { metadata: { ...after, resources } }),
          action: 'updated',
          diff,
        };
      });
    },

    /** 404/403/409 unless the caller may change this dataset now; before accepting an upload. */
    async checkEditable(actor: Actor, idOrSlug: string): Promise<q.DatasetRow> {
      const row = await visibleRow(db, actor, idOrSlug);
      assertEditable(actor, row);
      return row;
    },

    /**
     * A change to the dataset's resources: `edit` changes the resources table inside the
     * dataset's transaction, and the working copy gets a new revision listing them.
     */
    editResources(
      context: ChangeContext,
      idOrSlug: string,
      expectedVersion: number | undefined,
      edit: (tx: Kysely<Schema>, row: q.DatasetRow) => Promise<{ action: string; diff: Diff }>,
    ): Promise<DatasetView> {
      return change(context, idOrSlug, expectedVersion, async (tx, row, working) => {
        assertEditable(context.actor, row);
        const { action, diff } = await edit(tx, row);
        const resources = (await listWorkingResources(tx, row.id)).map(snapshotOf);
        return {
          changes: row.state === 'published' ? { state: 'draft' } : {},
          metadata: { ...working, resources },
          action,
          diff,
        };
      });
    },

    transition(
      context: ChangeContext,
      idOrSlug: string,
      action: WorkflowAction,
      options: { comment?: string | undefined; expectedVersion?: number | undefined } = {},
    ): Promise<DatasetView> {
      return change(context, idOrSlug, options.expectedVersion, async (_tx, row, working) =>
        workflowStep(context.actor, action, row, working, { comment: options.comment, now: now() }),
      );
    },

    remove(context: ChangeContext, idOrSlug: string, expectedVersion?: number) {
      return change(context, idOrSlug, expectedVersion, async (_tx, row) => {
        const neverPublished = row.published_revision === null;
        authorize(
          context.actor,
          can.reviewDatasets(context.actor, row.organization_id) ||
            (neverPublished && can.editDatasets(context.actor, row.organization_id)),
        );
        const time = now();
        return {
          changes: { deleted_at: time, deleted_by: context.actor.user?.id ?? null },
          action: 'deleted',
          diff: { deleted_at: { from: null, to: time.toISOString() } },
        };
      });
    },

    restore(context: ChangeContext, idOrSlug: string) {
      authorize(context.actor, isSysadmin(context.actor));
      return change(
        context,
        idOrSlug,
        undefined,
        async (_tx, row) => {
          if (row.deleted_at === null) throw new Conflict('The dataset is not deleted');
          return {
            changes: { deleted_at: null, deleted_by: null },
            action: 'restored',
            diff: { deleted_at: { from: row.deleted_at.toISOString(), to: null } },
          };
        },
        { includeDeleted: true },
      );
    },

    /** Every recorded change, oldest first; for those who may see inside the organization. */
    async history(actor: Actor, idOrSlug: string, limit: number, afterId?: number) {
      const row = await visibleRow(db, actor, idOrSlug);
      authorize(actor, can.seeInside(actor, row.organization_id));
      return listAuditEvents(db, { entityType: 'dataset', entityId: row.id }, limit, afterId);
    },

    /** One revision by number: any for insiders, only the published one for everyone else. */
    async revision(actor: Actor, idOrSlug: string, number: number): Promise<DatasetView> {
      const row = await visibleRow(db, actor, idOrSlug);
      const insider = can.seeInside(actor, row.organization_id);
      if (!insider && number !== row.published_revision) throw new NotFound('Revision');
      const revision = await q.findRevision(db, row.id, number);
      if (!revision) throw new NotFound('Revision');
      return { row, revision, organization: await publisher(db, row), insider };
    },
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;
