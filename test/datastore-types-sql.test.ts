// Every value of a corpus goes through the JS conversion and the DuckDB SQL of the same
// decision; both must give the same value, and the same cells must count as type errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  ColumnProfiler,
  convertCell,
  decide,
  decideColumn,
  decideWithOverride,
  misfit,
  sqlConversion,
  sqlMisfitCondition,
  sqlNullCondition,
  sqlString,
  sqlType,
  type ColumnDecision,
} from '../src/datastore/types/index.js';

const corpus: Record<string, string[]> = {
  'comma decimal': [
    '6.492.228,5',
    '1.234',
    '12,5',
    '-7',
    '(1.200,25)',
    '໑໒,໕',
    ' 3 ',
    '12,5 %',
    'x',
    '1.2.3',
    '',
    'N/A',
  ],
  'dot decimal': [
    '6,492,228.5',
    '1,234',
    '0.25',
    '.5',
    '-1e3',
    '1 234.5',
    "1'000.75",
    '12.5%',
    '1,23',
    '−4',
    'n.a.',
  ],
  integer: [
    '1',
    '-2',
    '+3',
    '1 000',
    '2\u00a0000',
    '3\u202f000',
    '9223372036854775807',
    'abc',
    '1.5',
    '12a',
    '#N/A',
  ],
  huge: ['12345678901234567890123', '-99999999999999999999999999999999999999', '5', 'x'],
  // Past DOUBLE's range: infinity in DuckDB and JavaScript, a misfit for both.
  'beyond DOUBLE': ['1.5e3', '1e400', '-2E+999', '(3e500)', '2.5', '1e-400', '7'],
  'iso dates': [
    '2024-03-01',
    '2024-3-9',
    '2024/03/02',
    '2024-02-29',
    '2023-02-29',
    '2024-13-01',
    'soon',
    '...',
  ],
  'day first': [
    '31/12/2024',
    '01/02/2024',
    '1.2.2024',
    '5-6-2023',
    '31/04/2024',
    '2024-05-06',
    '45352',
    'x',
  ],
  'month first': ['12/31/2024', '01/02/2024', '2/29/2024', '2/30/2024', '13/01/2024'],
  serials: ['45352', '2024-03-02', '59999', '19999', '60001', '123456'],
  datetimes: [
    '2024-03-01T08:30:00',
    '2024-03-01 8:30',
    '2024-03-01 23:59:59.123456',
    '2024-02-30 10:00',
    '2024-03-01T24:00',
    'x',
  ],
  'datetimes and dates alone': [
    '2024-03-01 08:30',
    '2024-03-02',
    '2024-3-4',
    '2024-03-04T',
    '2024/03/05',
    '2024-02-30',
    '໒໐໒໔-໐໓-໐໖',
  ],
  zoned: [
    '2024-03-01T08:30:00Z',
    '2024-03-01T08:30+07:00',
    '2024-03-01 08:30+0545',
    '2024-03-01T08:30:00.5-03',
    '2024-03-01T08:30',
    'x',
  ],
  times: ['08:30', '23:59:59', '7:05', '12:00:00.250', '24:00', '12:60', '໐໘:໓໐'],
  booleans: ['true', 'FALSE', 'Yes', 'no', 'ແມ່ນ', 'ບໍ່', 'ບໍ່ແມ່ນ', 'maybe', '1', 'none'],
  text: ["it's", 'Vientiane', ' ', '', 'NA', 'ນະຄອນຫຼວງວຽງຈັນ'],
};

/** The DuckDB value written the way convertCell writes it. */
function fromDuck(value: unknown, decision: ColumnDecision): unknown {
  if (value === null || typeof value === 'boolean') return value;
  const text = String(value);
  switch (decision.type) {
    case 'integer':
      return BigInt(text);
    case 'decimal': {
      const n = Number(text);
      return n === 0 ? 0 : n;
    }
    case 'datetime':
      return text.replace(' ', 'T').replace(/\+00$/, 'Z');
    default:
      return text;
  }
}

function fromJs(value: unknown, decision: ColumnDecision): unknown {
  if (value === misfit) return null;
  if (decision.type === 'integer' && value !== null) return BigInt(value as number | bigint);
  return value;
}

function decisionsFor(values: string[]): ColumnDecision[] {
  const profiler = new ColumnProfiler('date');
  for (const value of values) profiler.observe(value);
  const profile = profiler.profile();
  const forced: ColumnDecision[] = [decide(profile)];
  // Force every type too, so that each conversion meets values it does not expect.
  for (const type of [
    'integer',
    'decimal',
    'date',
    'datetime',
    'time',
    'boolean',
    'text',
  ] as const) {
    forced.push(decideWithOverride(profile, { type }));
  }
  forced.push(decideWithOverride(profile, { type: 'decimal', format: 'decimal-comma' }));
  forced.push(decideWithOverride(profile, { type: 'date', format: 'mdy' }));
  return forced;
}

