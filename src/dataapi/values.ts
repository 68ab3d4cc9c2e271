import { Invalid } from '../lib/errors.js';
import type { Column } from './columns.js';

/**
 * A request value checked against its column's type and brought to the text DuckDB casts from.
 * Every value reaches SQL as a bound VARCHAR parameter with an explicit cast (see `castParameter`),
 * never in the SQL text.
 */
export function parseValue(column: Column, text: string, parameter: string): string {
  const value = text.trim();
  const wrong = (expected: string) =>
    new Invalid(
      parameter,
      `"${clip(text)}" is not ${expected} (column ${column.name} is ${column.type})`,
    );
  switch (column.type) {
    case 'integer':
      if (!/^[+-]?\d{1,38}$/.test(value)) throw wrong('an integer');
      return value;
    case 'number':
      if (
        !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/.test(value) ||
        !Number.isFinite(Number(value))
      )
        throw wrong('a number');
      return value;
    case 'boolean': {
      const lowered = value.toLowerCase();
      if (['true', '1', 'yes'].includes(lowered)) return 'true';
      if (['false', '0', 'no'].includes(lowered)) return 'false';
      throw wrong('true or false');
    }
    case 'date':
      if (!isoDate.test(value) || !realDate(value)) throw wrong('a date (YYYY-MM-DD)');
      return value;
    case 'datetime': {
      const match = isoDateTime.exec(value);
      if (!match || !realDate(match[1]!)) throw wrong('a date and time (ISO 8601)');
      return value;
    }
    case 'time':
      if (!isoTime.test(value)) throw wrong('a time (HH:MM[:SS])');
      return value;
    default:
      if (text.length > 10_000) throw new Invalid(parameter, 'is longer than 10,000 characters');
      return text;
  }
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoTime = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$/;
const isoDateTime =
  /^(\d{4}-\d{2}-\d{2})([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

function realDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/**
 * The SQL of a bound parameter compared with `column`. Integers are compared as HUGEINT so that any
 * integer the client sends fits; numbers as DOUBLE so that `eq:3.55` on a DECIMAL(9,1) column is not
 * rounded into a match.
 */
export function castParameter(column: Column): string {
  switch (column.type) {
    case 'integer':
      return 'CAST(? AS HUGEINT)';
    case 'number':
      return 'CAST(? AS DOUBLE)';
    case 'string':
      return '?';
    case 'any':
      return '?';
    default:
      return `CAST(? AS ${column.duckType})`;
  }
}

/** The column as SQL compares it: columns of other types (lists, structs) compare as text. */
export function comparable(column: Column, quoted: string): string {
  return column.type === 'any' ? `CAST(${quoted} AS VARCHAR)` : quoted;
}

export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
