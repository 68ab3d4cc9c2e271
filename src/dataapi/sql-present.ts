import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * Typed JSON of a query's answer, as the records endpoint gives it: numbers as numbers, integers
 * beyond 2^53 and decimals that a double cannot hold as strings (JSON readers would round them),
 * dates and times ISO 8601, lists as arrays, structs as objects. It runs in the sandbox process
 * (sql-sandbox-process.ts), which sends the presented rows to the server.
 */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A result column: `type` in Table Schema words, `dbType` as DuckDB names it. */
export interface ResultField {
  name: string;
  type: string;
  dbType: string;
}

export interface PresentedResult {
  fields: ResultField[];
  items: Array<Record<string, JsonValue>>;
  truncated: boolean;
}

/** A statement's answer as DuckDB gives it. */
export interface RawResult {
  columns: Array<{ name: string; type: DuckDBType }>;
  rows: DuckDBValue[][];
  truncated: boolean;
}

export function presentResult(result: RawResult): PresentedResult {
  const fields = result.columns.map(({ name, type }) => ({
    name,
    type: fieldType(type),
    dbType: type.toString(),
  }));
  // Duplicate column names (`select 1, 1`) would overwrite each other in an object.
  const keys = uniqueNames(fields.map((field) => field.name));
  return {
    fields: fields.map((field, i) => ({ ...field, name: keys[i]! })),
    items: result.rows.map((row) =>
      Object.fromEntries(row.map((value, i) => [keys[i]!, jsonValue(value)])),
    ),
    truncated: result.truncated,
  };
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}_${count + 1}`;
  });
}

function fieldType(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return 'integer';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return 'number';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'datetime';
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.TIME_NS:
      return 'time';
    case DuckDBTypeId.INTERVAL:
      return 'duration';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.MAP:
      return 'array';
    case DuckDBTypeId.STRUCT:
      return 'object';
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return 'string';
    default:
      return 'any';
  }
}

export function jsonValue(value: DuckDBValue): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof DuckDBDecimalValue) {
    const text = value.toString();
    const number = Number(text);
    return Math.abs(number) <= Number.MAX_SAFE_INTEGER ? number : text;
  }
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue) return isoTimestamp(value.toString(), true);
  if (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue
  ) {
    return isoTimestamp(value.toString(), false);
  }
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return value.items.map(jsonValue);
  }
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, jsonValue(v)]));
  }
  if (value instanceof DuckDBMapValue) {
    return value.entries.map(({ key, value: v }) => ({ key: jsonValue(key), value: jsonValue(v) }));
  }
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  return value.toString();
}

/** `2024-02-03 04:05:06.789` → `2024-02-03T04:05:06.789`; zoned ones end `+00:00`, as in records. */
function isoTimestamp(text: string, zoned: boolean): string {
  const iso = text.replace(' ', 'T');
  if (!zoned) return iso;
  const offset = /([+-])(\d{2})(?::?(\d{2}))?$/.exec(iso);
  if (!offset) return iso;
  const [whole, sign, hours, minutes = '00'] = offset;
  return `${iso.slice(0, iso.length - whole.length)}${sign}${hours}:${minutes}`;
}