describe('JS and DuckDB conversions agree', () => {
  let connection: DuckDBConnection;
  before(async () => {
    const db = await DuckDBInstance.create(':memory:');
    connection = await db.connect();
    await connection.run("SET TimeZone = 'UTC'");
  });
  after(() => connection.closeSync());

  for (const [name, values] of Object.entries(corpus)) {
    it(`on ${name}`, async () => {
      const rows = values.map((v, i) => `(${i}, ${sqlString(v)})`).join(', ');
      await connection.run(`CREATE OR REPLACE TABLE raw AS SELECT * FROM (VALUES ${rows}) t(i, v)`);
      for (const decision of decisionsFor(values)) {
        const col = '"v"';
        const sql = `SELECT i, CAST(${sqlConversion(col, decision)} AS ${sqlType(decision)}) AS typed,
          ${sqlMisfitCondition(col, decision)} AS bad, ${sqlNullCondition(col, decision)} AS empty
          FROM raw ORDER BY i`;
        const result = (await connection.runAndReadAll(sql)).getRowObjects();
        let misfits = 0;
        for (const row of result) {
          const raw = values[Number(row.i)] ?? '';
          const js = convertCell(raw, decision);
          const where = `${decision.type} ${sqlType(decision)} ${JSON.stringify(raw)}`;
          assert.deepEqual(fromDuck(row.typed, decision), fromJs(js, decision), where);
          assert.equal(row.bad, js === misfit, `misfit ${where}`);
          if (js === misfit) misfits += 1;
        }
        if (!decision.overridden) assert.equal(misfits, decision.counts.misfits, `count ${name}`);
      }
    });
  }
});

describe('plain conversions (every cell converts, none padded or in Lao digits) agree with JS', () => {
  let connection: DuckDBConnection;
  before(async () => {
    const db = await DuckDBInstance.create(':memory:');
    connection = await db.connect();
    await connection.run("SET TimeZone = 'UTC'");
  });
  after(() => connection.closeSync());

  const plainCorpus: Record<string, string[]> = {
    ...corpus,
    'dot decimals written plainly': ['12.5', '-3', '+4.25', '1e3', '0.001', '1,234.5', '(7)', '-'],
    'plain numbers beyond DOUBLE': ['1e3', '2.5', '1e400', '-1e400', '7'],
    'comma decimals written plainly': ['6.492.228,5', '12,5', '-7', '(1.200,25)', '3', '12,5 %'],
    'dot percents': ['12.5%', '-3 %', '+4.25%', '100%', '0.5%', '1,234.5%', '(7)%', '-'],
    'comma percents': ['12,5%', '-3 %', '1.234,5 %', '(7,25)%', '−4%', '0,5%', 'n/a'],
    'whole percents': ['12%', '-3 %', '100%', '1 000%', "2'000 %", '7'],
    'day-first dates in every spelling': ['31/12/2024', '1/2/2024', '1.2.2024', '5-6-2023', ''],
    'month-first dates': ['12/31/2024', '1/2/2024', '02-28-2023', 'n/a'],
  };

  for (const [name, values] of Object.entries(plainCorpus)) {
    it(`on ${name}`, async () => {
      const written = values.filter((v) => v.trim() === v && !/[໐-໙]/.test(v));
      const first = new ColumnProfiler(name);
      for (const value of written) first.observe(value);
      const fitting = written.filter((v) => convertCell(v, decide(first.profile())) !== misfit);
      const profiler = new ColumnProfiler(name);
      for (const value of fitting) profiler.observe(value);
      const decision = decideColumn(profiler, name);
      assert.equal(decision.plain, true, `${name} is plain`);
      const rows = fitting.map((v, i) => `(${i}, ${sqlString(v)})`).join(', ');
      await connection.run(`CREATE OR REPLACE TABLE raw AS SELECT * FROM (VALUES ${rows}) t(i, v)`);
      const sql = `SELECT i, CAST(${sqlConversion('"v"', decision)} AS ${sqlType(decision)}) AS typed
        FROM raw ORDER BY i`;
      for (const row of (await connection.runAndReadAll(sql)).getRowObjects()) {
        const raw = fitting[Number(row.i)] ?? '';
        const where = `${decision.type} ${sqlType(decision)} ${JSON.stringify(raw)}`;
        assert.deepEqual(
          fromDuck(row.typed, decision),
          fromJs(convertCell(raw, decision), decision),
          where,
        );
      }
    });
  }

  it('converts a text column the same whether or not Lao digits came after only text was left', async () => {
    // Past the first thousand values every other type is ruled out and the scan stops looking
    // for Lao digits: the column may be called plain, and must then read exactly the same.
    const values = [
      ...Array.from({ length: 1500 }, (_, i) => `ເມືອງ ${i}`),
      'ບ້ານ ໑໒',
      '໑໒໓',
      '',
      'N/A',
    ];
    const profiler = new ColumnProfiler('place');
    for (const value of values) profiler.observe(value);
    const decision = decideColumn(profiler, 'place');
    assert.equal(decision.type, 'text');
    const rows = values.map((v, i) => `(${i}, ${sqlString(v)})`).join(', ');
    await connection.run(`CREATE OR REPLACE TABLE raw AS SELECT * FROM (VALUES ${rows}) t(i, v)`);
    for (const plain of [true, false]) {
      const sql = `SELECT i, ${sqlConversion('"v"', { ...decision, plain })} AS typed FROM raw ORDER BY i`;
      for (const row of (await connection.runAndReadAll(sql)).getRowObjects()) {
        const raw = values[Number(row.i)] ?? '';
        assert.deepEqual(row.typed, fromJs(convertCell(raw, decision), decision), raw);
      }
    }
  });

  it('is not claimed for padded cells, Lao digits or type errors', () => {
    for (const values of [
      [' 12', '3'],
      ['໑໒', '3'],
      ['12', 'x', ...Array(20).fill('5')],
    ]) {
      const profiler = new ColumnProfiler('n');
      for (const value of values) profiler.observe(value);
      assert.equal(decideColumn(profiler, 'n').plain, false, JSON.stringify(values));
    }
  });
});
