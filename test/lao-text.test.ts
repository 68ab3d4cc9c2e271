import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { foldLao, isBlank, normalizeLaoInput, romanizeLao, segmentLao } from '../src/lao/index.js';
import { isValidSlug, slugFromTitle, slugify } from '../src/lib/slug.js';

const provinces = readFileSync(new URL('../demo/provinces.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

describe('Lao folding', () => {
  it('makes the common spelling variants meet', () => {
    const pairs: [string, string][] = [
      ['ຫລວງພະບາງ', 'ຫຼວງພະບາງ'],
      ['ຫນອງ', 'ໜອງ'],
      ['ຫມາກ', 'ໝາກ'],
      ['ນໍ້າ', 'ນ້ຳ'],
      ['ນໍາ້', 'ນ້ຳ'],
      ['ນ້ໍາ', 'ນ້ຳ'],
      ['ນຳ້', 'ນ້ຳ'],
      ['ກ່່າ', 'ກ່າ'],
      ['ປີ ໒໐໑໕', 'ປີ 2015'],
      ['Lao\u200BStatistics', 'lao' + 'statistics'],
      ['ກີ່', 'ກ\u0EC8\u0EB5'],
    ];
    for (const [a, b] of pairs) assert.equal(foldLao(a), foldLao(b), `${a} / ${b}`);
    assert.equal(foldLao('ນໍ້າ ໒໐໒໔'), 'ນ້ຳ 2024');
  });

  it('leaves different words apart', () => {
    assert.notEqual(foldLao('ກາ'), foldLao('ຂາ'));
    assert.notEqual(foldLao('ໄມ້'), foldLao('ໄມ'));
  });
});

describe('stored text', () => {
  it('keeps the spelling but drops invisible characters and stray whitespace', () => {
    assert.equal(normalizeLaoInput('  ສະຖິຕິ\u200B  ປະຊາກອນ \n'), 'ສະຖິຕິ ປະຊາກອນ');
    assert.equal(normalizeLaoInput('ຫລວງ'), 'ຫລວງ');
    assert.equal(
      normalizeLaoInput('line one  \r\n\r\n\r\n\r\nline two\r', { multiline: true }),
      'line one\n\nline two',
    );
    assert.equal(normalizeLaoInput('e\u0301'), '\u00e9');
  });

  it('treats zero-width-only text as blank', () => {
    assert.ok(isBlank(' \u200B\u200C\uFEFF '));
    assert.ok(!isBlank('ກ'));
  });
});

describe('Lao word segmentation', () => {
  it('finds words without spaces, folded', () => {
    assert.deepEqual(segmentLao('ສາທາລະນະລັດປະຊາທິປະໄຕປະຊາຊົນລາວ'), [
      'ສາທາລະນະລັດ',
      'ປະຊາທິປະໄຕ',
      'ປະຊາຊົນ',
      'ລາວ',
    ]);
    assert.deepEqual(segmentLao('ຫລວງພະບາງ 2015'), ['ຫຼວງພະບາງ', '2015']);
  });

  it('handles long running text in pieces without losing or splitting words', () => {
    const udhr = readFileSync(new URL('./fixtures/udhr-lao.txt', import.meta.url), 'utf8');
    const long = udhr.repeat(3);
    const words = segmentLao(long);
    assert.ok(words.length > 1000);
    const once = segmentLao(udhr);
    assert.equal(words.length, once.length * 3);
  });
});

describe('romanisation and slugs', () => {
  it('spells province names close to their official Latin names', () => {
    const expected: Record<string, string> = {
      LA02: 'phongsali',
      LA04: 'oudomxai',
      LA06: 'louangphabang',
      LA08: 'xaignabouli',
      LA09: 'xiangkhouang',
      LA12: 'khammouan',
      LA13: 'savannakhet',
      LA16: 'champasak',
    };
    for (const [pcode, name] of Object.entries(expected)) {
      const row = provinces.find((p) => p[0] === pcode);
      assert.ok(row, pcode);
      assert.equal(romanizeLao(row[4] as string).replace(/ /g, ''), name, pcode);
    }
  });

  it('makes URL-safe slugs from English, else from Lao', () => {
    assert.equal(slugify('Population by Province, 2015'), 'population-by-province-2015');
    assert.equal(slugify('Électricité du Laos'), 'electricite-du-laos');
    assert.equal(slugFromTitle({ en: 'Rice production' }, 'x'), 'rice-production');
    assert.equal(slugFromTitle({ lo: 'ກະຊວງ ສາທາລະນະສຸກ' }, 'x'), 'kaxouang-sathalanasouk');
    assert.equal(slugFromTitle({ en: '!!!', lo: '' }, 'organization'), 'organization');
    assert.ok(slugify('word '.repeat(40)).length <= 80);
    for (const row of provinces) assert.ok(isValidSlug(slugFromTitle({ lo: row[4] }, 'x')), row[4]);
    assert.ok(!isValidSlug('Bad Slug'));
    assert.ok(!isValidSlug('-x'));
  });
});
