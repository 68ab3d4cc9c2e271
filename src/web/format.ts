import type { Language } from './i18n.js';

const formats = new Map<Language, Intl.DateTimeFormat>();

/**
 * A date and time as people in Laos read it: in the page's language and Vientiane time,
 * whatever the server's time zone.
 * @example formatDateTime('lo', new Date('2025-01-02T03:04:05Z')) // '2 ມ.ກ. 2025, 10:04'
 */
export function formatDateTime(lang: Language, date: Date): string {
  let format = formats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Vientiane',
    });
    formats.set(lang, format);
  }
  return format.format(date);
}

/** A wait of a few seconds or minutes, in words of the page's language ("15 minutes"). */
export function formatWait(lang: Language, seconds: number): string {
  const inMinutes = seconds >= 60;
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: inMinutes ? 'minute' : 'second',
    unitDisplay: 'long',
  }).format(Math.ceil(inMinutes ? seconds / 60 : seconds));
}
