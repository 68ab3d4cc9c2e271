import { romanizeLao } from '../lao/index.js';

const maxLength = 80;
const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * URL-safe form of Latin text: accents dropped, lowercase, words joined by hyphens, cut at a
 * word boundary so links stay short.
 *
 * ```ts
 * slugify('Population by Province, 2015') === 'population-by-province-2015';
 * ```
 */
export function slugify(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > maxLength) return slug || word.slice(0, maxLength);
    slug = next;
  }
  return slug;
}

/** The slug for a titled thing: from its English title, else from its Lao title spelled out. */
export function slugFromTitle(
  title: { en?: string | undefined; lo?: string | undefined },
  fallback: string,
): string {
  return slugify(title.en ?? '') || slugify(romanizeLao(title.lo ?? '')) || fallback;
}

export function isValidSlug(slug: string): boolean {
  return slug.length >= 2 && slug.length <= 100 && slugPattern.test(slug);
}
