import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Column } from '../src/dataapi/columns.js';
import { decodeCursor, encodeCursor } from '../src/dataapi/cursor.js';
import { withDeadline } from '../src/dataapi/errors.js';
import { likePattern } from '../src/dataapi/filters.js';
import { countSql, pageSql, planQuery, selectSql } from '../src/dataapi/query-plan.js';
import { foldSql } from '../src/dataapi/search.js';
import { AppError, Invalid } from '../src/lib/errors.js';

const columns: Column[] = [
  { name: 'province', type: 'string', duckType: 'VARCHAR', safeInteger: false },
  { name: 'population', type: 'integer', duckType: 'BIGINT', safeInteger: false },
  { name: 'ປີ', type: 'date', duckType: 'DATE', safeInteger: false },
];

describe('data API query plans', () => {
  it('binds every value and quotes only schema names', () => {
    const plan = planQuery(
      {
        filters: [
          { parameter: 'population', column: 'population', expression: 'gte:1000' },
          { parameter: 'province', column: 'province', expression: "in:LA01,x' or 1=1 --" },
          { parameter: 'ປີ', column: 'ປີ', expression: 'lt:2020-01-01' },
        ],
        q: 'ຫລວງ',
        order: ['-population'],
        limit: 10,
      },
      columns,
    );
    const { sql, params } = selectSql(plan, '"t"');
    assert.equal(sql.includes('or 1=1'), false);
    assert.deepEqual(params, ['1000', 'LA01', "x' or 1=1 --", '2020-01-01', 'ຫຼວງ']);
    assert.match(sql, /ORDER BY "population" DESC NULLS LAST, "_row" ASC NULLS LAST LIMIT 10$/);
    assert.match(sql, /"ປີ" < CAST\(\? AS DATE\)/);
    assert.deepEqual(countSql(plan, '"t"').params, params);
  });

  it("reads short pages in row order as 51 rows, past DuckDB's late materialization", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      'create table t as select range as _row, range % 7 as population from range(1000)',
    );
    const rendered = (outputs: { sql: string }[]) => outputs.map((output) => output.sql);
    const read = async (request: Parameters<typeof planQuery>[0]) => {
      const { sql, params } = pageSql(planQuery(request, columns.slice(1, 2)), '"t"', rendered, {
        extraRow: true,
      });
      const reader = await connection.runAndReadAll(sql, params);
      return { sql, rows: reader.getRows().map((row) => Number(row.at(-1))) };
    };
    const rowOrder = await read({ filters: [], limit: 3 });
    assert.match(rowOrder.sql, /LIMIT 51\)/);
    assert.deepEqual(rowOrder.rows.slice(0, 4), [0, 1, 2, 3]);
    assert.equal(rowOrder.rows.length, 51);
    const filtered = await read({
      filters: [{ parameter: 'population', column: 'population', expression: 'eq:3' }],
      limit: 2,
    });
    assert.deepEqual(filtered.rows.slice(0, 3), [3, 10, 17]);
    const valueOrder = await read({ filters: [], order: ['-population'], limit: 3 });
    assert.match(valueOrder.sql, /LIMIT 4\)/);
    assert.deepEqual(valueOrder.rows, [6, 13, 20, 27]);
    const large = await read({ filters: [], limit: 100 });
    assert.match(large.sql, /LIMIT 101\)/);
    connection.closeSync();
    instance.closeSync();
  });

  it('refuses unknown columns, bad values and mismatched cursors, naming the parameter', () => {
    const refusal = (request: Parameters<typeof planQuery>[0], parameter: string) =>
      assert.throws(
        () => planQuery(request, columns),
        (error: unknown) => error instanceof Invalid && error.message.startsWith(`${parameter}:`),
      );
    refusal({ filters: [{ parameter: 'x', column: 'x', expression: '1' }] }, 'x');
    refusal(
      {
        filters: [{ parameter: 'filters.population', column: 'population', expression: 'eq:1.5' }],
      },
      'filters.population',
    );
    refusal({ filters: [], limit: 1001 }, 'limit');
    refusal({ filters: [], offset: -1 }, 'offset');
    refusal(
      {
        filters: [],
        order: ['province'],
        cursor: encodeCursor({ order: ['-province'], keys: ['a', '1'] }),
      },
      'cursor',
    );
    refusal({ filters: [], cursor: encodeCursor({ order: [], keys: ['1'] }), offset: 5 }, 'cursor');
    refusal({ filters: [], groupBy: ['province'], order: ['population'] }, 'order');
    refusal({ filters: [], aggregates: ['avg:province'] }, 'agg');
  });

  it('round-trips cursors and refuses forged ones', () => {
    const state = { order: ['-population'], keys: [null, '42'] };
    assert.deepEqual(decodeCursor(encodeCursor(state)), state);
    for (const forged of [
      '',
      '!!',
      Buffer.from('[]').toString('base64url'),
      Buffer.from('{"o":[],"k":[null]}').toString('base64url'),
    ])
      assert.throws(() => decodeCursor(forged), Invalid, forged);
  });

  it('makes like patterns from * and takes % and _ literally', () => {
    assert.equal(likePattern('ab*c%_\\'), 'ab%c\\%\\_\\\\');
  });

  it('folds text in DuckDB as foldLao folds the query', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `select ${foldSql("'ຫລວງ ນໍາ ຫນອງ ຫມາ ໒໐໒໔ A\u200bB'")}`,
      );
      assert.equal(reader.getRows()[0]?.[0], 'ຫຼວງ ນຳ ໜອງ ໝາ 2024 ab');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('interrupts a query past its deadline with a 408, and leaves the connection usable', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const started = Date.now();
      await assert.rejects(
        withDeadline(connection, 200, () =>
          connection.run('select count(*) from range(100000000000)'),
        ),
        (error: unknown) => error instanceof AppError && error.status === 408,
      );
      assert.ok(Date.now() - started < 5000);
      const reader = await connection.runAndReadAll('select 42');
      assert.equal(reader.getRows()[0]?.[0], 42);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('answers 422 when a query needs more memory than allowed', async () => {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: '32MiB',
      threads: '1',
    });
    const connection = await instance.connect();
    try {
      await assert.rejects(
        withDeadline(connection, 60_000, () =>
          connection.run('select list(range) from range(50000000) group by range % 5000000'),
        ),
        (error: unknown) => error instanceof AppError && error.status === 422,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
