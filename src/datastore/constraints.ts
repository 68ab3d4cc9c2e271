import type { DuckDBConnection } from '@duckdb/node-api';
import { Invalid } from '../lib/errors.js';
import { shortened, withArticle } from '../lib/text.js';
import type { ReportCollector } from './report.js';
import { quoteIdentifier, quoteLiteral } from './table-store.js';

/** What a publisher may require of a column's values (Frictionless Table Schema constraints). */
export interface FieldConstraints {
  required?: boolean;
  unique?: boolean;
  /** A number, or for dates and times an ISO 8601 value (`2015-01-31`, `08:30`). */
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: string[];
}

/** The most values an enum may list, and their characters in all. */
export const maxEnumValues = 500;
export const maxEnumCharacters = 20_000;

const examplesPerCheck = 20;
/** Values of an enum a message names before "…": the list itself is in the schema. */
const enumValuesShown = 5;

/** One check: the SQL condition a breaking cell meets, and how to tell the publisher. */
interface Check {
  condition: string;
  says: string;
}

/** A bound in SQL: numbers as written, ISO dates and times as literals DuckDB casts to the column's type. */
const sqlBound = (bound: number | string) =>
  typeof bound === 'number' ? String(Number(bound)) : quoteLiteral(bound);

/** An enum for a message: the first few values, then how many more. */
function enumForMessage(values: readonly string[]): string {
  const shown = values.slice(0, enumValuesShown).map((value) => `"${shortened(value, 40)}"`);
  const more = values.length - shown.length;
  return more > 0 ? `${shown.join(', ')}, … (${values.length} values)` : shown.join(', ');
}

function checksOf(column: string, constraints: FieldConstraints): Check[] {
  const checks: Check[] = [];
  const text = `cast(${column} as varchar)`;
  if (constraints.required) checks.push({ condition: `${column} is null`, says: 'is required' });
  if (constraints.minimum !== undefined)
    checks.push({
      condition: `${column} < ${sqlBound(constraints.minimum)}`,
      says: `is below the minimum ${constraints.minimum}`,
    });
  if (constraints.maximum !== undefined)
    checks.push({
      condition: `${column} > ${sqlBound(constraints.maximum)}`,
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
      says: `does not match the pattern ${shortened(constraints.pattern, 100)}`,
    });
  if (constraints.enum !== undefined && constraints.enum.length > 0)
    checks.push({
      condition: `${text} not in (${constraints.enum.map(quoteLiteral).join(', ')})`,
      says: `is not one of ${enumForMessage(constraints.enum)}`,
    });
  return checks;
}

/** The Frictionless types whose values are ordered, and the kind of bound each takes. */
const boundKinds: Record<string, { kind: string; written: RegExp } | 'number'> = {
  integer: 'number',
  number: 'number',
  date: { kind: 'a date written yyyy-mm-dd', written: /^\d{4}-\d{2}-\d{2}$/ },
  datetime: {
    kind: 'a date and time written yyyy-mm-ddThh:mm:ss',
    written: /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/,
  },
  time: { kind: 'a time written hh:mm:ss', written: /^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/ },
};

/** Whether an ISO date, date-time or time names a real moment (no 31 February, no 25:00). */
function realMoment(value: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const parsed = new Date(Date.UTC(year, month - 1, day));
    if (parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) return false;
  }
  const time = /(?:^|[T ])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  return !time || (Number(time[1]) < 24 && Number(time[2]) < 60 && Number(time[3] ?? 0) < 60);
}

/**
 * Checks constraints against the type of the column they are for (a Frictionless type; undefined
 * when the column is known only once the file is read), so that the ingest never meets a bound
 * it cannot compare. Patterns are checked apart, by RE2 (checkPatterns).
 */
