import { nullMarkers, trimmedChars } from './cells.js';
import type { ColumnDecision } from './decision.js';
import {
  datetimePattern,
  datetimeZonePattern,
  isoDatePattern,
  patternOfNumber,
  serialMax,
  serialMin,
  serialPattern,
  slashDatePattern,
  timePattern,
} from './patterns.js';

/** A DuckDB string literal; DuckDB strings have no backslash escapes, only doubled quotes. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const whitespace = [...trimmedChars].map((c) => `chr(${c.charCodeAt(0)})`).join(' || ');
const laoDigits = sqlString('໐໑໒໓໔໕໖໗໘໙');

// trim() with a character list and translate() with Lao digits cost DuckDB several times more
// than a regular-expression test, and most cells need neither: they are guarded by one.
const edgeSpace = `[${trimmedChars}]`;
const needsTrim = sqlString(`^${edgeSpace}|${edgeSpace}$`);
const needsNormalizing = sqlString(`^${edgeSpace}|${edgeSpace}$|[໐-໙]`);

function trimmed(col: string): string {
  return `CASE WHEN regexp_matches(${col}, ${needsTrim}) THEN trim(${col}, ${whitespace}) ELSE ${col} END`;
}

/** The cell as the patterns see it: trimmed, Lao digits as ASCII. */
function cell(col: string): string {
  return `CASE WHEN regexp_matches(${col}, ${needsNormalizing}) THEN translate(trim(${col}, ${whitespace}), ${laoDigits}, '0123456789') ELSE ${col} END`;
}

const matches = (t: string, pattern: string): string =>
  `regexp_full_match(${t}, ${sqlString(pattern)})`;

/** Largest digits of an integer column stored as BIGINT; wider ones use HUGEINT. */
const bigintDigits = 18;

/**
 * The DuckDB column type of a decision.
 *
 * @example sqlType(decision) // 'DECIMAL(9,1)'
 */
export function sqlType(decision: ColumnDecision): string {
  const n = decision.number;
  switch (decision.type) {
    case 'integer':
      return (n?.integerDigits ?? bigintDigits + 1) > bigintDigits ? 'HUGEINT' : 'BIGINT';
    case 'decimal':
      if (n === undefined || n.float) return 'DOUBLE';
      return `DECIMAL(${Math.max(n.integerDigits, 1) + n.scale},${n.scale})`;
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'datetime':
      return decision.withTimeZone === true ? 'TIMESTAMPTZ' : 'TIMESTAMP';
    case 'time':
      return 'TIME';
    case 'text':
      return 'VARCHAR';
  }
}

function numberSql(t: string, decision: ColumnDecision): string {
  const mark = decision.number?.decimalMark ?? '.';
  const kept = `regexp_replace(${t}, ${sqlString(`[^0-9${mark === '.' ? '.eE' : ','}+\u2212-]`)}, '', 'g')`;
  let canonical = `replace(${kept}, '\u2212', '-')`;
  if (mark === ',') canonical = `replace(${canonical}, ',', '.')`;
  const signed = `(CASE WHEN starts_with(${t}, '(') THEN '-' ELSE '' END || ${canonical})`;
  return `CASE WHEN ${matches(t, patternOfNumber(decision))} THEN TRY_CAST(${signed} AS ${sqlType(decision)}) END`;
}

function dateSql(t: string, decision: ColumnDecision): string {
  const slashOrder = decision.date?.order === 'mdy' ? '\\3-\\1-\\2' : '\\3-\\2-\\1';
  const iso = `TRY_CAST(regexp_replace(${t}, ${sqlString(isoDatePattern)}, '\\1-\\2-\\3') AS DATE)`;
  const slash = `TRY_CAST(regexp_replace(${t}, ${sqlString(slashDatePattern)}, ${sqlString(slashOrder)}) AS DATE)`;
  let sql = `CASE WHEN ${matches(t, isoDatePattern)} THEN ${iso} WHEN ${matches(t, slashDatePattern)} THEN ${slash}`;
  if (decision.date?.excelSerial === true) {
    const serial = `TRY_CAST(${t} AS INTEGER)`;
    sql += ` WHEN ${matches(t, serialPattern)} AND ${serial} BETWEEN ${serialMin} AND ${serialMax} THEN CAST(DATE '1899-12-30' + ${serial} AS DATE)`;
  }
  return `${sql} END`;
}

function datetimeSql(t: string, decision: ColumnDecision): string {
  const spaced = `replace(${t}, 'T', ' ')`;
  if (decision.withTimeZone !== true) {
    return `CASE WHEN ${matches(t, datetimePattern)} THEN TRY_CAST(${spaced} AS TIMESTAMP) END`;
  }
  // DuckDB reads offsets only as +HH:MM ...
  const utc = `regexp_replace(${spaced}, 'Z$', '+00:00')`;
  const colon = `regexp_replace(${utc}, '([+-]\\d{2})(\\d{2})$', '\\1:\\2')`;
  const minutes = `regexp_replace(${colon}, '([+-]\\d{2})$', '\\1:00')`;
  // ... and needs seconds before an offset.
  const seconds = `regexp_replace(${minutes}, '^([^ ]+ \\d{1,2}:\\d{2})([+-])', '\\1:00\\2')`;
  return `CASE WHEN ${matches(t, datetimeZonePattern)} THEN TRY_CAST(${seconds} AS TIMESTAMPTZ) END`;
}

function booleanSql(t: string, decision: ColumnDecision): string {
  const list = (words: string[] | undefined): string => (words ?? []).map(sqlString).join(', ');
  const lower = `lower(${t})`;
  return `CASE WHEN ${lower} IN (${list(decision.booleans?.true)}) THEN true WHEN ${lower} IN (${list(decision.booleans?.false)}) THEN false END`;
}

/**
 * A DuckDB expression turning the raw VARCHAR column into the decided type: NULL for null
 * markers and for cells that do not convert. `col` must already be a quoted identifier.
 *
 * @example sqlConversion('"population"', decision) // 'CASE WHEN regexp_full_match(...) ...'
 */
export function sqlConversion(col: string, decision: ColumnDecision): string {
  const t = cell(col);
  switch (decision.type) {
    case 'text':
      return `CASE WHEN ${trimmed(col)} = '' THEN NULL ELSE ${col} END`;
    case 'integer':
    case 'decimal':
      return numberSql(t, decision);
    case 'date':
      return dateSql(t, decision);
    case 'datetime':
      return datetimeSql(t, decision);
    case 'time':
      return `CASE WHEN ${matches(t, timePattern)} THEN TRY_CAST(${t} AS TIME) END`;
    case 'boolean':
      return booleanSql(t, decision);
  }
}

/** A DuckDB condition true when the raw cell is NULL or a null marker for this decision. */
export function sqlNullCondition(col: string, decision: ColumnDecision): string {
  if (decision.type === 'text') return `(${col} IS NULL OR ${trimmed(col)} = '')`;
  return `(${col} IS NULL OR lower(${trimmed(col)}) IN (${nullMarkers.map(sqlString).join(', ')}))`;
}

/**
 * A DuckDB condition true for type errors: the cell is not a null marker but converts to NULL.
 * The ingest counts them and lists their row numbers with it.
 */
export function sqlMisfitCondition(col: string, decision: ColumnDecision): string {
  if (decision.type === 'text') return 'false';
  return `(NOT ${sqlNullCondition(col, decision)} AND (${sqlConversion(col, decision)}) IS NULL)`;
}
