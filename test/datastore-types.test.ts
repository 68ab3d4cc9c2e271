import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ColumnProfiler,
  convertCell,
  decide,
  decideColumn,
  decideWithOverride,
  misfit,
  sqlType,
  type ColumnDecision,
  type ColumnProfile,
} from '../src/datastore/types/index.js';

function profileOf(values: string[], name = 'value'): ColumnProfile {
  const profiler = new ColumnProfiler(name);
  for (const value of values) profiler.observe(value);
  return profiler.profile();
}

function decideValues(values: string[], name = 'value'): ColumnDecision {
  return decide(profileOf(values, name));
}

function convertAll(values: string[], decision: ColumnDecision): unknown[] {
  return values.map((value) => convertCell(value, decision));
}

describe('number conventions', () => {
  it('reads dot thousands and comma decimals (Lao convention)', () => {
    const values = ['6.492.228,5', '1.234', '12,5', '7'];
    const decision = decideValues(values);
    assert.equal(decision.type, 'decimal');
    assert.equal(decision.number?.decimalMark, ',');
    assert.match(decision.reason, /comma as decimal mark \(seen 6\.492\.228,5\)/);
    assert.deepEqual(convertAll(values, decision), [6492228.5, 1234, 12.5, 7]);
    assert.equal(sqlType(decision), 'DECIMAL(8,1)');
  });

  it('reads comma thousands and dot decimals', () => {
    const values = ['6,492,228.5', '1,234', '0.25'];
    const decision = decideValues(values);
    assert.equal(decision.number?.decimalMark, '.');
    assert.deepEqual(convertAll(values, decision), [6492228.5, 1234, 0.25]);
  });

  it('reads spaces, no-break spaces and apostrophes as thousands marks', () => {
    const values = ['1 234 567', '2\u00a0345', '3\u202f456,75', "1'000"];
    const decision = decideValues(values);
    assert.equal(decision.number?.decimalMark, ',');
    assert.deepEqual(convertAll(values, decision), [1234567, 2345, 3456.75, 1000]);
  });

  it('resolves 1.234 by the other values of the column', () => {
    assert.deepEqual(convertAll(['1.234'], decideValues(['1.234', '12.5'])), [1.234]);
    assert.deepEqual(convertAll(['1.234'], decideValues(['1.234', '12,5'])), [1234]);
  });

  it('assumes thousands groups when nothing decides, and says so', () => {
    const dots = decideValues(['1.234', '5.678', '900']);
    assert.equal(dots.type, 'integer');
    assert.equal(dots.number?.decimalMark, ',');
    assert.match(dots.reason, /dot assumed to separate thousands/);
    const commas = decideValues(['1,234', '12,345']);
    assert.equal(commas.type, 'integer');
    assert.deepEqual(convertAll(['1,234', '12,345'], commas), [1234, 12345]);
    assert.match(commas.reason, /comma assumed to separate thousands/);
  });

  it('keeps signs, parentheses negatives and Lao digits', () => {
    const values = ['+5', '-12', '\u22123', '(1,200)', '໑໒໓', '໒,໕໐໐'];
    const decision = decideValues(values);
    assert.equal(decision.type, 'integer');
    assert.deepEqual(convertAll(values, decision), [5, -12, -3, -1200, 123, 2500]);
  });

  it('keeps percentages as written and says they are percentages', () => {
    const decision = decideValues(['12.5%', '3 %', '100%']);
    assert.equal(decision.type, 'decimal');
    assert.equal(decision.number?.percent, true);
    assert.match(decision.reason, /percentages \(seen 12\.5%\).*not divided by 100/);
    assert.deepEqual(convertAll(['12.5%', '3 %'], decision), [12.5, 3]);
  });

  it('stores exponents as DOUBLE', () => {
    const decision = decideValues(['1e+21', '2.5', '3']);
    assert.equal(sqlType(decision), 'DOUBLE');
    assert.equal(convertCell('1e+21', decision), 1e21);
  });
});

