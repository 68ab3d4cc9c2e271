import { Invalid } from '../lib/errors.js';
import { withArticle } from '../lib/text.js';
import { ownValue, setOwnValue } from '../lib/own-keys.js';
import { checkConstraints, type FieldConstraints } from './constraints.js';
import type { IngestOptions } from './convert-file.js';
import {
  nullMarkers,
  overrideFormats,
  type ColumnDecision,
  type ColumnType,
  type DateFormat,
  type TypeOverride,
} from './types/index.js';

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
      const text = ownValue(options.fields, field.name);
      const constraints = ownValue(options.constraints, field.name);
      return {
        ...field,
        ...(text?.title && { title: text.title }),
        ...(text?.description && { description: text.description }),
        ...(constraints && { constraints }),
      };
    }),
  };
}

/** One column's changes in a schema edit. */
export interface FieldEdit {
  name: string;
  /** An empty text removes that language. */
  title?: { lo?: string; en?: string };
  description?: { lo?: string; en?: string };
  type?: ColumnType;
  format?: string;
  /** Null removes the column's constraints. */
  constraints?: FieldConstraints | null;
}

/** The Frictionless type a forced column type gives the table. */
export const frictionlessTypeOf: Record<ColumnType, TableField['type']> = {
  integer: 'integer',
  decimal: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  time: 'time',
  text: 'string',
};

/** The forced type a column of the table already has, for a format given without a type. */
const columnTypeOf: Partial<Record<TableField['type'], ColumnType>> = {
  integer: 'integer',
  number: 'decimal',
  date: 'date',
};

export function checkTypeOverride(name: string, override: TypeOverride): void {
  if (override.format === undefined) return;
  const formats = overrideFormats[override.type] ?? [];
  if (!formats.includes(override.format))
    throw new Invalid(
      'format',
      formats.length === 0
        ? `${withArticle(override.type)} column takes no format (column ${name})`
        : `${withArticle(override.type)} column is written ${formats.join(' or ')}, not ${override.format} (column ${name})`,
    );
}

/** A title or description edited in one language: the other stays; an empty text goes. */
function mergedText(
  shown: { lo?: string; en?: string } | undefined,
  edit: { lo?: string; en?: string },
): { lo?: string; en?: string } {
  const merged = { ...shown, ...edit };
  return Object.fromEntries(Object.entries(merged).filter(([, text]) => text.trim() !== ''));
}

/**
 * The options of the next ingest after `edits` of the table `schema` (which shows the publisher's
 * earlier edits), and whether the data must be read again. Names are compared as NFC, which is
 * how the ingest writes them.
 */
export function applySchemaEdits(
  options: IngestOptions,
  schema: TableSchema,
  edits: readonly FieldEdit[],
): { options: IngestOptions; rerun: boolean } {
  const fields = new Map(schema.fields.map((field) => [field.name, field]));
  const types = { ...options.types };
  const constraintsOf = { ...options.constraints };
  const texts = { ...options.fields };
  const next: IngestOptions = { ...options, types, constraints: constraintsOf, fields: texts };
  let rerun = false;
  for (const edit of edits) {
    const field = fields.get(edit.name);
    if (field === undefined) throw new Invalid('fields', `the table has no column "${edit.name}"`);
    if (edit.title !== undefined || edit.description !== undefined) {
      const text = { ...ownValue(texts, edit.name) };
      if (edit.title !== undefined) text.title = mergedText(field.title, edit.title);
      if (edit.description !== undefined)
        text.description = mergedText(field.description, edit.description);
      setOwnValue(texts, edit.name, text);
    }
    if (edit.type !== undefined || edit.format !== undefined) {
      const type = edit.type ?? ownValue(types, edit.name)?.type ?? columnTypeOf[field.type];
      if (type === undefined)
        throw new Invalid(
          'format',
          `${withArticle(field.type)} column takes no format; give the type too (column ${edit.name})`,
        );
      const override = { type, ...(edit.format !== undefined && { format: edit.format }) };
      checkTypeOverride(edit.name, override);
      setOwnValue(types, edit.name, override);
      rerun = true;
    }
    const forced = edit.type !== undefined || edit.format !== undefined;
    const typeNow = forced ? frictionlessTypeOf[ownValue(types, edit.name)!.type] : field.type;
    if (edit.constraints !== undefined) {
      if (edit.constraints === null) delete constraintsOf[edit.name];
      else setOwnValue(constraintsOf, edit.name, edit.constraints);
      rerun = true;
    }
    // A new type checks the constraints the column already had, too.
    const constraints = ownValue(constraintsOf, edit.name);
    if (constraints !== undefined && (edit.constraints || forced))
      checkConstraints(edit.name, constraints, typeNow);
  }
  return { options: next, rerun };
}
