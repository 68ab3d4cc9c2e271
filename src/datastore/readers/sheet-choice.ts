import { Invalid } from '../../lib/errors.js';
import { UnreadableSource } from './errors.js';
import type { ReportCollector } from '../report.js';

export interface SheetEntry {
  name: string;
  empty: boolean;
}

/**
 * The sheet to read: `requested` by 0-based index or by name, else the first non-empty one.
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
      .map((sheet, index) => `${index} "${sheet.name}"${sheet.empty ? ' (empty)' : ''}`)
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
  const chosen = sheets.find((sheet) => !sheet.empty);
  if (chosen === undefined)
    throw new UnreadableSource(`the workbook holds no data: every sheet is empty (${names})`);
  const index = sheets.indexOf(chosen);
  report.decide({
    topic: 'sheet',
    value: chosen.name,
    reason:
      index === 0
        ? 'the first sheet holds data'
        : `the first non-empty sheet; ${sheets
            .slice(0, index)
            .map((sheet) => `"${sheet.name}"`)
            .join(', ')} ${index === 1 ? 'is' : 'are'} empty`,
  });
  return chosen;
}
