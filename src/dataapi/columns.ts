import type { DuckDBConnection } from '@duckdb/node-api';
import type { ServedTable, TableSchema } from '../datastore/index.js';

export type FieldType = TableSchema['fields'][number]['type'];

/** A column of a served table: its published type, and DuckDB's own type for casts. */
export interface Column {
  name: string;
  type: FieldType;
  /** DuckDB's type name, e.g. `BIGINT`, `DECIMAL(9,1)`, `TIMESTAMP WITH TIME ZONE`. */
  duckType: string;
  title?: { lo?: string; en?: string };
}

/**
 * The row number every ingest adds (src/datastore/convert-file.ts): the stable tie-breaker of
 * orders and cursors. It is not in the Table Schema and never shown.
 */
export const rowNumberColumn = '_row';

const duckTypesByTable = new Map<string, Map<string, string>>();

/**
 * The columns of a served table, in the schema's order. Table names change with every ingest and a
 * table never changes in place, so DuckDB's types are read once per table.
 */
export async function columnsOf(
  table: ServedTable,
  connection: DuckDBConnection,
): Promise<Column[]> {
  let types = duckTypesByTable.get(table.tableName);
  if (!types) {
    const reader = await connection.runAndReadAll(
      'select column_name, data_type from duckdb_columns() where table_name = ?',
      [table.tableName],
    );
    types = new Map(reader.getRows().map(([name, type]) => [String(name), String(type)]));
    if (duckTypesByTable.size > 10_000) duckTypesByTable.clear();
    duckTypesByTable.set(table.tableName, types);
  }
  const known = types;
  return table.schema.fields
    .filter((field) => known.has(field.name))
    .map((field) => {
      const duckType = known.get(field.name)!;
      return {
        name: field.name,
        type: servedType(field.type, duckType),
        duckType,
        title: field.title,
      };
    });
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