describe('integers that must stay exact or stay text', () => {
  it('uses BIGINT up to 18 digits and HUGEINT beyond', () => {
    assert.equal(sqlType(decideValues(['123456789012345678', '1'])), 'BIGINT');
    const big = decideValues(['12345678901234567890123', '9007199254740993']);
    assert.equal(sqlType(big), 'HUGEINT');
    assert.equal(convertCell('12345678901234567890123', big), 12345678901234567890123n);
    assert.equal(convertCell('9007199254740993', big), 9007199254740993n);
    assert.match(big.reason, /kept exact as HUGEINT/);
  });

  it('keeps identifiers longer than 38 digits as text', () => {
    const decision = decideValues(['1'.repeat(40), '2'.repeat(40)]);
    assert.equal(decision.type, 'text');
    assert.match(decision.reason, /40 digits/);
  });

  it('keeps codes with leading zeros as text', () => {
    for (const values of [
      ['0101', '0102', '1201'],
      ['020 5555 1234', '020 5555 9876'],
      ['01000'],
    ]) {
      const decision = decideValues(values);
      assert.equal(decision.type, 'text', values.join());
    }
    assert.match(decideValues(['0101', '1201']).reason, /leading zeros \(seen 0101\)/);
    assert.equal(decideValues(['0', '0.5', '10']).type, 'decimal');
  });
});

describe('null markers', () => {
  it('counts markers as nulls, never as misfits', () => {
    const markers = [
      '',
      '  ',
      '-',
      '–',
      '..',
      '...',
      'N/A',
      'n/a',
      'NA',
      'n.a.',
      'null',
      'NULL',
      'none',
      '#N/A',
    ];
    const decision = decideValues([...markers, '1', '2']);
    assert.equal(decision.type, 'integer');
    assert.deepEqual(decision.counts, {
      cells: markers.length + 2,
      nulls: markers.length,
      misfits: 0,
    });
    for (const marker of markers) assert.equal(convertCell(marker, decision), null, marker);
  });

  it('keeps markers as given in text columns, only blanks become null', () => {
    const decision = decideValues(['Vientiane', 'NA', '']);
    assert.equal(decision.type, 'text');
    assert.equal(convertCell('NA', decision), 'NA');
    assert.equal(convertCell(' ', decision), null);
  });
});

