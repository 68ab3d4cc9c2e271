import type { Static } from 'typebox';
import type { AuditEventRow } from '../../audit/index.js';
import { Invalid } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import type { Translatable } from '../translatable.js';
import type { ListedDataset, StoredResource } from './queries.js';
import type {
  DatasetSchema,
  DatasetSummarySchema,
  HistorySchema,
  ResourceSchema,
} from './schemas.js';
import type { DatasetView } from './service.js';

export function presentDataset(view: DatasetView): Static<typeof DatasetSchema> {
  const { row, revision, organization, insider } = view;
  const { resources, ...metadata } = revision.metadata;
  const html = (text: string | null) => (text === null ? null : renderMarkdown(text));
  return {
    id: row.id,
    slug: row.slug,
    organization: {
      id: organization.id,
      slug: organization.slug,
      title: { lo: organization.title_lo, en: organization.title_en },
    },
    // Outsiders only ever see a published revision, whatever is happening to the working copy.
    state: insider ? row.state : 'published',
    ...metadata,
    description_html: { lo: html(metadata.description.lo), en: html(metadata.description.en) },
    resources: resources.map((resource) => presentResource(resource)),
    revision: revision.number,
    published_revision: row.published_revision,
    current_revision: insider ? row.current_revision : null,
    has_unpublished_changes: insider && row.current_revision !== row.published_revision,
    review_comment: insider ? row.review_comment : null,
    demo: row.is_demo,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    published_at: row.published_at?.toISOString() ?? null,
  };
}

export function presentDatasetSummary(row: ListedDataset): Static<typeof DatasetSummarySchema> {
  const insider = row.insider;
  const metadata = row.metadata;
  return {
    id: row.id,
    slug: row.slug,
    organization: {
      id: row.organization_id,
      slug: row.organization_slug,
      title: { lo: row.organization_title_lo, en: row.organization_title_en },
    },
    state: insider ? row.state : 'published',
    title: metadata.title,
    description: excerpt(metadata.description),
    themes: metadata.themes,
    license: metadata.license,
    access_level: metadata.access_level,
    resource_count: metadata.resources.length,
    demo: row.is_demo,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    published_at: row.published_at?.toISOString() ?? null,
  };
}

export function presentResource(resource: StoredResource): Static<typeof ResourceSchema> {
  return {
    id: resource.id,
    position: resource.position,
    title: resource.title,
    description: resource.description,
    kind: resource.blob_sha256 === null ? 'link' : 'file',
    url: resource.url ?? `/api/v1/resources/${resource.id}/download`,
    file_name: resource.file_name,
    size_bytes: resource.size_bytes,
    sha256: resource.blob_sha256,
    media_type: resource.media_type,
    format: resource.format,
    created_at: resource.created_at,
    updated_at: resource.updated_at,
  };
}

export function presentHistory(
  events: AuditEventRow[],
  limit: number,
): Static<typeof HistorySchema> {
  const page = events.slice(0, limit);
  return {
    items: page.map((event) => ({
      id: event.id,
      at: event.at.toISOString(),
      actor_id: event.actor_id,
      action: event.action,
      diff: event.diff,
    })),
    next: events.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

const excerptLength = 300;

function excerpt(text: Translatable): Translatable {
  const cut = (value: string | null) =>
    value === null || value.length <= excerptLength
      ? value
      : `${value.slice(0, excerptLength).replace(/\s+\S*$/, '')}…`;
  return { lo: cut(text.lo), en: cut(text.en) };
}

/** Keyset cursor of a list page: the last row's change time and id. */
export function encodeCursor(row: { updated_at: Date; id: string }): string {
  return Buffer.from(`${row.updated_at.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const updatedAt = new Date(time ?? '');
  if (Number.isNaN(updatedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? ''))
    throw new Invalid('after', 'is not a cursor this API gave out');
  return { updatedAt, id: id as string };
}
