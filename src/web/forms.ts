/**
 * A text field of a submitted form, '' when absent or repeated. Page forms are read leniently
 * (no request schema): a missing field must re-render the form with a message in the page's
 * language, not answer with a generic validation error.
 */
export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** A query parameter given once as text, else undefined. */
export function queryParam(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value = (query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

const sameSite = 'http://same-site.invalid';

/**
 * `next` when it is a path on this site, else undefined. Browsers read `//host`, `/\host` and
 * paths with tabs or newlines as other sites, so only a single leading `/` followed by
 * printable, non-backslash characters passes.
 * @example safeNext('/account?tab=tokens') // '/account?tab=tokens'; safeNext('//evil.example') // undefined
 */
export function safeNext(next: string | undefined): string | undefined {
  if (!next || next.length > 2000) return undefined;
  if (!next.startsWith('/') || next.startsWith('//')) return undefined;
  if (/[\\\p{Cc}\s]/u.test(next)) return undefined;
  const parsed = URL.canParse(next, sameSite) ? new URL(next, sameSite) : undefined;
  if (parsed?.origin !== sameSite) return undefined;
  return next;
}
