import type { FieldConstraints } from './constraints.js';
import type { IngestOptions } from './convert-file.js';
import { nullMarkers, type ColumnDecision, type DateFormat } from './types/index.js';

/**
 * A resource's columns as a Frictionless Table Schema, with titles in Lao and English (the header
 * label as written goes to the language of its script; the publisher fills in the other).
 */
export interface TableSchema {
  fields: TableField[];
  missingValues: string[];
}

export interface TableField {
  name: string;
  title: { lo?: string; en?: string };
  description?: { lo?: string; en?: string };
  type: 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'time' | 'string' | 'any';
  /**
   * As Frictionless defines it: `default`, `any`, or for dates a strptime pattern such as
   * `%d/%m/%Y`; what the file's cells look like, while the table holds the typed values.
   */
  format: string;
  /** Numbers written with a decimal comma (`6.492.228,5`). */
  decimalChar?: ',';
  /** Numbers written with a `%` sign. */
  bareNumber?: false;
  constraints?: FieldConstraints;
}

const laoScript = /[\u0E80-\u0EFF]/;

/**
 * The markers typed columns read as empty cells: the profiler's own list (compared ignoring case
 * and surrounding blanks), so that the published schema says exactly what the ingest did.
 */
const missingValues = [...nullMarkers];

export function tableSchemaOf(
  names: readonly string[],
  labels: readonly string[],
  decisions: readonly ColumnDecision[],
): TableSchema {
  return {
    fields: names.map((name, i) => {
      const decision = decisions[i];
      const label = (labels[i] ?? '').trim() || name;
      return {
        name,
        title: laoScript.test(label) ? { lo: label } : { en: label },
        ...frictionlessType(decision),
      };
    }),
    missingValues,
  };
}

function frictionlessType(
  decision: ColumnDecision | undefined,
): Pick<TableField, 'type' | 'format' | 'decimalChar' | 'bareNumber'> {
  switch (decision?.type) {
    case 'integer':
      return {
        type: 'integer',
        format: 'default',
        ...(decision.number?.percent && { bareNumber: false as const }),
      };
    case 'decimal':
      return {
        type: 'number',
        format: 'default',
        ...(decision.number?.decimalMark === ',' && { decimalChar: ',' as const }),
        ...(decision.number?.percent && { bareNumber: false as const }),
      };
    case 'boolean':
      return { type: 'boolean', format: 'default' };
    case 'date':
      return { type: 'date', format: dateFormat(decision.date) };
    case 'datetime':
      return { type: 'datetime', format: 'default' };
    case 'time':
      return { type: 'time', format: 'default' };
    default:
      return { type: 'string', format: 'default' };
  }
}

/**
 * The Frictionless format of a date column: a strptime pattern when every date is written
 * `a/b/yyyy`, `default` (ISO 8601) when every one is ISO, else `any`.
 */
function dateFormat(date: DateFormat | undefined): string {
  if (date === undefined || date.excelSerial || date.written === 'both') return 'any';
  if (date.written === 'iso') return 'default';
  return date.order === 'mdy' ? '%m/%d/%Y' : '%d/%m/%Y';
}

/** Frictionless types of a table DuckDB read with its own types (Parquet). */
export function tableSchemaFromColumns(
  columns: ReadonlyArray<{ name: string; type: string }>,
): TableSchema {
  return {
    fields: columns.map(({ name, type }) => ({
      name,
      title: laoScript.test(name) ? { lo: name } : { en: name },
      type: duckType(type),
      format: 'default',
    })),
    missingValues: [''],
  };
}

function duckType(type: string): TableField['type'] {
  if (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(
      type,
    )
  )
    return 'integer';
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(type)) return 'number';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'datetime';
  if (type.startsWith('TIME')) return 'time';
  if (type === 'VARCHAR') return 'string';
  return 'any';
}

/** The publisher's titles, descriptions and constraints laid over what the ingest found. */
export function withPublisherEdits(schema: TableSchema, options: IngestOptions): TableSchema {
  return {
    ...schema,
    fields: schema.fields.map((field) => {
      const text = options.fields?.[field.name];
      const constraints = options.constraints?.[field.name];
      return {
        ...field,
        ...(text?.title && { title: text.title }),
        ...(text?.description && { description: text.description }),
        ...(constraints && { constraints }),
      };
    }),
  };
}
