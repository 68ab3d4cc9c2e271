import type { Kysely } from 'kysely';
import type { Diff } from '../../audit/index.js';
import type { DatasetState, Schema } from '../../db/index.js';
import { Conflict, Invalid } from '../../lib/errors.js';
import { isValidSlug, slugFromTitle } from '../../lib/slug.js';
import { authorize, can, type Actor } from '../policy.js';
import { missingForReview, type DatasetMetadata } from './metadata.js';
import * as q from './queries.js';

export type WorkflowAction = 'submit' | 'return' | 'approve' | 'archive' | 'unarchive';

/** Which state each workflow action starts from and leads to. */
const transitions: Record<WorkflowAction, { from: DatasetState[]; to: DatasetState }> = {
  submit: { from: ['draft'], to: 'in_review' },
  return: { from: ['in_review'], to: 'draft' },
  approve: { from: ['in_review'], to: 'published' },
  archive: { from: ['published'], to: 'archived' },
  unarchive: { from: ['archived'], to: 'published' },
};

const actionPastTense: Record<WorkflowAction, string> = {
  submit: 'submitted',
  return: 'returned',
  approve: 'approved',
  archive: 'archived',
  unarchive: 'unarchived',
};

/** What the dataset row keeps of the revision it publishes: visibility and indexed facets. */
export function publishedFacets(metadata: q.StoredRevision | DatasetMetadata) {
  return {
    published_access_level: metadata.access_level,
    published_themes: metadata.themes,
    published_provinces: metadata.spatial.provinces,
    published_license: metadata.license,
  };
}

/**
 * What one workflow action changes on the dataset row, after checking who may take it and from
 * which state: editors submit; organization admins return, approve, archive and unarchive.
 */
export function workflowStep(
  actor: Actor,
  action: WorkflowAction,
  row: q.DatasetRow,
  working: q.StoredRevision,
  options: { comment?: string | undefined; now: Date },
): { changes: q.DatasetChanges; action: string; diff: Diff } {
  const allowed =
    action === 'submit'
      ? can.editDatasets(actor, row.organization_id)
      : can.reviewDatasets(actor, row.organization_id);
  authorize(actor, allowed);
  const { from, to } = transitions[action];
  if (!from.includes(row.state))
    throw new Conflict(`A dataset in state ${row.state} cannot be given "${action}"`, 'state');
  const changes: q.DatasetChanges = { state: to };
  const diff: Diff = { state: { from: row.state, to } };
  if (action === 'submit') {
    const missing = missingForReview(working);
    if (missing.length > 0)
      throw new Invalid(
        missing[0] as string,
        `is needed before review (missing: ${missing.join(', ')})`,
      );
    changes.review_comment = null;
  }
  if (action === 'return') {
    const comment = options.comment?.trim() ?? '';
    if (comment === '') throw new Invalid('comment', 'say what needs to change');
    changes.review_comment = comment.slice(0, 5000);
    diff.review_comment = { from: row.review_comment, to: changes.review_comment };
  }
  if (action === 'approve') {
    Object.assign(changes, publishedFacets(working), {
      published_revision: row.current_revision,
      published_at: options.now,
    });
    changes.review_comment = null;
    diff.published_revision = { from: row.published_revision, to: row.current_revision };
  }
  return { changes, action: actionPastTense[action], diff };
}

/**
 * Editing a published dataset starts a new draft (the public keeps the published one); being
 * in review or archived freezes it.
 */
export function assertEditable(actor: Actor, row: q.DatasetRow): void {
  authorize(actor, can.editDatasets(actor, row.organization_id));
  if (row.state === 'in_review')
    throw new Conflict('The dataset is in review; it can be edited once it is returned', 'state');
  if (row.state === 'archived')
    throw new Conflict('The dataset is archived; unarchive it before editing', 'state');
}

export function checkedSlug(slug: string): string {
  const clean = slug.trim().toLowerCase();
  if (!isValidSlug(clean))
    throw new Invalid('slug', 'use 2–100 lowercase letters, digits and single hyphens');
  return clean;
}

export async function insertWithSlug(
  db: Kysely<Schema>,
  given: string | undefined,
  title: { lo: string | null; en: string | null },
  values: Omit<Parameters<typeof q.insertDataset>[1], 'slug'>,
): Promise<q.DatasetRow> {
  if (given !== undefined) {
    const row = await q.insertDataset(db, { ...values, slug: given });
    if (!row) throw new Conflict('This slug is already used', 'slug');
    return row;
  }
  // A generated slug that is taken gets a number, as people expect from titles that repeat.
  const base = slugFromTitle({ en: title.en ?? undefined, lo: title.lo ?? undefined }, 'dataset');
  for (let n = 1; n < 100; n += 1) {
    const row = await q.insertDataset(db, { ...values, slug: n === 1 ? base : `${base}-${n}` });
    if (row) return row;
  }
  throw new Conflict('Could not find a free slug; give one', 'slug');
}
