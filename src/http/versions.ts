import type { FastifyReply, FastifyRequest } from 'fastify';
import { Invalid } from '../lib/errors.js';

/** Editable things carry their version as a strong ETag: `"7"`. */
export function setVersionTag(reply: FastifyReply, version: number): void {
  reply.header('etag', `"${version}"`);
}

/**
 * The version an edit was based on, from `If-Match` (`"7"`, `W/"7"`); undefined when the client
 * sent none — then the edit applies to whatever is current, as in most APIs.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) throw new Invalid('If-Match', 'must be the ETag of the version you edited, e.g. "3"');
  return Number(match[1]);
}
