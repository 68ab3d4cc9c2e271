// Character-level reading of one cell, shared by the profiler (fast scan) and the JS conversion.
// Everything here must accept exactly what the regular expressions in patterns.ts accept.

const laoZero = 0x0ed0;
const laoNine = 0x0ed9;

/** Null markers, compared after trimming and lowercasing. */
export const nullMarkers: readonly string[] = [
  '',
  '-',
  '–',
  '—',
  '..',
  '...',
  'n/a',
  'na',
  'n.a.',
  'null',
  'none',
  '#n/a',
];
const nullMarkerSet = new Set(nullMarkers);
const longestNullMarker = 4;
// Most cells are ruled out by their first character, before any lowercase copy is made.
const nullMarkerStarts = new Set(
  nullMarkers.flatMap((marker) =>
    marker === '' ? [] : [marker.charCodeAt(0), marker.toUpperCase().charCodeAt(0)],
  ),
);

/** Characters trimmed from both ends of every cell: ASCII blanks and the no-break spaces. */
export const trimmedChars = ' \t\n\r\u00a0\u202f';

function isTrimmed(code: number): boolean {
  return (
    code === 32 || code === 9 || code === 10 || code === 13 || code === 0xa0 || code === 0x202f
  );
}

/** The cell without surrounding blanks; returns the same string when there are none. */
export function trimCell(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isTrimmed(value.charCodeAt(start))) start += 1;
  while (end > start && isTrimmed(value.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Whether a trimmed cell is a null marker (`''`, `-`, `N/A`, `null`, ...). */
export function isNullMarker(trimmed: string): boolean {
  if (trimmed.length === 0) return true;
  if (trimmed.length > longestNullMarker || !nullMarkerStarts.has(trimmed.charCodeAt(0)))
    return false;
  return nullMarkerSet.has(trimmed.toLowerCase());
}

/** The digit 0–9 of an ASCII or Lao digit, else -1. */
export function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= laoZero && code <= laoNine) return code - laoZero;
  return -1;
}

/** Lao digits ໐–໙ written as ASCII digits; other characters unchanged. */
export function asciiDigits(value: string): string {
  if (!hasLaoDigit(value)) return value;
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    out += code >= laoZero && code <= laoNine ? String.fromCharCode(code - laoZero + 48) : char;
  }
  return out;
}

/** Thousands marks that never mean a decimal point: spaces and apostrophes. */
export const neutralGroupMarks = " \u00a0\u202f'\u2019";

function isNeutralMark(code: number): boolean {
  return code === 32 || code === 0xa0 || code === 0x202f || code === 39 || code === 0x2019;
}

/** What one scan of a number-like cell found; reused between calls to avoid allocation. */
export interface NumberScan {
  /** Reads as a number with `.` as decimal mark (`,` and spaces group thousands). */
  dot: boolean;
  /** Reads as a number with `,` as decimal mark (`.` and spaces group thousands). */
  comma: boolean;
  /** The only mark is one `.` or `,` followed by exactly three digits (`1.234`, `12,500`). */
  ambiguous: boolean;
  digits: number;
  /** Digits after the decimal mark under each reading. */
  dotScale: number;
  commaScale: number;
  leadingZero: boolean;
  percent: boolean;
  exponent: boolean;
  /** The value when it is a plain whole number of five digits (Excel serial candidates). */
  plainValue: number;
}

export function emptyNumberScan(): NumberScan {
  return {
    dot: false,
    comma: false,
    ambiguous: false,
    digits: 0,
    dotScale: 0,
    commaScale: 0,
    leadingZero: false,
    percent: false,
    exponent: false,
    plainValue: -1,
  };
}

/**
 * Reads a trimmed cell as a number under both conventions at once, with charCode checks only.
 * Returns false when neither reading fits. Grammar: optional sign or parentheses, digit groups,
 * optional decimal part, optional exponent (dot convention only), optional ` %`.
 */
