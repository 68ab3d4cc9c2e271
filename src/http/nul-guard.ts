import type { FastifyInstance } from 'fastify';
import { LoneSurrogate, NulCharacter } from '../lib/errors.js';

/**
 * Refuses U+0000 and lone UTF-16 surrogates anywhere in a request's path parameters, query or
 * parsed body, keys included, naming where they were. PostgreSQL text and JSON cannot hold them:
 * a NUL typed into a slug, a filter, a search or a token's name, or a `"\ud800"` in a title,
 * reached the database and came back as a 500.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const found =
      badText(request.params, []) ?? badText(request.query, []) ?? badText(request.body, []);
    if (found === undefined) return done();
    done(found.nul ? new NulCharacter(found.field) : new LoneSurrogate(found.field));
  });
}

/** The dotted path of the first string (or key) in `value` that PostgreSQL cannot store, if any. */
function badText(value: unknown, path: string[]): { field: string; nul: boolean } | undefined {
  const at = (nul: boolean) => ({ field: path.join('.') || 'request', nul });
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return at(true);
    return value.isWellFormed() ? undefined : at(false);
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = badText(key, [...path, key]);
    if (keyProblem !== undefined) return keyProblem;
    const found = badText(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
