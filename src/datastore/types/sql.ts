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

/** The number as DuckDB reads it: group marks, blanks and `%` dropped, `-` for parentheses. */
function signedNumber(t: string, decision: ColumnDecision): string {
  const mark = decision.number?.decimalMark ?? '.';
  const kept = `regexp_replace(${t}, ${sqlString(`[^0-9${mark === '.' ? '.eE' : ','}+\u2212-]`)}, '', 'g')`;
  let canonical = `replace(${kept}, '\u2212', '-')`;
  if (mark === ',') canonical = `replace(${canonical}, ',', '.')`;
  return `(CASE WHEN starts_with(${t}, '(') THEN '-' ELSE '' END || ${canonical})`;
}

function numberSql(t: string, decision: ColumnDecision): string {
  return `CASE WHEN ${matches(t, patternOfNumber(decision))} THEN TRY_CAST(${signedNumber(t, decision)} AS ${sqlType(decision)}) END`;
}

/**
 * Every cell of the column is a number of its pattern or a null marker, and no null marker has
 * a digit: the canonical form then suffices, and a marker's converts to NULL by itself. With the
 * DuckDB's own cast reads the cells written plainly (most of them) several times faster, and
 * reads nothing of the pattern otherwise than the canonical form does: it refuses blanks, `'`,
 * `%`, parentheses and the minus sign `−`, which the canonical form then handles. With the comma
 * as decimal mark, the dots grouping thousands go first (`6.492.228,5` → `6492228.5`).
 */
function plainNumberSql(t: string, decision: ColumnDecision): string {
  const type = sqlType(decision);
  const canonical = `TRY_CAST(${signedNumber(t, decision)} AS ${type})`;
  // In a column of percents the cast refuses every cell for its `%` (the pattern allows one, at
  // the end): without it they too are read at once, not by the canonical form's regular
  // expression, which costs DuckDB some twenty times more. The last character goes by left()
  // rather than rtrim(t, '%'), which reads the same cells (one `%` at most) and took 1.5–2.5
  // times as long: 122–195 ms against 72–85 ms for 1M cells.
  const bare =
    decision.number?.percent === true
      ? `CASE WHEN ends_with(${t}, '%') THEN left(${t}, -1) ELSE ${t} END`
      : t;
  const written =
    decision.number?.decimalMark === ',' ? `replace(replace(${bare}, '.', ''), ',', '.')` : bare;
  return `coalesce(TRY_CAST(${written} AS ${type}), ${canonical})`;
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

/**
 * Every cell is a date of the column's patterns or a null marker: DuckDB's strptime reads the
 * usual `d/m/yyyy` (or `m/d/yyyy`) cells at once; the other spellings go the general way.
 */
function plainDateSql(t: string, decision: ColumnDecision): string {
  const format = decision.date?.order === 'mdy' ? '%m/%d/%Y' : '%d/%m/%Y';
  return `coalesce(CAST(try_strptime(${t}, ${sqlString(format)}) AS DATE), ${dateSql(t, decision)})`;
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
  const plain = decision.plain === true;
  const t = plain ? col : cell(col);
  switch (decision.type) {
    case 'text':
      return plain
        ? `nullif(${col}, '')`
        : `CASE WHEN ${trimmed(col)} = '' THEN NULL ELSE ${col} END`;
    case 'integer':
    case 'decimal': {
      const number = plain ? plainNumberSql(t, decision) : numberSql(t, decision);
      // Past DOUBLE's range (`1e400`) DuckDB reads infinity: no number of the column, a misfit.
      return sqlType(decision) === 'DOUBLE'
        ? `nullif(nullif(${number}, 'inf'::DOUBLE), '-inf'::DOUBLE)`
        : number;
    }
    case 'date':
      return plain ? plainDateSql(t, decision) : dateSql(t, decision);
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