export function checkConstraints(
  name: string,
  constraints: FieldConstraints,
  type: string | undefined,
): void {
  const { minimum, maximum, minLength, maxLength } = constraints;
  for (const [key, bound] of [
    ['minimum', minimum],
    ['maximum', maximum],
  ] as const) {
    if (bound === undefined || type === undefined) continue;
    const wanted = boundKinds[type];
    if (wanted === undefined)
      throw new Invalid(
        `constraints.${key}`,
        `${withArticle(type)} column has no ${key}: only numbers, dates and times do (column ${name})`,
      );
    if (wanted === 'number' ? typeof bound !== 'number' : typeof bound !== 'string')
      throw new Invalid(
        `constraints.${key}`,
        `the ${key} of ${withArticle(type)} column is ${wanted === 'number' ? 'a number' : wanted.kind} (column ${name})`,
      );
    if (wanted !== 'number' && (!wanted.written.test(String(bound)) || !realMoment(String(bound))))
      throw new Invalid(
        `constraints.${key}`,
        `"${String(bound)}" is not ${wanted.kind} (column ${name})`,
      );
  }
  // ISO forms of one kind sort as their moments do.
  if (minimum !== undefined && maximum !== undefined && minimum > maximum)
    throw new Invalid('constraints.minimum', `is above the maximum (column ${name})`);
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength)
    throw new Invalid('constraints.minLength', `is above maxLength (column ${name})`);
  if (constraints.enum !== undefined) {
    const characters = constraints.enum.reduce((sum, value) => sum + value.length, 0);
    if (characters > maxEnumCharacters)
      throw new Invalid(
        'constraints.enum',
        `lists ${characters} characters in all; at most ${maxEnumCharacters} are allowed (column ${name})`,
      );
  }
}

/**
 * Refuses the patterns that DuckDB's regular expressions (RE2, as the ingest runs them) refuse:
 * back-references, look-around, `\u` escapes, `\p{Script=…}`, repetitions over 1000. RE2 itself
 * judges, on a connection of the node's table store: a JavaScript imitation accepted some of
 * these and refused RE2's own `\p{Lao}` and `(?i)`.
 */
export async function checkPatterns(
  connection: DuckDBConnection,
  patterns: ReadonlyArray<[string, string]>,
): Promise<void> {
  for (const [name, pattern] of patterns) {
    const statement = await connection.prepare(`select regexp_full_match('', $1)`);
    statement.bindVarchar(1, pattern);
    try {
      await statement.run();
    } catch (error) {
      const reason = (error as Error).message.replace(/^Invalid Input Error: /, '');
      throw new Invalid(
        'constraints.pattern',
        `"${shortened(pattern, 100)}" (column ${name}) is not a pattern DuckDB can check: ${shortened(reason, 200)}`,
      );
    }
  }
}

/** The DuckDB types a bound of each kind compares with. */
const orderedTypes =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*|DATE|TIMESTAMP.*|TIME.*)$/;
const numericTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U.*INT|FLOAT|DOUBLE|DECIMAL.*)$/;

/**
 * Constraints that cannot apply to the column as this file has it (a minimum carried over to a
 * replacement file whose column holds text): said in the report and left out, since a bound
 * DuckDB cannot compare would fail the whole ingest.
 */
function unusable(constraints: FieldConstraints, duckType: string): string | undefined {
  for (const bound of [constraints.minimum, constraints.maximum]) {
    if (bound === undefined) continue;
    if (!orderedTypes.test(duckType)) return `the column holds ${duckType.toLowerCase()} values`;
    if ((typeof bound === 'number') !== numericTypes.test(duckType))
      return `a bound ${String(bound)} does not compare with ${duckType.toLowerCase()} values`;
  }
  return undefined;
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
  const described = await duck.runAndReadAll(`describe select * from ${source}`);
  const duckTypes = new Map(
    described.getRows().map(([name, type]) => [String(name), String(type)]),
  );
  for (const [field, wanted] of Object.entries(constraints)) {
    const index = names.indexOf(field);
    if (index === -1) continue;
    const column = quoteIdentifier(field);
    const why = unusable(wanted, duckTypes.get(field) ?? 'VARCHAR');
    if (why !== undefined) {
      report.decide({
        topic: 'constraints',
        value: 'not checked',
        reason: `the minimum or maximum of column "${field}" was not checked: ${why}`,
        fieldName: field,
      });
      continue;
    }
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
          message: `${value === null ? 'an empty cell' : `"${shortened(String(value), 80)}"`} in column "${field}" ${check.says}`,
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
          message: `"${shortened(String(value), 80)}" appears ${String(count)} times in column "${field}", which must be unique`,
        });
    }
  }
}