export function scanNumber(s: string, out: NumberScan): boolean {
  let end = s.length;
  let i = 0;
  out.percent = false;
  if (end > 0 && s.charCodeAt(end - 1) === 37) {
    out.percent = true;
    end -= 1;
    if (end > 0 && s.charCodeAt(end - 1) === 32) end -= 1;
  }
  if (end === 0) return false;
  let code = s.charCodeAt(0);
  let signed = false;
  if (code === 40) {
    if (end < 3 || s.charCodeAt(end - 1) !== 41) return false;
    i = 1;
    end -= 1;
    signed = true;
  } else if (code === 43 || code === 45 || code === 0x2212) {
    i = 1;
    signed = true;
  }
  let digits = 0;
  let groups = 0;
  let groupLength = 0;
  let firstLength = 0;
  let firstZero = false;
  let middleThree = true;
  let dots = 0;
  let commas = 0;
  let neutral = 0;
  let afterDot = false;
  let afterComma = false;
  let exponent = false;
  let value = 0;
  for (; i < end; i += 1) {
    code = s.charCodeAt(i);
    const digit = digitValue(code);
    if (digit >= 0) {
      if (groups === 0 && groupLength === 0 && digit === 0) firstZero = true;
      digits += 1;
      groupLength += 1;
      value = value * 10 + digit;
      continue;
    }
    const isDot = code === 46;
    const isComma = code === 44;
    if (isDot || isComma || isNeutralMark(code)) {
      // Only the decimal mark may open a number (`.5`); marks never stand side by side.
      if (groupLength === 0 && (groups > 0 || !(isDot || isComma))) return false;
      if (groups === 0) firstLength = groupLength;
      else if (groupLength !== 3) middleThree = false;
      if (dots > 0) afterDot = true;
      if (commas > 0) afterComma = true;
      if (isDot) dots += 1;
      else if (isComma) commas += 1;
      else neutral += 1;
      groups += 1;
      groupLength = 0;
      continue;
    }
    if ((code === 101 || code === 69) && groupLength > 0) {
      i += 1;
      code = s.charCodeAt(i);
      if (code === 43 || code === 45) i += 1;
      if (i >= end) return false;
      for (; i < end; i += 1) if (digitValue(s.charCodeAt(i)) < 0) return false;
      exponent = true;
      break;
    }
    return false;
  }
  if (groupLength === 0) return false;
  if (groups === 0) firstLength = groupLength;
  const lastLength = groupLength;
  const groupedOk = firstLength >= 1 && firstLength <= 3 && !firstZero && middleThree;
  // Dot reading: at most one '.', nothing after it, the rest are thousands groups.
  let dot = !afterDot && dots <= 1;
  if (dot && commas + neutral > 0) dot = groupedOk && (dots === 1 || lastLength === 3);
  let comma = !afterComma && commas <= 1 && !exponent;
  if (comma && dots + neutral > 0) comma = groupedOk && (commas === 1 || lastLength === 3);
  if (!dot && !comma) return false;
  out.dot = dot;
  out.comma = comma;
  out.ambiguous =
    dot && comma && neutral === 0 && dots + commas === 1 && lastLength === 3 && !exponent;
  out.digits = digits;
  out.dotScale = dots === 1 ? lastLength : 0;
  out.commaScale = commas === 1 ? lastLength : 0;
  out.leadingZero = firstZero && firstLength >= 2;
  out.exponent = exponent;
  out.plainValue =
    groups === 0 && !signed && !exponent && !out.percent && digits === 5 ? value : -1;
  return true;
}

/** Days in a month of the proleptic Gregorian calendar, as DuckDB counts them. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The plain `-123.45` form of a number cell that matched its pattern. */
export function canonicalNumber(s: string, decimalMark: '.' | ','): string {
  let out = s.startsWith('(') ? '-' : '';
  for (const char of s) {
    if (char >= '0' && char <= '9') out += char;
    else if (char === decimalMark) out += '.';
    else if (char === '-' || char === '\u2212') out += '-';
    else if (char === 'e' || char === 'E' || char === '+') out += char;
  }
  return out;
}

/** Whether a number cell with an exponent stays within DOUBLE's range (`1e400` does not). */
export function finiteNumber(s: string): boolean {
  return Number.isFinite(Number(canonicalNumber(asciiDigits(s), '.')));
}

export function hasLaoDigit(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) {
    const code = s.charCodeAt(i);
    if (code >= laoZero && code <= laoNine) return true;
  }
  return false;
}

/**
 * `s.toLowerCase()`, without the copy when there is nothing to lower: no ASCII capital and
 * nothing beyond ASCII but Lao, which has no case. Asked of every cell of a boolean column.
 */
export function lowerWord(s: string): string {
  for (let i = 0; i < s.length; i += 1) {
    const code = s.charCodeAt(i);
    if ((code >= 65 && code <= 90) || (code > 127 && (code < 0x0e80 || code > 0x0eff)))
      return s.toLowerCase();
  }
  return s;
}
