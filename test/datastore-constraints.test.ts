import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  checkConstraints,
  checkPatterns,
  reportConstraintErrors,
} from '../src/datastore/constraints.js';
import { ReportCollector } from '../src/datastore/report.js';

describe('checkConstraints', () => {
  const refuses = (constraints: object, type: string | undefined, message: RegExp) =>
    assert.throws(() => checkConstraints('c', constraints, type), message);

  it('takes bounds of the kind the column holds', () => {
    checkConstraints('c', { minimum: 1, maximum: 2.5 }, 'number');
    checkConstraints('c', { minimum: '2015-01-01' }, 'date');
    checkConstraints('c', { maximum: '2015-01-01T10:00:00' }, 'datetime');
    checkConstraints('c', { minimum: '08:30' }, 'time');
    checkConstraints('c', { minimum: 5 }, undefined);
    refuses({ minimum: 5 }, 'string', /a string column has no minimum/);
    refuses({ maximum: 5 }, 'boolean', /a boolean column has no maximum/);
    refuses({ minimum: '5' }, 'integer', /the minimum of an integer column is a number/);
    refuses({ minimum: 5 }, 'date', /is a date written yyyy-mm-dd/);
    refuses({ minimum: '15/01/2015' }, 'date', /"15\/01\/2015" is not a date/);
    refuses({ minimum: '2015-02-29' }, 'date', /is not a date/);
    refuses({ minimum: '24:00' }, 'time', /is not a time/);
    refuses({ minimum: 3, maximum: 2 }, 'integer', /minimum: is above the maximum/);
    refuses({ minimum: '2016-01-01', maximum: '2015-01-01' }, 'date', /above the maximum/);
    refuses({ minLength: 3, maxLength: 2 }, 'string', /minLength: is above maxLength/);
  });

  it('bounds an enum by its characters in all', () => {
    checkConstraints('c', { enum: Array.from({ length: 100 }, () => 'x'.repeat(200)) }, 'string');
    refuses({ enum: Array.from({ length: 101 }, () => 'x'.repeat(200)) }, 'string', /at most/);
  });
});

describe('checkPatterns', () => {
  it('agrees with RE2 as DuckDB runs it', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    try {
      for (const pattern of ['\\p{Lao}+', '(?i)abc', '[[:alpha:]]+', 'a{1000}', '\\x{E81}'])
        await checkPatterns(duck, [['c', pattern]]);
      for (const pattern of ['\\u0E81.*', '\\p{Script=Lao}+', 'a{2000}', '(a)\\1', '(?<=a)b', '('])
        await assert.rejects(
          checkPatterns(duck, [['c', pattern]]),
          /not a pattern DuckDB can check/,
        );
    } finally {
      duck.closeSync();
      db.closeSync();
    }
  });
});

describe('reportConstraintErrors', () => {
  it('says which bounds cannot apply to a column, instead of failing the ingest', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    try {
      await duck.run(
        `create table t as select * from (values (1, 'A', date '2015-01-01'), (2, 'B', date '2016-01-01')) v(_row, code, day)`,
      );
      const report = new ReportCollector();
      await reportConstraintErrors(
        duck,
        't',
        ['code', 'day'],
        { code: { minimum: 5, enum: ['A'] }, day: { minimum: '2015-06-01' } },
        report,
      );
      const finished = report.finish({ rows: 2, fields: 2 });
      assert.deepEqual(
        finished.errors.map((error) => error.message),
        ['"2015-01-01" in column "day" is below the minimum 2015-06-01'],
      );
      assert.match(
        finished.decisions.find((decision) => decision.fieldName === 'code')?.reason ?? '',
        /minimum or maximum of column "code" was not checked: the column holds varchar values/,
      );
    } finally {
      duck.closeSync();
      db.closeSync();
    }
  });
});
