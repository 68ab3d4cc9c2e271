import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReportCollector } from './report.js';
import { quoteIdentifier, quoteLiteral } from './table-store.js';

/** What a publisher may require of a column's values (Frictionless Table Schema constraints). */
export interface FieldConstraints {
  required?: boolean;
  unique?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: string[];
}

const examplesPerCheck = 20;

/** One check: the SQL condition a breaking cell meets, and how to tell the publisher. */
interface Check {
  condition: string;
  says: string;
}

function checksOf(column: string, constraints: FieldConstraints): Check[] {
  const checks: Check[] = [];
  const text = `cast(${column} as varchar)`;
  if (constraints.required) checks.push({ condition: `${column} is null`, says: 'is required' });
  if (constraints.minimum !== undefined)
    checks.push({
      condition: `${column} < ${Number(constraints.minimum)}`,
      says: `is below the minimum ${constraints.minimum}`,
    });
  if (constraints.maximum !== undefined)
    checks.push({
      condition: `${column} > ${Number(constraints.maximum)}`,
      says: `is above the maximum ${constraints.maximum}`,
    });
  if (constraints.minLength !== undefined)
    checks.push({
      condition: `length(${text}) < ${Math.trunc(constraints.minLength)}`,
      says: `is shorter than ${constraints.minLength} characters`,
    });
  if (constraints.maxLength !== undefined)
    checks.push({
      condition: `length(${text}) > ${Math.trunc(constraints.maxLength)}`,
      says: `is longer than ${constraints.maxLength} characters`,
    });
  if (constraints.pattern !== undefined)
    checks.push({
      condition: `not regexp_full_match(${text}, ${quoteLiteral(constraints.pattern)})`,
      says: `does not match the pattern ${constraints.pattern}`,
    });
  if (constraints.enum !== undefined && constraints.enum.length > 0)
    checks.push({
      condition: `${text} not in (${constraints.enum.map(quoteLiteral).join(', ')})`,
      says: `is not one of ${constraints.enum.join(', ')}`,
    });
  return checks;
}

/**
 * Checks the typed rows (`source`, a DuckDB table expression with `_row`) against the publisher's
 * constraints, reporting `constraint-error` with the row and column of the first few breaches and
 * the total of each. The data is kept as it is: constraints describe what it should be.
 */
export async function reportConstraintErrors(
  duck: DuckDBConnection,
  source: string,
  names: readonly string[],
  constraints: Readonly<Record<string, FieldConstraints>>,
  report: ReportCollector,
): Promise<void> {
  for (const [field, wanted] of Object.entries(constraints)) {
    const index = names.indexOf(field);
    if (index === -1) continue;
    const column = quoteIdentifier(field);
    const checks = checksOf(column, wanted);
    for (const check of checks) {
      const found = await duck.runAndReadAll(
        `select _row, cast(${column} as varchar) from ${source}
         where ${check.condition} order by _row limit ${examplesPerCheck}`,
      );
      const rows = found.getRows();
      if (rows.length === 0) continue;
      for (const [rowNumber, value] of rows)
        report.error({
          code: 'constraint-error',
          rowNumber: Number(rowNumber),
          fieldNumber: index + 1,
          fieldName: field,
          ...(value !== null && { cell: String(value) }),
          message: `${value === null ? 'an empty cell' : `"${String(value)}"`} in column "${field}" ${check.says}`,
        });
      if (rows.length === examplesPerCheck) {
        const counted = await duck.runAndReadAll(
          `select count(*) from ${source} where ${check.condition}`,
        );
        report.count('constraint-error', Number(counted.getRows()[0]?.[0] ?? 0) - rows.length);
      }
    }
    if (wanted.unique) {
      const duplicates = await duck.runAndReadAll(
        `select min(_row), cast(${column} as varchar), count(*) from ${source}
         where ${column} is not null group by ${column} having count(*) > 1
         order by 1 limit ${examplesPerCheck}`,
      );
      for (const [rowNumber, value, count] of duplicates.getRows())
        report.error({
          code: 'constraint-error',
          rowNumber: Number(rowNumber),
          fieldNumber: index + 1,
          fieldName: field,
          cell: String(value),
          message: `"${String(value)}" appears ${String(count)} times in column "${field}", which must be unique`,
        });
    }
  }
}
