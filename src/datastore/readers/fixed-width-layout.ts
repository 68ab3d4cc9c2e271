// Column layouts of fixed-width files: as a publisher sends them, or read from a layout file.
import Papa from 'papaparse';
import { Invalid } from '../../lib/errors.js';
import type { FixedWidthLayout } from '../source.js';

/**
 * A layout names each column once, ignoring case as DuckDB does, and places it at whole
 * positions: checked where a publisher sends a layout and where a layout file is read.
 */
export function checkLayout(layout: FixedWidthLayout): void {
  const seen = new Set<string>();
  for (const [i, field] of layout.fields.entries()) {
    const at = `fixedWidth.fields.${i}.name`;
    if (field.name.trim() === '') throw new Invalid(at, 'every field of the layout needs a name');
    const key = field.name.trim().toLowerCase();
    if (seen.has(key))
      throw new Invalid(
        at,
        `the layout names the field "${field.name}" twice (names that differ only in case are one name)`,
      );
    seen.add(key);
    if (
      !Number.isInteger(field.start) ||
      field.start < 1 ||
      !Number.isInteger(field.width) ||
      field.width < 1
    ) {
      throw new Invalid(
        'fixedWidth',
        `field "${field.name}": start and width must be whole numbers from 1`,
      );
    }
  }
  if (
    layout.skipLines !== undefined &&
    (!Number.isInteger(layout.skipLines) || layout.skipLines < 0)
  ) {
    throw new Invalid('fixedWidth', 'skipLines must be a whole number from 0');
  }
}

/**
 * Reads a layout file: CSV `name,start,width` lines (a header line is optional), or JSON
 * `{"fields": [{"name", "start", "width"}], "skipLines"?}` as Frictionless-style tools write.
 *
 * @example parseFixedWidthLayout('name,start,width\npcode,1,4\nname_lo,5,30')
 */
export function parseFixedWidthLayout(text: string): FixedWidthLayout {
  const source = text.replace(/^\uFEFF/, '');
  const layout = source.trim().startsWith('{')
    ? layoutFromJson(source.trim())
    : layoutFromCsv(source);
  if (layout.fields.length === 0)
    throw new Invalid('fixedWidth', 'the layout file lists no fields');
  checkLayout(layout);
  return layout;
}

function layoutFromJson(source: string): FixedWidthLayout {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new Invalid(
      'fixedWidth',
      `the layout file is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const { fields, skipLines } = (parsed ?? {}) as { fields?: unknown; skipLines?: unknown };
  if (!Array.isArray(fields))
    throw new Invalid('fixedWidth', 'the JSON layout needs a "fields" array');
  const layout: FixedWidthLayout = {
    fields: fields.map((field: unknown, index) => {
      const { name, start, width } = (field ?? {}) as {
        name?: unknown;
        start?: unknown;
        width?: unknown;
      };
      if (typeof name !== 'string' || typeof start !== 'number' || typeof width !== 'number') {
        throw new Invalid(
          'fixedWidth',
          `field ${index + 1} of the layout needs a name, a start and a width`,
        );
      }
      return { name, start, width };
    }),
  };
  if (typeof skipLines === 'number') layout.skipLines = skipLines;
  return layout;
}

function layoutFromCsv(source: string): FixedWidthLayout {
  // Errors name the line of the file as an editor shows it: blank lines and the header count.
  const rows: Array<{ cells: string[]; line: number }> = [];
  let cursor = 0;
  Papa.parse<string[]>(source, {
    skipEmptyLines: 'greedy',
    step: (result) => {
      // Blank lines skipped before the row hold only white space: its first line has the first
      // character that is not.
      const start = cursor + Math.max(0, source.slice(cursor).search(/\S/));
      rows.push({
        cells: result.data.map((cell) => cell.trim()),
        line: lineAt(source, start),
      });
      cursor = result.meta.cursor;
    },
  });
  const isNumber = (cell: string | undefined): boolean => cell !== undefined && /^\d+$/.test(cell);
  // A first line whose start and width are not numbers is the header.
  const first = rows[0]?.cells;
  const body = first && !(isNumber(first[1]) && isNumber(first[2])) ? rows.slice(1) : rows;
  return {
    fields: body.map(({ cells, line }) => {
      const [name, start, width] = cells;
      if (name === undefined || !isNumber(start) || !isNumber(width)) {
        throw new Invalid('fixedWidth', `line ${line} of the layout must read name,start,width`);
      }
      return { name, start: Number(start), width: Number(width) };
    }),
  };
}

/** The 1-based line of `text` that character `index` is on. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1))
    line += 1;
  return line;
}
