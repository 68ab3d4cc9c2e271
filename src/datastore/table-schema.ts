import type { FieldConstraints } from './constraints.js';
import type { IngestOptions } from './convert-file.js';
import { nullMarkers, type ColumnDecision } from './types/index.js';

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
  format: string;
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
): Pick<TableField, 'type' | 'format'> {
  switch (decision?.type) {
    case 'integer':
      return { type: 'integer', format: 'default' };
    case 'decimal':
      return {
        type: 'number',
        format: decision.number?.decimalMark === ',' ? 'decimal-comma' : 'default',
      };
    case 'boolean':
      return { type: 'boolean', format: 'default' };
    case 'date':
      return { type: 'date', format: decision.date?.order ?? 'default' };
    case 'datetime':
      return { type: 'datetime', format: decision.withTimeZone ? 'with-time-zone' : 'default' };
    case 'time':
      return { type: 'time', format: 'default' };
    default:
      return { type: 'string', format: 'default' };
  }
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
