import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findProvinces, provinces, resolveProvince, tokenize } from '../src/lao/index.js';

const csv = readFileSync(new URL('../src/lao/reference/provinces.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(','));
const [header, ...rows] = csv as [string[], ...string[][]];

// The one name two registries give to two divisions: CLDR and ISO call the capital
// "Vientiane"/"Viangchan", OCHA and GeoNames give that name to Vientiane Province.
const sharedNames = new Map([
  ['LA01 Vientiane', 'LA10'],
  ['LA01 Viangchan', 'LA10'],
]);

describe('provinces', () => {
  it('lists the 18 divisions of provinces.csv', () => {
    const list = provinces();
    assert.equal(list.length, 18);
    assert.deepEqual(
      list.map((p) => p.pcode),
      Array.from({ length: 18 }, (_, i) => `LA${String(i + 1).padStart(2, '0')}`),
    );
    const luangPrabang = list.find((p) => p.pcode === 'LA06');
    assert.deepEqual(luangPrabang, {
      pcode: 'LA06',
      iso: 'LA-LP',
      nameLo: 'ຫຼວງພະບາງ',
      namesEn: ['Louangphabang', 'Luang Prabang', 'Luang Prabang Province'],
    });
    // Shared by every caller: nobody can rename a province for the others.
    assert.throws(() => ((luangPrabang as { nameLo: string }).nameLo = 'x'));
    assert.throws(() => luangPrabang?.namesEn.push('x'));
  });
});

describe('resolveProvince', () => {
  it('resolves every spelling in every column of provinces.csv', () => {
    let checked = 0;
    for (const row of rows) {
      const pcode = row[0] as string;
      for (const [column, name] of row.entries()) {
        if (header[column] === 'type' || header[column] === 'geonames_admin1') continue;
        const expected = sharedNames.get(`${pcode} ${name}`) ?? pcode;
        assert.equal(resolveProvince(name), expected, `${header[column]}: ${name}`);
        checked += 1;
      }
    }
    assert.equal(checked, 18 * 7);
  });

  it('resolves Lao spelling variants, with and without ແຂວງ', () => {
    const cases: [string, string][] = [
      ['ຫລວງພະບາງ', 'LA06'],
      ['ແຂວງຫຼວງພະບາງ', 'LA06'],
      ['ແຂວງ ຫລວງພະບາງ', 'LA06'],
      ['ຫລວງນໍ້າທາ', 'LA03'],
      ['ຈໍາປາສັກ', 'LA16'],
      ['ແຂວງຈຳປາສັກ', 'LA16'],
      ['ບໍລິຄໍາໄຊ', 'LA11'],
      ['ຄໍາມ່ວນ', 'LA12'],
      ['ນະຄອນຫລວງວຽງຈັນ', 'LA01'],
      ['ນະຄອນຫຼວງ ວຽງຈັນ', 'LA01'],
      ['ນະຄອນຫຼວງ', 'LA01'],
      ['ວຽງຈັນ', 'LA10'],
      ['ແຂວງວຽງຈັນ', 'LA10'],
      ['ສະຫວັນນະເຂດ', 'LA13'],
      ['ສະຫວັນ\u200Bນະເຂດ', 'LA13'],
      ['ນະຄອນວຽງຈັນ', 'LA01'],
      // Typed without its tone mark.
      ['ຜົງສາລີ', 'LA02'],
      ['ບໍແກ້ວ', 'LA05'],
      // Older spellings with ຣ for ລ.
      ['ໄຊຍະບູຣີ', 'LA08'],
      ['ສາຣະວັນ', 'LA14'],
      ['ບໍຣິຄຳໄຊ', 'LA11'],
    ];
    for (const [text, pcode] of cases) assert.equal(resolveProvince(text), pcode, text);
  });

  it('resolves codes and common romanisations, whatever the case, accents and spacing', () => {
    const cases: [string, string][] = [
      ['LA-LP', 'LA06'],
      ['la lp', 'LA06'],
      ['LA06', 'LA06'],
      ['Luang Prabang', 'LA06'],
      ['Louangphabang', 'LA06'],
      ['Luang Phrabang', 'LA06'],
      ['LUANG-PRABANG', 'LA06'],
      ['luangprabang province', 'LA06'],
      ['Vientiane Capital', 'LA01'],
      ['Vientiane Prefecture', 'LA01'],
      ['vientiane city', 'LA01'],
      ['Vientiane Province', 'LA10'],
      ['Savannakhet', 'LA13'],
      ['Savanakhet', 'LA13'],
      ['Xiengkhouang', 'LA09'],
      ['Xieng Khouang', 'LA09'],
      ['Xiang Khuang', 'LA09'],
      ['Champasak', 'LA16'],
      ['Champassak', 'LA16'],
      ['Champassack', 'LA16'],
      ['Phongsaly', 'LA02'],
      ['Phôngsali', 'LA02'],
      ['Oudomxay', 'LA04'],
      ['Bokèo', 'LA05'],
      ['Houaphanh', 'LA07'],
      ['Hua Phan', 'LA07'],
      ['Sayaboury', 'LA08'],
      ['Xayaboury', 'LA08'],
      ['Xaignabouli', 'LA08'],
      ['Borikhamxay', 'LA11'],
      ['Bolikhamsai', 'LA11'],
      ['Khammouane', 'LA12'],
      ['Khammuan', 'LA12'],
      ['Saravane', 'LA14'],
      ['Salavanh', 'LA14'],
      ['Xekong', 'LA15'],
      ['Xékong', 'LA15'],
      ['Attopeu', 'LA17'],
      ['Attapu', 'LA17'],
      ['Saysomboun', 'LA18'],
      ['Xaysomboune', 'LA18'],
      ['Luang Namtha', 'LA03'],
      ['Loungnamtha', 'LA03'],
    ];
    for (const [text, pcode] of cases) assert.equal(resolveProvince(text), pcode, text);
  });

  it('resolves romanisations that only meet by sound', () => {
    assert.equal(resolveProvince('Borikhamsai'), 'LA11');
    assert.equal(resolveProvince('Xaiyabouly'), 'LA08');
    assert.equal(resolveProvince('Attapue Province'), 'LA17');
    assert.equal(resolveProvince('Champassac'), 'LA16');
  });

  it('returns undefined for anything else', () => {
    for (const text of [
      '',
      ' ',
      'province',
      'ແຂວງ',
      'Laos',
      'rice',
      'school',
      'ນ້ຳ',
      'LA19',
      'LA-',
      'Bangkok',
      'Luang',
      'x'.repeat(10_000),
      '😀',
    ]) {
      assert.equal(resolveProvince(text), undefined, text.slice(0, 20));
    }
  });
});

describe('findProvinces', () => {
  it('finds each province in a query with the words that named it', () => {
    const text = 'rice production Luang Prabang 2020 ແລະ ແຂວງສະຫວັນນະເຂດ, Vientiane Capital; LA-XE';
    const found = findProvinces(text);
    assert.deepEqual(
      found.map(({ pcode, matched }) => [pcode, matched]),
      [
        ['LA06', 'Luang Prabang'],
        ['LA13', 'ແຂວງສະຫວັນນະເຂດ'],
        ['LA01', 'Vientiane Capital'],
        ['LA15', 'LA-XE'],
      ],
    );
    for (const { matched, start, end } of found) assert.equal(text.slice(start, end), matched);
    assert.deepEqual(found[0]?.terms, ['luang', 'prabang']);
    assert.deepEqual(found[1]?.terms, tokenize('ແຂວງສະຫວັນນະເຂດ'));
  });

  it('finds Lao names inside running Lao text', () => {
    const found = findProvinces('ສະຖິຕິປະຊາກອນແຂວງຫລວງພະບາງປີ2015');
    assert.deepEqual(
      found.map((f) => f.pcode),
      ['LA06'],
    );
    assert.match(found[0]?.matched ?? '', /ຫລວງພະບາງ$/);
    assert.deepEqual(
      findProvinces('ນະຄອນຫຼວງວຽງຈັນ ແລະ ແຂວງວຽງຈັນ').map((f) => f.pcode),
      ['LA01', 'LA10'],
    );
  });

  it('finds nothing in text that names no province, and stays bounded', () => {
    assert.deepEqual(findProvinces('population by district 2015'), []);
    assert.deepEqual(findProvinces(''), []);
    assert.deepEqual(findProvinces('😀 !!!'), []);
    assert.ok(findProvinces('Savannakhet '.repeat(5000)).length <= 2000 / 12 + 1);
  });
});
