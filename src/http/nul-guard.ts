import type { FastifyInstance } from 'fastify';
import { NulCharacter } from '../lib/errors.js';

/**
 * Refuses U+0000 anywhere in a request's path parameters, query or parsed body, naming where it
 * was. PostgreSQL text cannot hold it: a NUL typed into a slug, a filter, a search or a token's
 * name reached the database and came back as a 500.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const field =
      nulField(request.params, []) ?? nulField(request.query, []) ?? nulField(request.body, []);
    done(field === undefined ? undefined : new NulCharacter(field));
  });
}

/** The dotted path of the first string holding U+0000 in `value`, if any. */
function nulField(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') ? path.join('.') || 'request' : undefined;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = nulField(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
