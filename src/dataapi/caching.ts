import { createHash } from 'node:crypto';
import type { ServedTable } from '../datastore/index.js';

/** What a client sent to revalidate a cached answer. */
export interface Conditional {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export interface Validators {
  etag: string;
  lastModified: string;
}

/**
 * An answer depends only on the table (whose version changes with every new table served), on
 * what it shows of the table's schema (titles a publisher edits without a new table being
 * served) and on the query, so all three make the ETag; who asks only decides whether they may
 * see it at all.
 */
export function validatorsOf(table: ServedTable, query: unknown): Validators {
  const shown = table.schema.fields.map((field) => [
    field.name,
    field.type,
    field.title,
    field.description ?? null,
  ]);
  const hash = createHash('sha256')
    .update(table.version)
    .update('\u0000')
    .update(JSON.stringify(shown))
    .update('\u0000')
    .update(JSON.stringify(query))
    .digest('base64url')
    .slice(0, 32);
  return { etag: `"${hash}"`, lastModified: table.modifiedAt.toUTCString() };
}

/** RFC 9110 §13.1: If-None-Match wins over If-Modified-Since; weak tags compare equal. */
export function isNotModified(
  conditional: Conditional,
  validators: Validators,
  modifiedAt: Date,
): boolean {
  if (conditional.ifNoneMatch !== undefined) {
    const tags = conditional.ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(validators.etag);
  }
  if (conditional.ifModifiedSince !== undefined) {
    const since = Date.parse(conditional.ifModifiedSince);
    // HTTP dates have whole seconds.
    return !Number.isNaN(since) && Math.floor(modifiedAt.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * Anonymous answers are public data (only published public datasets are visible to anonymous
 * callers), so shared caches may keep them; answers to a signed-in caller may hold restricted
 * data and stay in that caller's cache. Both revalidate after a minute: a new table may be served.
 */
export function cacheControlFor(signedIn: boolean): string {
  return signedIn ? 'private, max-age=0, must-revalidate' : 'public, max-age=60, must-revalidate';
}
