import { wellFormed } from '../../lib/text.js';
import type { ReportCollector } from '../report.js';
import { ReadProgress, type ReadOptions, type SourceRow, type TableSource } from '../source.js';
import { UnreadableSource } from './errors.js';
import { markedNumber, parseJsonExact, stringifyJsonExact } from './json-numbers.js';
import { JsonElementScanner } from './json-scanner.js';
import { decodedChunks, numberedLines } from './text-lines.js';

const batchSize = 500;

/**
 * JSON-family readers. Records become rows under a synthetic header: the FIRST row yielded holds
 * the column names (the union of the records' keys, in first-seen order) so that the shared
 * header locator sees an ordinary table. That header row has `rowNumber` 0, as it is not in the
 * file; a record's `rowNumber` is its position (1-based) in the array, or its line for NDJSON.
 * A JSON array of arrays is already a table: its rows are yielded as they are, with no header.
 * Files are read twice (keys, then rows) so that memory stays bounded by the largest record.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A record's values by column. A column is a key in NFC: an export may spell the same Lao key
 * composed in one record and decomposed (or with its marks in another order) in the next, and
 * the header folds labels to NFC anyway, so they are one column, not two half-empty ones. A
 * record that holds both spellings keeps the second in a column of its own (`key␀2`), which the
 * header reports as a repeated label.
 */
function byColumn(record: JsonObject): Map<string, Json> {
  const values = new Map<string, Json>();
  for (const [key, value] of Object.entries(record)) {
    const base = key.normalize('NFC');
    let column = base;
    for (let n = 2; values.has(column); n += 1) column = `${base}\u0000${n}`;
    values.set(column, value);
  }
  return values;
}

/** The column of a GeoJSON source that holds each feature's geometry as GeoJSON. */
const geometryColumn = 'geometry';

/** The header label of a column of `byColumn`. */
const columnLabel = (column: string): string => wellFormed(column.split('\u0000')[0] ?? column);

/** Canonical cell text: null is empty, nested values keep their JSON text. */
export function jsonCellText(value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return wellFormed(markedNumber(value) ?? value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return wellFormed(stringifyJsonExact(value));
  } catch (error) {
    // JSON.parse reads any depth, but JSON.stringify recurses: thousands of levels overflow it.
    if (error instanceof RangeError) throw new UnreadableSource(tooDeep);
    throw error;
  }
}

const tooDeep = 'the JSON file nests its values too deeply (thousands of levels) to be a table';

async function* elements(
  file: string,
  encoding?: string,
  progress?: ReadProgress,
): AsyncGenerator<{ value: Json; index: number; feature: boolean }, JsonElementScanner> {
  const scanner = new JsonElementScanner();
  let index = 0;
  try {
    for await (const chunk of decodedChunks(file, encoding, progress)) {
      for (const text of scanner.feed(chunk)) {
        const value = parseJsonExact(text) as Json;
        index += 1;
        yield { value, index, feature: scanner.root === 'object' };
      }
    }
    scanner.end();
  } catch (error) {
    const where = index > 0 ? ` near record ${index + 1}` : '';
    if (!(error instanceof SyntaxError)) throw error;
    throw new UnreadableSource(`the file is not valid JSON${where}: ${error.message}`);
  }
  return scanner;
}

/**
 * Opens a JSON array of objects (or of arrays) or a GeoJSON FeatureCollection, whose feature
 * properties become columns followed by a `geometry` column holding the geometry as GeoJSON.
 *
 * @example const source = await openJson('/tmp/schools.geojson', {});
 */
export async function openJson(file: string, options: ReadOptions): Promise<TableSource> {
  const keys = new Set<string>();
  let arrays = 0;
  let count = 0;
  const pass = elements(file, options.encoding);
  let step = await pass.next();
  for (; step.done !== true; step = await pass.next()) {
    const record = step.value.value;
    count += 1;
    if (Array.isArray(record)) arrays += 1;
    const fields = step.value.feature && isObject(record) ? (record['properties'] ?? null) : record;
    if (isObject(fields)) for (const column of byColumn(fields).keys()) keys.add(column);
  }
  const scanner = step.value;
  const geo = scanner.root === 'object';
  if (geo && !scanner.sawFeatures) {
    throw new UnreadableSource(
      'the JSON file is an object, not an array of records nor a GeoJSON FeatureCollection',
    );
  }
  const table = !geo && count > 0 && arrays === count;
  const columns = geo ? [...keys, geometryColumn] : [...keys];
  const progress = new ReadProgress();
  return {
    format: geo ? 'geojson' : 'json',
    sheets: [],
    rows: (report) =>
      readRecords(file, options.encoding, { geo, table, columns }, report, progress),
    bytesRead: progress.bytesRead,
  };
}

