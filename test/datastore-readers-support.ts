import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportCollector, type ValidationReport } from '../src/datastore/report.js';
import type { SourceRow, TableSource } from '../src/datastore/source.js';

/** Test helpers shared by the datastore reader tests. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`fixtures/datastore/${name}`, import.meta.url));

export const provinces = readFileSync(fixture('provinces.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

/** Every row of the source and the report the reader filled. */
export async function readAll(
  source: TableSource,
): Promise<{ rows: SourceRow[]; report: ValidationReport }> {
  const collector = new ReportCollector();
  const rows: SourceRow[] = [];
  for await (const batch of source.rows(collector)) rows.push(...batch);
  return { rows, report: collector.finish({ rows: rows.length, fields: 0 }) };
}

/** A temporary directory removed when the test file ends. */
export function temporaryDirectory(after: (fn: () => void) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'khomoun-readers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
