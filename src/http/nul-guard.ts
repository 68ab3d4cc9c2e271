import type { FastifyInstance } from 'fastify';
import { LoneSurrogate, NestedTooDeeply, NulCharacter } from '../lib/errors.js';

/**
 * How deep a request's JSON may nest. The deepest real request, a GeometryCollection of
 * MultiPolygons in a dataset's spatial coverage, is about a dozen levels; without a bound, a body
 * of a few kilobytes of `[[[[…` overflowed the stack of the walk below and came back as a 500.
 */
const maxDepth = 64;

/**
 * Refuses U+0000 and lone UTF-16 surrogates anywhere in a request's path parameters, query or
 * parsed body, keys included, naming where they were. PostgreSQL text and JSON cannot hold them:
 * a NUL typed into a slug, a filter, a search or a token's name, or a `"\ud800"` in a title,
 * reached the database and came back as a 500. Values nested past `maxDepth` are refused too.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const found =
      badText(request.params, []) ?? badText(request.query, []) ?? badText(request.body, []);
    if (found === undefined) return done();
    if (found.problem === 'depth') return done(new NestedTooDeeply(found.field, maxDepth));
    done(found.problem === 'nul' ? new NulCharacter(found.field) : new LoneSurrogate(found.field));
  });
}

type Problem = 'nul' | 'surrogate' | 'depth';

/** The dotted path of the first string (or key) in `value` that PostgreSQL cannot store, if any. */
function badText(value: unknown, path: string[]): { field: string; problem: Problem } | undefined {
  const at = (problem: Problem) => ({ field: path.join('.') || 'request', problem });
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return at('nul');
    return value.isWellFormed() ? undefined : at('surrogate');
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  // Named by the top-level field: the whole path would be the 64 keys (`0.0.0…`) of the nesting.
  if (path.length >= maxDepth) return { field: path[0] ?? 'request', problem: 'depth' as const };
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = badText(key, [...path, key]);
    if (keyProblem !== undefined) return keyProblem;
    const found = badText(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