describe('dates and times', () => {
  it('reads ISO dates', () => {
    const decision = decideValues(['2024-03-01', '2024-3-9']);
    assert.equal(decision.type, 'date');
    assert.deepEqual(convertAll(['2024-03-01', '2024-3-9'], decision), [
      '2024-03-01',
      '2024-03-09',
    ]);
  });

  it('reads day first when a first part is above 12', () => {
    const decision = decideValues(['01/02/2024', '31/12/2024', '5.6.2023']);
    assert.equal(decision.date?.order, 'dmy');
    assert.match(decision.reason, /day first \(seen 31\/12\/2024\)/);
    assert.deepEqual(convertAll(['01/02/2024', '5.6.2023'], decision), [
      '2024-02-01',
      '2023-06-05',
    ]);
  });

  it('reads month first when a second part is above 12', () => {
    const decision = decideValues(['01/02/2024', '12/31/2024', '3-4-2024']);
    assert.equal(decision.date?.order, 'mdy');
    assert.deepEqual(convertAll(['01/02/2024', '3-4-2024'], decision), [
      '2024-01-02',
      '2024-03-04',
    ]);
  });

  it('assumes day first when nothing decides, and says so', () => {
    const decision = decideValues(['01/02/2024', '03/04/2024']);
    assert.equal(decision.date?.order, 'dmy');
    assert.match(decision.reason, /day first assumed as used in Laos/);
  });

  it('rejects impossible dates as misfits', () => {
    const decision = decideValues(['2024-02-29', '2023-02-28', ...Array(200).fill('2024-01-01')]);
    assert.equal(convertCell('2023-02-29', decision), misfit);
    assert.equal(convertCell('31/04/2024', decision), misfit);
  });

  it('reads Excel serials under a date header or among dates, never in plain integers', () => {
    const serials = ['45352', '45353', '45400'];
    const byHeader = decideValues(serials, 'Report date');
    assert.equal(byHeader.type, 'date');
    assert.match(byHeader.reason, /Excel serial/);
    assert.equal(convertCell('45352', byHeader), '2024-03-01');
    assert.equal(decideValues(serials, 'ວັນທີ ລາຍງານ').type, 'date');
    assert.equal(decideValues(serials, 'population').type, 'integer');
    assert.equal(decideValues(serials, 'candidates').type, 'integer');
    assert.equal(decideValues(['2024', '2025'], 'date').type, 'integer');
    const mixed = decideValues(['2024-03-01', '45353', '02/03/2024']);
    assert.equal(mixed.type, 'date');
    assert.equal(convertCell('45353', mixed), '2024-03-02');
  });

  it('reads datetimes with and without zones', () => {
    const naive = decideValues([
      '2024-03-01T08:30:00',
      '2024-03-01 8:30',
      '2024-03-01 23:59:59.25',
    ]);
    assert.equal(sqlType(naive), 'TIMESTAMP');
    assert.deepEqual(convertAll(['2024-03-01 8:30', '2024-03-01 23:59:59.25'], naive), [
      '2024-03-01T08:30:00',
      '2024-03-01T23:59:59.25',
    ]);
    const zoned = decideValues([
      '2024-03-01T08:30:00Z',
      '2024-03-01T08:30+07:00',
      '2024-03-01 08:30+0545',
    ]);
    assert.equal(sqlType(zoned), 'TIMESTAMPTZ');
    assert.deepEqual(convertAll(['2024-03-01T08:30+07:00', '2024-03-01 08:30+0545'], zoned), [
      '2024-03-01T01:30:00Z',
      '2024-03-01T02:45:00Z',
    ]);
  });

  it('reads ISO dates alone among datetimes as midnight, and keeps a column of dates alone a date', () => {
    const mixed = decideValues(['2024-03-01 08:30', '2024-03-02', '2024-3-4T17:05:10']);
    assert.equal(mixed.type, 'datetime');
    assert.equal(mixed.counts.misfits, 0);
    assert.match(mixed.reason, /1 of them dates alone, read as midnight/);
    assert.deepEqual(convertAll(['2024-03-02', '2024-3-4', '02/03/2024'], mixed), [
      '2024-03-02T00:00:00',
      '2024-03-04T00:00:00',
      misfit,
    ]);
    // Past the point where the date type is ruled out, a date alone is still a datetime's.
    const times = Array.from({ length: 1200 }, (_, i) => `2024-03-01 08:${10 + (i % 40)}`);
    const lateProfile = profileOf([...times, '2024-03-02', '໒໐໒໔-໐໓-໐໓']);
    assert.equal(lateProfile.date.ruledOut, true);
    const late = decide(lateProfile);
    assert.equal(late.type, 'datetime');
    assert.equal(late.counts.misfits, 0);
    const dates = ['2024-03-01', '2024-03-02'];
    assert.equal(decideValues(dates).type, 'date');
    const forced = decideWithOverride(profileOf(dates), { type: 'datetime' });
    assert.equal(forced.counts.misfits, 0);
    assert.deepEqual(convertAll(dates, forced), ['2024-03-01T00:00:00', '2024-03-02T00:00:00']);
    // With zones, midnight where is not known: a date alone is a type error.
    const instants = Array.from({ length: 40 }, (_, i) => `2024-03-01T08:${10 + i}+07:00`);
    const zoned = decideValues([...instants, '2024-03-02']);
    assert.equal(sqlType(zoned), 'TIMESTAMPTZ');
    assert.equal(zoned.counts.misfits, 1);
    assert.equal(convertCell('2024-03-02', zoned), misfit);
  });

  it('reads times', () => {
    const decision = decideValues(['08:30', '23:59:59', '7:05']);
    assert.equal(decision.type, 'time');
    assert.deepEqual(convertAll(['7:05', '24:00'], decision), ['07:05:00', misfit]);
  });
});

describe('booleans', () => {
  it('reads English and Lao spellings', () => {
    const values = ['true', 'FALSE', 'Yes', 'no', 'ແມ່ນ', 'ບໍ່'];
    const decision = decideValues(values);
    assert.equal(decision.type, 'boolean');
    assert.deepEqual(convertAll(values, decision), [true, false, true, false, true, false]);
  });

  it('reads 1/0 as booleans only when the header names a flag', () => {
    assert.equal(decideValues(['1', '0', '1'], 'count').type, 'integer');
    const flag = decideValues(['1', '0', '1'], 'is_active');
    assert.equal(flag.type, 'boolean');
    assert.deepEqual(convertAll(['1', '0'], flag), [true, false]);
    assert.equal(decideValues(['1', '0'], 'Has school?').type, 'boolean');
  });
});

