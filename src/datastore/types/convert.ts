import { asciiDigits, canonicalNumber, isNullMarker, isValidDate, trimCell } from './cells.js';
import type { ColumnDecision } from './decision.js';
import {
  datetimePattern,
  datetimeZonePattern,
  isoDatePattern,
  patternOfNumber,
  regexOf,
  serialMax,
  serialMin,
  serialPattern,
  slashDatePattern,
  timePattern,
} from './patterns.js';

/** A cell that is not a null marker but does not convert: a type error. */
export const misfit: unique symbol = Symbol('misfit');
export type Misfit = typeof misfit;

/**
 * A converted cell: integers as number (bigint beyond 2^53), decimals as number, dates as
 * `yyyy-mm-dd`, datetimes as ISO 8601 (UTC with `Z` when zoned), times as `HH:MM:SS`.
 */
export type CellValue = number | bigint | string | boolean | null;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function convertNumber(s: string, decision: ColumnDecision): CellValue | Misfit {
  if (!regexOf(patternOfNumber(decision)).test(s)) return misfit;
  const canonical = canonicalNumber(s, decision.number?.decimalMark ?? '.');
  if (decision.type === 'integer') {
    const big = BigInt(canonical.replace('+', ''));
    const limit = (decision.number?.integerDigits ?? 19) > 18 ? 2n ** 127n : 2n ** 63n;
    if (big >= limit || big < -limit) return misfit;
    const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(big) : big;
  }
  const value = Number(canonical);
  // Past DOUBLE's range (`1e400`) a number is no number of the column: a misfit, as in SQL.
  if (!Number.isFinite(value)) return misfit;
  return value === 0 ? 0 : value;
}

function convertDate(s: string, decision: ColumnDecision): CellValue | Misfit {
  let match = regexOf(isoDatePattern).exec(s);
  let y = 0;
  let m = 0;
  let d = 0;
  if (match !== null) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = regexOf(slashDatePattern).exec(s)) !== null) {
    const [a, b] = [Number(match[1]), Number(match[2])];
    [y, m, d] =
      decision.date?.order === 'mdy' ? [Number(match[3]), a, b] : [Number(match[3]), b, a];
  } else if (decision.date?.excelSerial === true && regexOf(serialPattern).test(s)) {
    const serial = Number(s);
    if (serial < serialMin || serial > serialMax) return misfit;
    // Day 0 of the 1900 system is 1899-12-30 because Excel counts 1900-02-29, which never was.
    return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
  } else return misfit;
  return isValidDate(y, m, d) ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : misfit;
}

function clockOf(match: RegExpExecArray, from: number): string {
  const fraction = (match[from + 3] ?? '').replace(/0+$/, '');
  const seconds = pad(Number(match[from + 2] ?? '0'));
  return `${pad(Number(match[from]))}:${pad(Number(match[from + 1]))}:${seconds}${fraction === '' ? '' : `.${fraction}`}`;
}

function convertDatetime(s: string, decision: ColumnDecision): CellValue | Misfit {
  const zoned = decision.withTimeZone === true;
  const match = regexOf(zoned ? datetimeZonePattern : datetimePattern).exec(s);
  if (match === null) return misfit;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!isValidDate(y, m, d)) return misfit;
  const date = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  if (!zoned && match[4] === undefined) return `${date}T00:00:00`;
  const clock = clockOf(match, 4);
  if (!zoned) return `${date}T${clock}`;
  const zone = match[8] ?? 'Z';
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.replace(/[^0-9]/g, '');
  const offsetMinutes =
    zone === 'Z' ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  const local = Date.UTC(y, m - 1, d, Number(match[4]), Number(match[5]), Number(match[6] ?? '0'));
  const utc = new Date(local - offsetMinutes * 60_000).toISOString().slice(0, 19);
  const fraction = clock.includes('.') ? clock.slice(clock.indexOf('.')) : '';
  return `${utc}${fraction}Z`;
}

/**
 * Converts one raw cell as the SQL of `sqlConversion` does: null for null markers, the typed
 * value, or `misfit`. Text keeps the cell as given and is null only when blank.
 *
 * @example convertCell('6.492.228,5', decision) // 6492228.5 with a comma-decimal decision
 */
export function convertCell(value: string, decision: ColumnDecision): CellValue | Misfit {
  const trimmed = trimCell(value);
  if (decision.type === 'text') return trimmed === '' ? null : value;
  if (isNullMarker(trimmed)) return null;
  const s = asciiDigits(trimmed);
  switch (decision.type) {
    case 'integer':
    case 'decimal':
      return convertNumber(s, decision);
    case 'date':
      return convertDate(s, decision);
    case 'datetime':
      return convertDatetime(s, decision);
    case 'time': {
      const match = regexOf(timePattern).exec(s);
      return match === null ? misfit : clockOf(match, 1);
    }
    case 'boolean': {
      const lower = s.toLowerCase();
      if (decision.booleans?.true.includes(lower) === true) return true;
      if (decision.booleans?.false.includes(lower) === true) return false;
      return misfit;
    }
  }
}
