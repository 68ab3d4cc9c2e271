import { Invalid } from '../../lib/errors.js';
import { UnreadableSource } from './errors.js';
import type { ReportCollector } from '../report.js';

export interface SheetEntry {
  name: string;
  empty: boolean;
  /** Hidden in the workbook (a lookup list, an old copy): not what the publisher shows. */
  hidden?: boolean;
}

/**
 * The sheet to read: `requested` by 0-based index or by name, else the first non-empty one that
 * is not hidden (the first hidden one only when every sheet with data is hidden).
 * Records the workbook's sheets, the choice and its reason; an unknown sheet is refused naming
 * the sheets there are.
 */
export function chooseSheet<T extends SheetEntry>(
  sheets: T[],
  requested: number | string | undefined,
  report: ReportCollector,
): T {
  const names = sheets.map((sheet) => `"${sheet.name}"`).join(', ');
  // Every sheet, so the publisher sees what else the workbook holds and can ask for it.
  report.decide({
    topic: 'sheets',
    value: sheets
      .map(
        (sheet, index) =>
          `${index} "${sheet.name}"${sheet.empty ? ' (empty)' : ''}${sheet.hidden === true ? ' (hidden)' : ''}`,
      )
      .join(', '),
    reason: `the workbook's ${sheets.length === 1 ? 'only sheet' : `${sheets.length} sheets`}, numbered from 0; another one is read by asking for its number or name (sheet)`,
  });
  if (requested !== undefined) {
    const byName =
      typeof requested === 'string' ? sheets.find((sheet) => sheet.name === requested) : undefined;
    const byIndex = typeof requested === 'number' ? sheets[requested] : undefined;
    // A numeric string such as "2" from a form field is a name first, then an index.
    const byNumericName =
      typeof requested === 'string' && byName === undefined && /^\d+$/.test(requested)
        ? sheets[Number(requested)]
        : undefined;
    const chosen = byName ?? byIndex ?? byNumericName;
    if (chosen === undefined) {
      throw new Invalid(
        'sheet',
        `the workbook has no sheet ${typeof requested === 'number' ? `number ${requested}` : `"${requested}"`}; its sheets are ${names}`,
      );
    }
    const index = sheets.indexOf(chosen);
    report.decide({
      topic: 'sheet',
      value: chosen.name,
      reason:
        byName !== undefined
          ? `the sheet named "${chosen.name}" was asked for`
          : `sheet number ${index} (counting from 0) was asked for`,
    });
    return chosen;
  }
  const chosen =
    sheets.find((sheet) => !sheet.empty && sheet.hidden !== true) ??
    sheets.find((sheet) => !sheet.empty);
  if (chosen === undefined)
    throw new UnreadableSource(`the workbook holds no data: every sheet is empty (${names})`);
  const index = sheets.indexOf(chosen);
  const before = sheets.slice(0, index);
  const skipped = (which: SheetEntry[]): string =>
    `${which.map((sheet) => `"${sheet.name}"`).join(', ')} ${which.length === 1 ? 'is' : 'are'}`;
  const empty = before.filter((sheet) => sheet.empty);
  const hidden = before.filter((sheet) => !sheet.empty && sheet.hidden === true);
  report.decide({
    topic: 'sheet',
    value: chosen.name,
    reason:
      chosen.hidden === true
        ? 'the first non-empty sheet, though hidden: every sheet with data is hidden'
        : index === 0
          ? 'the first sheet holds data'
          : hidden.length === 0
            ? `the first non-empty sheet; ${skipped(empty)} empty`
            : empty.length === 0
              ? `the first non-empty sheet that is not hidden; ${skipped(hidden)} hidden`
              : `the first non-empty sheet that is not hidden; ${skipped(empty)} empty, ${skipped(hidden)} hidden`,
  });
  return chosen;
}
