import { quoteLiteral } from '../datastore/index.js';
import type { Output } from './query-plan.js';

/**
 * The SQL that turns each answer column into its published form, so that DuckDB (on its own
 * threads, a chunk of rows at a time) does the per-cell work of every format and JavaScript only
 * joins lines. One definition serves the records API and the exports, so both type values alike:
 * numbers as JSON numbers, integers beyond ±2^53 as strings, dates and times as ISO 8601 text.
 */

const safeInteger = '9007199254740991';
const narrowDecimal = /^DECIMAL\(([1-9]|1[0-5]),\d+\)$/;

/** The output as a JSON value. */
export function jsonValueSql(output: Output): string {
  const x = output.sql;
  const duck = output.duckType ?? '';
  if (output.type === 'integer') {
    // Aggregates (sum of BIGINT is HUGEINT) and wide columns may pass 2^53, where JSON parsers
    // lose digits; columns and their min and max are known not to (columns.ts).
    if (output.safeInteger) return x;
    return `CASE WHEN ${x} BETWEEN -${safeInteger} AND ${safeInteger} THEN to_json(${x}) ELSE to_json(CAST(${x} AS VARCHAR)) END`;
  }
  if (output.type === 'number') {
    // DuckDB writes a decimal's exact digits, which JSON parsers keep up to 15 of; a decimal is
    // never NaN or infinite.
    if (narrowDecimal.test(duck)) return x;
    return `CASE WHEN isfinite(CAST(${x} AS DOUBLE)) THEN CAST(${x} AS DOUBLE) END`;
  }
  if (output.type === 'any') return `to_json(${x})`;
  if (output.type === 'boolean' || output.type === 'string') return x;
  return textValueSql(output);
}

/** The output as text (NULL stays NULL): what CSV cells and XML elements hold. */
export function textValueSql(output: Output): string {
  const x = output.sql;
  switch (output.type) {
    case 'string':
      return x;
    case 'datetime':
      return isoDateTimeSql(`CAST(${x} AS VARCHAR)`);
    case 'number':
      if (/^DECIMAL\(/.test(output.duckType ?? '')) return `CAST(${x} AS VARCHAR)`;
      return `CAST(CASE WHEN isfinite(CAST(${x} AS DOUBLE)) THEN ${x} END AS VARCHAR)`;
    case 'any':
      return `CAST(to_json(${x}) AS VARCHAR)`;
    default:
      return `CAST(${x} AS VARCHAR)`;
  }
}

/** DuckDB prints `2024-01-02 10:11:12.5` and `2024-01-02 03:11:12+00`: ISO 8601 wants the T and `+00:00`. */
function isoDateTimeSql(text: string): string {
  return `regexp_replace(replace(${text}, ' ', 'T'), '([+-]\\d\\d)$', '\\1:00')`;
}

/**
 * The output as DuckDB's CSV writer should get it. Its own forms of integers, decimals, dates,
 * times and booleans are the API's already, and leaving them typed keeps the sort before the
 * writer cheap (text sorts as long strings); timestamps need the ISO `T`, other types JSON.
 */
export function csvValueSql(output: Output): string {
  return output.type === 'datetime' || output.type === 'any' ? textValueSql(output) : output.sql;
}

/** One row as a JSON object (text), keys in the order of the outputs. */
export function jsonObjectSql(outputs: readonly Output[]): string {
  const pairs = outputs.map((output) => `${quoteLiteral(output.name)}, ${jsonValueSql(output)}`);
  return `CAST(json_object(${pairs.join(', ')}) AS VARCHAR)`;
}

/** One row as an RFC 4180 CSV line (without the line break); NULL is an empty cell. */
export function csvLineSql(outputs: readonly Output[]): string {
  return outputs.map((output) => csvCellSql(output)).join(` || ',' || `);
}

function csvCellSql(output: Output): string {
  const text = textValueSql(output);
  if (output.type !== 'string' && output.type !== 'any') return `coalesce(${text}, '')`;
  return `CASE WHEN ${text} IS NULL THEN '' WHEN regexp_matches(${text}, '[",\\r\\n]') THEN '"' || replace(${text}, '"', '""') || '"' ELSE ${text} END`;
}

/** The header line of a CSV answer. */
export function csvHeader(outputs: readonly Output[]): string {
  return outputs.map((output) => csvCell(output.name)).join(',');
}

export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
