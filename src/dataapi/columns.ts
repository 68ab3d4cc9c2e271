import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, type ServedTable, type TableSchema } from '../datastore/index.js';

export type FieldType = TableSchema['fields'][number]['type'];

/** A column of a served table: its published type, and DuckDB's own type for casts. */
export interface Column {
  name: string;
  type: FieldType;
  /** DuckDB's type name, e.g. `BIGINT`, `DECIMAL(9,1)`, `TIMESTAMP WITH TIME ZONE`. */
  duckType: string;
  /** An integer column whose every value lies within ±2^53, so JSON numbers hold it exactly. */
  safeInteger: boolean;
  title?: { lo?: string; en?: string };
}

/**
 * The row number every ingest adds (src/datastore/convert-file.ts): the stable tie-breaker of
 * orders and cursors. It is not in the Table Schema and never shown.
 */
export const rowNumberColumn = '_row';

interface StoredColumn {
  duckType: string;
  safeInteger: boolean;
}

const storedColumnsByTable = new Map<string, Map<string, StoredColumn>>();

/**
 * The columns of a served table, in the schema's order. Table names change with every ingest and a
 * table never changes in place, so what DuckDB knows of them is read once per table.
 */
export async function columnsOf(
  table: ServedTable,
  connection: DuckDBConnection,
): Promise<Column[]> {
  let stored = storedColumnsByTable.get(table.tableName);
  if (!stored) {
    stored = await readStoredColumns(connection, table.tableName);
    if (storedColumnsByTable.size > 10_000) storedColumnsByTable.clear();
    storedColumnsByTable.set(table.tableName, stored);
  }
  const known = stored;
  return table.schema.fields
    .filter((field) => known.has(field.name))
    .map((field) => {
      const { duckType, safeInteger } = known.get(field.name)!;
      return {
        name: field.name,
        type: servedType(field.type, duckType),
        duckType,
        safeInteger,
        title: field.title,
      };
    });
}

const safeIntegerBound = 2n ** 53n - 1n;

/**
 * DuckDB's type of each column and, for integers wider than 32 bits, whether their values stay
 * within ±2^53. Ingests store every integer column as BIGINT; knowing that one holds only small
 * values lets answers write its numbers as they are, where every value would otherwise be checked
 * and converted (a tenth of a page's time in DuckDB). The bounds cost one scan of those columns,
 * about 25 ms for two columns of 10 million rows, once per table.
 */
async function readStoredColumns(
  connection: DuckDBConnection,
  tableName: string,
): Promise<Map<string, StoredColumn>> {
  const reader = await connection.runAndReadAll(
    'select column_name, data_type from duckdb_columns() where table_name = ?',
    [tableName],
  );
  const types = reader.getRows().map(([name, type]) => [String(name), String(type)] as const);
  const integers = types.filter(([, type]) => isIntegerType(type));
  const isWide = (type: string) => /BIGINT|HUGEINT/.test(type);
  const wide = integers.filter(([, type]) => isWide(type));
  const safe = new Set(integers.filter(([, type]) => !isWide(type)).map(([name]) => name));
  if (wide.length > 0) {
    const bounds = wide.map(([name]) => {
      const quoted = quoteIdentifier(name);
      return `coalesce(min(${quoted}) >= -${safeIntegerBound} AND max(${quoted}) <= ${safeIntegerBound}, true)`;
    });
    const [row] = (
      await connection.runAndReadAll(
        `select ${bounds.join(', ')} from ${quoteIdentifier(tableName)}`,
      )
    ).getRows();
    wide.forEach(([name], i) => {
      if (row?.[i] === true) safe.add(name);
    });
  }
  return new Map(
    types.map(([name, duckType]) => [name, { duckType, safeInteger: safe.has(name) }]),
  );
}

/**
 * The schema's type, unless the stored column says otherwise: an integer column too wide to keep
 * exact is stored as floating point, and its values are answered as the numbers they are.
 */
function servedType(type: FieldType, duckType: string): FieldType {
  if (type === 'integer' && !isIntegerType(duckType)) return 'number';
  return type;
}

export function isIntegerType(duckType: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(
    duckType,
  );
}
