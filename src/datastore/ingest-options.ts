// What a publisher asks of an ingest, checked and merged with what they asked before; and which
// files an ingest reads at all, and with which options (sheets, layouts), by media type.

import { Invalid } from '../lib/errors.js';
import { ownValue, setOwnValue } from '../lib/own-keys.js';
import { shortened } from '../lib/text.js';
import { checkConstraints } from './constraints.js';
import { checkLayout as checkFieldLayout } from './readers/fixed-width-layout.js';
import type { IngestOptions } from './ingest.js';
import type * as q from './queries.js';
import type { ValidationReport } from './report.js';
import {
  checkTypeOverride,
  frictionlessTypeOf,
  type FieldEdit,
  type TableSchema,
} from './table-schema.js';
import type { TypeOverride } from './types/index.js';

/** Media types worth reading into a table; anything else (PDF, images, zip) is left alone. */
const tabularMediaTypes = new Set([
  'text/csv',
  'text/tab-separated-values',
  'application/json',
  'application/geo+json',
  'application/x-ndjson',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-excel',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.apache.parquet',
]);

const workbookMediaTypes = new Set([
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-excel',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

const bareMediaType = (mediaType: string | null) => mediaType?.split(';')[0]!.trim() ?? null;

export function isTabular(mediaType: string | null): boolean {
  return mediaType !== null && tabularMediaTypes.has(bareMediaType(mediaType)!);
}

/** Files with sheets to choose from; an unidentified file may be one (sniffed when read). */
export function hasSheets(mediaType: string | null): boolean {
  const bare = bareMediaType(mediaType);
  return bare === 'application/octet-stream' || (bare !== null && workbookMediaTypes.has(bare));
}

/** Files a column layout can read: text, or bytes the upload could not name (a CP1133 file). */
export function takesLayout(mediaType: string | null): boolean {
  const bare = bareMediaType(mediaType);
  return bare === 'application/octet-stream' || (bare?.startsWith('text/') ?? false);
}

/** What a re-run may change; everything it does not name stays as the previous ingest had it. */
export interface RerunRequest {
  sheet?: number | string;
  encoding?: string;
  fixedWidth?: IngestOptions['fixedWidth'];
  /** Column name → forced type; null goes back to the type the data shows. */
  types?: Record<string, TypeOverride | null>;
}

const nfc = (text: string) => text.normalize('NFC');

const nfcText = (text: { lo?: string; en?: string } | undefined) =>
  text && Object.fromEntries(Object.entries(text).map(([language, t]) => [language, nfc(t)]));

/** An edit with names and texts in NFC, as the ingest writes column names. */
export function normalisedEdit(edit: FieldEdit): FieldEdit {
  return {
    ...edit,
    name: nfc(edit.name),
    ...(edit.title && { title: nfcText(edit.title) }),
    ...(edit.description && { description: nfcText(edit.description) }),
  };
}

export function normalisedRerun(request: RerunRequest): RerunRequest {
  return {
    ...request,
    ...(request.types && {
      types: Object.fromEntries(
        Object.entries(request.types).map(([name, override]) => [nfc(name), override]),
      ),
    }),
    ...(request.fixedWidth && {
      fixedWidth: {
        ...request.fixedWidth,
        fields: request.fixedWidth.fields.map((field) => ({ ...field, name: nfc(field.name) })),
      },
    }),
  };
}

/** The previous ingest's options with what a re-run asks for laid over them. */
export function mergedOptions(previous: IngestOptions, asked: RerunRequest): IngestOptions {
  const types = { ...previous.types };
  for (const [name, override] of Object.entries(asked.types ?? {}))
    if (override === null) delete types[name];
    else setOwnValue(types, name, override);
  const { types: _types, ...rest } = previous;
  return {
    ...rest,
    ...(asked.sheet !== undefined && { sheet: asked.sheet }),
    ...(asked.encoding !== undefined && { encoding: asked.encoding }),
    ...(asked.fixedWidth !== undefined && { fixedWidth: asked.fixedWidth }),
    ...(Object.keys(types).length > 0 && { types }),
  };
}

/** A layout reads text only, and is a layout the fixed-width reader can follow. */
export function checkLayout(
  layout: NonNullable<IngestOptions['fixedWidth']>,
  resource: { media_type: string | null; format: string | null },
): void {
  if (!takesLayout(resource.media_type))
    throw new Invalid(
      'fixedWidth',
      `a column layout reads text files; this is a ${resource.format ?? 'file'} file`,
    );
  checkFieldLayout(layout);
}

/**
 * Checks the types a re-run forces against the columns it will read, when they are known (the
 * layout's, or the table it reads again: same sheet, same layout), and the constraints of those
 * columns against their new types.
 */
export function checkTypes(
  asked: RerunRequest,
  options: IngestOptions,
  served: q.IngestRow | undefined,
): void {
  const servedOptions = (served?.options ?? {}) as IngestOptions;
  const sameTable =
    served !== undefined &&
    asked.fixedWidth === undefined &&
    options.sheet === servedOptions.sheet &&
    JSON.stringify(options.fixedWidth) === JSON.stringify(servedOptions.fixedWidth);
  const servedFields = sameTable ? (served.table_schema as TableSchema | null)?.fields : undefined;
  const columns =
    asked.fixedWidth?.fields.map((field) => field.name) ?? servedFields?.map((field) => field.name);
  for (const [name, override] of Object.entries(asked.types ?? {})) {
    if (columns !== undefined && !columns.includes(name))
      throw new Invalid(
        'types',
        `the table has no column "${name}"; its columns are ${columns.map((c) => `"${c}"`).join(', ')}`,
      );
    if (override === null) continue;
    checkTypeOverride(name, override);
    const constraints = ownValue(options.constraints, name);
    if (constraints) checkConstraints(name, constraints, frictionlessTypeOf[override.type]);
  }
}

/**
 * The report with a word on forced types and constraints that named no column of the table (a
 * re-run that chose another sheet, a replacement file without that column): they were not used.
 */
export function withUnusedOptions(
  report: ValidationReport,
  options: IngestOptions | null,
  schema: TableSchema | null,
): ValidationReport {
  if (!schema || !options) return report;
  const names = new Set(schema.fields.map((field) => field.name));
  const decisions = [...report.decisions];
  for (const [topic, named, what] of [
    ['types', options.types, 'forced types were'],
    ['constraints', options.constraints, 'constraints were'],
  ] as const) {
    const unused = Object.keys(named ?? {}).filter((name) => !names.has(name));
    if (unused.length === 0) continue;
    decisions.push({
      topic,
      value: shortened(unused.map((name) => `"${name}"`).join(', '), 2000),
      reason: `the table has no column of ${unused.length === 1 ? 'this name' : 'these names'}: their ${what} not used`,
    });
  }
  return { ...report, decisions };
}

/** Options as an ingest's status shows them; titles and constraints are the schema's to show. */
export function presentOptions(options: unknown): unknown {
  if (options === null || typeof options !== 'object') return options;
  const { fields: _fields, constraints: _constraints, ...read } = options as IngestOptions;
  return read;
}
