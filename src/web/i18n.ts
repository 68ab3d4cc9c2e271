import { readFileSync } from 'node:fs';
import type { Language } from '../accounts/index.js';
import type englishCatalog from './i18n/en.json';
import type laoCatalog from './i18n/lo.json';

type EnglishCatalog = typeof englishCatalog;
type LaoCatalog = typeof laoCatalog;
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;
type Assert<T extends true> = T;
// A key missing from one catalog fails the type check, before any page can show a raw key.
type _CatalogsMatch = Assert<SameKeys<EnglishCatalog, LaoCatalog>>;

export type MessageKey = keyof EnglishCatalog;
export type MessageParams = Record<string, string | number>;
export type { Language };

export const languages: readonly Language[] = ['lo', 'en'];
export const defaultLanguage: Language = 'lo';

export function isLanguage(value: unknown): value is Language {
  return value === 'lo' || value === 'en';
}

// Read from beside this module, in src/ under tsx and in dist/ where the build copies i18n/.
function loadCatalog(lang: Language): Record<MessageKey, string> {
  const url = new URL(`./i18n/${lang}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<MessageKey, string>;
}

let catalogs: Record<Language, Record<MessageKey, string>> | undefined;

/**
 * The message `key` in `lang`, with `{name}` placeholders filled from `params`.
 * @example t('lo', 'error.reference', { id: 'req-1' }) // 'ເລກອ້າງອີງສຳລັບແຈ້ງບັນຫາ: req-1'
 */
export function t(lang: Language, key: MessageKey, params: MessageParams = {}): string {
  catalogs ??= { lo: loadCatalog('lo'), en: loadCatalog('en') };
  const template = catalogs[lang][key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  );
}

/** What a request says about language, strongest first. */
export interface LanguageSignals {
  query?: unknown;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}

/**
 * `?lang=`, then the language cookie, then the browser's Accept-Language; Lao when nothing
 * matches. A user's saved preference is not a signal of its own (every account starts as
 * Lao, which would override an English browser): saving it sets the cookie instead.
 */
export function negotiateLanguage(signals: LanguageSignals): Language {
  if (isLanguage(signals.query)) return signals.query;
  if (isLanguage(signals.cookie)) return signals.cookie;
  return fromAcceptLanguage(signals.acceptLanguage) ?? defaultLanguage;
}

/** The supported language the browser ranks highest (`en-GB;q=0.8, lo` → lo). */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  let best: { lang: Language; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag = '', ...parameters] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (!isLanguage(primary)) continue;
    const qParameter = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang;
}