describe('misfits', () => {
  it('keeps a few type errors and counts them', () => {
    const values = [...Array.from({ length: 500 }, (_, i) => String(i + 1)), 'abc', '12a'];
    const decision = decideValues(values);
    assert.equal(decision.type, 'integer');
    assert.equal(decision.counts.misfits, 2);
    assert.equal(convertCell('abc', decision), misfit);
  });

  it('falls back to text when too many cells misfit, and says why', () => {
    const values = [...Array.from({ length: 90 }, (_, i) => String(i)), ...Array(10).fill('n.d.')];
    const decision = decideValues(values);
    assert.equal(decision.type, 'text');
    assert.match(
      decision.reason,
      /10 of 100 values \(10\.0%\) do not read as integer \(e\.g\. 'n\.d\.'\)/,
    );
    assert.equal(decision.counts.misfits, 0);
  });

  it('counts values of the other convention as misfits', () => {
    const values = [...Array(300).fill('1.234,5'), '12.5'];
    const decision = decideValues(values);
    assert.equal(decision.number?.decimalMark, ',');
    assert.equal(decision.counts.misfits, 1);
    assert.equal(convertCell('12.5', decision), misfit);
  });
});

describe('publisher override', () => {
  const profile = profileOf(['0101', '0102', '1203', 'x']);

  it('forces integer and turns what does not fit into type errors', () => {
    const decision = decideWithOverride(profile, { type: 'integer' });
    assert.equal(decision.type, 'integer');
    assert.equal(decision.overridden, true);
    assert.equal(decision.counts.misfits, 1);
    assert.match(decision.reason, /set by the publisher/);
    assert.deepEqual(convertAll(['0101', 'x'], decision), [101, misfit]);
  });

  it('forces text, a date order and a number convention', () => {
    assert.equal(decideWithOverride(profileOf(['1', '2']), { type: 'text' }).type, 'text');
    const dates = decideWithOverride(profileOf(['01/02/2024']), { type: 'date', format: 'mdy' });
    assert.equal(convertCell('01/02/2024', dates), '2024-01-02');
    const numbers = decideWithOverride(profileOf(['1.5']), {
      type: 'decimal',
      format: 'decimal-comma',
    });
    assert.equal(convertCell('1.500', numbers), 1500);
    assert.throws(() => decideWithOverride(profile, { type: 'date', format: 'ydm' }), RangeError);
  });

  it('counts a number past the range of DOUBLE (1e400) as a type error, not infinity', () => {
    const values = [...Array.from({ length: 200 }, (_, i) => `${i}.5e3`), '1e400', '-2E+999'];
    const decision = decideValues(values);
    assert.equal(sqlType(decision), 'DOUBLE');
    assert.equal(decision.counts.misfits, 2);
    assert.equal(convertCell('1e400', decision), misfit);
    assert.equal(convertCell('1.5e3', decision), 1500);
  });

  it('keeps only the start of a cell of megabytes as an example', () => {
    const digits = `0${'7'.repeat(1_000_000)}`;
    const words = 'ລາວ '.repeat(250_000);
    const profile = profileOf([digits, words, '12']);
    assert.equal(profile.number.leadingZeroExample, `0${'7'.repeat(39)}…`);
    const kept = [
      ...profile.examples,
      ...profile.date.misfitExamples,
      ...profile.boolean.misfitExamples,
    ];
    assert.equal(kept.length, 9);
    for (const example of kept) assert.ok(example.length <= 41, `${example.length} characters`);
  });

  it('is what decideColumn applies for the ingest', () => {
    const profiler = new ColumnProfiler();
    for (const value of ['1', '0']) profiler.observe(value);
    assert.equal(decideColumn(profiler, 'is_open').type, 'boolean');
    assert.equal(decideColumn(profiler, 'is_open', { type: 'integer' }).type, 'integer');
  });
});