async function* readRecords(
  file: string,
  encoding: string | undefined,
  shape: { geo: boolean; table: boolean; columns: string[] },
  report: ReportCollector,
  progress: ReadProgress,
): AsyncGenerator<SourceRow[]> {
  const labels = shape.columns.map(columnLabel);
  if (shape.geo) {
    // The geometry column keeps its name, which the data API's GeoJSON export looks for; a
    // property spelt the same (in any case) is named by its path instead of taking it over.
    for (const [i, label] of labels.slice(0, -1).entries()) {
      if (label.trim().toLowerCase() !== geometryColumn) continue;
      labels[i] = `properties.${label.trim()}`;
      report.decide({
        topic: 'geometry-property',
        value: labels[i],
        reason: `the features have a property named "${label}": it is read as "${labels[i]}", and "${geometryColumn}" holds each feature's geometry`,
      });
    }
  }
  let batch: SourceRow[] = shape.table ? [] : [{ rowNumber: 0, cells: labels }];
  report.decide({
    topic: 'json-shape',
    value: shape.geo ? 'geojson-features' : shape.table ? 'array-of-arrays' : 'array-of-objects',
    reason: shape.geo
      ? 'a GeoJSON FeatureCollection: one row per feature, its properties as columns and a geometry column'
      : shape.table
        ? 'every element of the array is an array: read as rows of a table'
        : 'an array of records: the columns are all the keys, in the order first seen',
  });
  for await (const { value, index } of elements(file, encoding, progress)) {
    let cells: string[] | undefined;
    if (shape.table && Array.isArray(value)) cells = value.map((cell) => jsonCellText(cell));
    else if (shape.geo && isObject(value)) {
      const properties = byColumn(
        isObject(value['properties'] ?? null) ? (value['properties'] as JsonObject) : {},
      );
      cells = shape.columns.slice(0, -1).map((column) => jsonCellText(properties.get(column)));
      cells.push(jsonCellText(value['geometry']));
    } else if (!shape.table && !shape.geo && isObject(value)) {
      const values = byColumn(value);
      cells = shape.columns.map((column) => jsonCellText(values.get(column)));
    }
    if (cells === undefined) {
      report.error({
        code: 'format-error',
        rowNumber: index,
        cell: jsonCellText(value),
        message: `record ${index} is not ${shape.table ? 'an array' : shape.geo ? 'a feature object' : 'an object'}; it was skipped`,
      });
      continue;
    }
    batch.push({ rowNumber: index, cells });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Opens newline-delimited JSON: one object per line. A line that is not a JSON object is
 * reported as a `format-error` with its line number and skipped; blank lines are ignored.
 *
 * @example const source = await openNdjson('/tmp/readings.ndjson', {});
 */
export async function openNdjson(file: string, options: ReadOptions): Promise<TableSource> {
  const keys = new Set<string>();
  for await (const { line } of numberedLines(file, options.encoding)) {
    const value = parseLine(line);
    if (value !== undefined) for (const column of byColumn(value).keys()) keys.add(column);
  }
  const columns = [...keys];
  const progress = new ReadProgress();
  return {
    format: 'ndjson',
    sheets: [],
    rows: (report) => readLines(file, options.encoding, columns, report, progress),
    bytesRead: progress.bytesRead,
  };
}

function parseLine(line: string): JsonObject | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = parseJsonExact(line) as Json;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

async function* readLines(
  file: string,
  encoding: string | undefined,
  columns: string[],
  report: ReportCollector,
  progress: ReadProgress,
): AsyncGenerator<SourceRow[]> {
  let batch: SourceRow[] = [{ rowNumber: 0, cells: columns.map(columnLabel) }];
  for await (const { line, lineNumber } of numberedLines(file, encoding, progress)) {
    if (line.trim() === '') continue;
    const value = parseLine(line);
    if (value === undefined) {
      report.error({
        code: 'format-error',
        rowNumber: lineNumber,
        cell: line,
        message: `line ${lineNumber} is not a JSON object; it was skipped`,
      });
      continue;
    }
    const values = byColumn(value);
    batch.push({
      rowNumber: lineNumber,
      cells: columns.map((column) => jsonCellText(values.get(column))),
    });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
