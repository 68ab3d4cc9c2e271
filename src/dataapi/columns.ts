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

interface StoredTable {
  columns: Map<string, StoredColumn>;
  inRowOrder: boolean;
}

const storedTables = new Map<string, StoredTable>();

/**
 * What DuckDB knows of a served table. Table names change with every ingest and a table never
 * changes in place, so it is read once per table.
 */
async function storedTable(table: ServedTable, connection: DuckDBConnection) {
  let stored = storedTables.get(table.tableName);
  if (!stored) {
    stored = await readStoredTable(connection, table.tableName);
    if (storedTables.size > 10_000) storedTables.clear();
    storedTables.set(table.tableName, stored);
  }
  return stored;
}

/**
 * Whether the table's rows are stored in the order of their row numbers, so that a scan without
 * ORDER BY (DuckDB keeps the insertion order: src/datastore/table-store.ts) reads them in row
 * order. Every table an ingest loads is; an answer in row order then needs no sort, which for a
 * whole 10-million-row table took longer than writing its CSV.
 */
export async function storedInRowOrder(
  table: ServedTable,
  connection: DuckDBConnection,
): Promise<boolean> {
  return (await storedTable(table, connection)).inRowOrder;
}

/** The columns of a served table, in the schema's order. */
export async function columnsOf(
  table: ServedTable,
  connection: DuckDBConnection,
): Promise<Column[]> {
  const known = (await storedTable(table, connection)).columns;
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
 * and converted (a tenth of a page's time in DuckDB).
 *
 * The same scan tells whether the rows lie in row-number order: they do when the row number less
 * DuckDB's physical position (`rowid`) is the same on every row. A table whose row numbers have
 * gaps fails the test and is sorted when read in row order, which is slower but right. The scan
 * took 70–90 ms on 10 million rows, once per table.
 */
async function readStoredTable(
  connection: DuckDBConnection,
  tableName: string,
): Promise<StoredTable> {
  const reader = await connection.runAndReadAll(
    'select column_name, data_type from duckdb_columns() where table_name = ?',
    [tableName],
  );
  const types = reader.getRows().map(([name, type]) => [String(name), String(type)] as const);
  const integers = types.filter(([, type]) => isIntegerType(type));
  const isWide = (type: string) => /BIGINT|HUGEINT/.test(type);
  const wide = integers.filter(([, type]) => isWide(type));
  const safe = new Set(integers.filter(([, type]) => !isWide(type)).map(([name]) => name));
  const bounds = wide.map(([name]) => {
    const quoted = quoteIdentifier(name);
    return `coalesce(min(${quoted}) >= -${safeIntegerBound} AND max(${quoted}) <= ${safeIntegerBound}, true)`;
  });
  const hasRowNumbers = types.some(([name]) => name === rowNumberColumn);
  const row = quoteIdentifier(rowNumberColumn);
  const inRowOrder = hasRowNumbers
    ? `coalesce(min(${row} - rowid) = max(${row} - rowid), true)`
    : 'false';
  const [facts] = (
    await connection.runAndReadAll(
      `select ${[inRowOrder, ...bounds].join(', ')} from ${quoteIdentifier(tableName)}`,
    )
  ).getRows();
  wide.forEach(([name], i) => {
    if (facts?.[i + 1] === true) safe.add(name);
  });
  return {
    columns: new Map(
      types.map(([name, duckType]) => [name, { duckType, safeInteger: safe.has(name) }]),
    ),
    inRowOrder: facts?.[0] === true,
  };
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
