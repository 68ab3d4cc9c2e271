// Regular expressions that define which cells convert, written once in the subset that both
// JavaScript and RE2 (DuckDB's regexp_full_match) read the same way: no backreferences, no
// lookarounds, no \u escapes (the no-break spaces are literal characters).
import type { ColumnDecision } from './decision.js';
import { neutralGroupMarks } from './cells.js';

const neutralClass = neutralGroupMarks;

function numberCore(decimalMark: '.' | ',', whole: boolean, exponent: boolean): string {
  const group = decimalMark === '.' ? `[,${neutralClass}]` : `[.${neutralClass}]`;
  const mark = decimalMark === '.' ? '\\.' : ',';
  const integer = `(?:[1-9]\\d{0,2}(?:${group}\\d{3})+|\\d+)`;
  if (whole) return integer;
  const fraction = `(?:${integer}(?:${mark}\\d+)?|${mark}\\d+)`;
  return exponent ? `${fraction}(?:[eE][+-]?\\d+)?` : fraction;
}

/** Whole-cell pattern for a number column (applied after trimming and Lao digit mapping). */
export function numberPattern(decimalMark: '.' | ',', whole: boolean): string {
  const core = numberCore(decimalMark, whole, decimalMark === '.');
  return `^(?:[+\u2212-]?${core}|\\(${core}\\))(?: ?%)?$`;
}

const month = '(\\d{1,2})';
const day = '(\\d{1,2})';
const year = '([1-9]\\d{3})';

/** `yyyy-mm-dd` (also with `/` or `.`): groups year, month, day. */
export const isoDatePattern = `^${year}[-/.]${month}[-/.]${day}$`;
/** `a/b/yyyy` (also with `-` or `.`): groups a, b, year. */
export const slashDatePattern = `^${day}[-/.]${month}[-/.]${year}$`;
/** Excel serial day numbers; the range 20000–60000 is checked after matching. */
export const serialPattern = '^\\d{5}$';
export const serialMin = 20000;
export const serialMax = 60000;

const clock = '([01]?\\d|2[0-3]):([0-5]\\d)(?::([0-5]\\d)(?:\\.(\\d{1,6}))?)?';
const zone = '(Z|[+-](?:[01]\\d|2[0-3])(?::?[0-5]\\d)?)';

/** `HH:MM[:SS[.ffffff]]`: groups hour, minute, second, fraction. */
export const timePattern = `^${clock}$`;
/**
 * ISO date and time without zone: groups year, month, day, hour, minute, second, fraction. The
 * time may be left out (a date alone, read as midnight): exports often drop a midnight's time.
 */
export const datetimePattern = `^${year}-${month}-${day}(?:[T ]${clock})?$`;
/** ISO date and time with `Z` or an offset: as above, then the zone. */
export const datetimeZonePattern = `^${year}-${month}-${day}[T ]${clock}${zone}$`;

/** The whole-cell pattern of a number decision. */
export function patternOfNumber(decision: ColumnDecision): string {
  const format = decision.number;
  const mark = format?.decimalMark ?? '.';
  return numberPattern(mark, decision.type === 'integer');
}

const compiled = new Map<string, RegExp>();

/** One compiled RegExp per pattern source, shared by all conversions. */
export function regexOf(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern);
    compiled.set(pattern, regex);
  }
  return regex;
}
