import { Invalid } from './errors.js';

/** A web address people can follow: http(s) only, so no `javascript:` or `file:` links are stored. */
export function httpUrl(value: string, field: string): string {
  try {
    const url = new URL(value.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.toString().length <= 2000)
      return url.toString();
  } catch {
    // reported below
  }
  throw new Invalid(field, 'must be an http:// or https:// address');
}
