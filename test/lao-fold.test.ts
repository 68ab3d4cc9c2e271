import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldLao, foldSearchText } from '../src/lao/index.js';

// Each pair: two spellings people type for one word, which must fold to one key.
function assertSame(a: string, b: string) {
  assert.equal(foldLao(a), foldLao(b), `${a} (${codes(a)}) / ${b} (${codes(b)})`);
}
const codes = (text: string) => [...text].map((c) => c.codePointAt(0)?.toString(16)).join(' ');

describe('foldLao: DESIGN §6 rules with real words', () => {
  it('ຫລ and ຫຼ: ຫລວງພະບາງ / ຫຼວງພະບາງ', () => {
    assertSame('ຫລວງພະບາງ', 'ຫຼວງພະບາງ');
    assert.equal(foldLao('ຫລວງພະບາງ'), 'ຫ\u0EBCວງພະບາງ');
    assertSame('ເຫລົ່ານັ້ນ', 'ເຫຼົ່ານັ້ນ');
  });

  it('ໍາ and ຳ, with the tone mark anywhere: ສໍາຫຼວດ / ສຳຫລວດ, ນໍ້າ / ນ້ຳ', () => {
    assertSame('ສ\u0ECD\u0EB2ຫລວດ', 'ສຳຫຼວດ');
    assert.equal(foldLao('ສ\u0ECD\u0EB2ຫລວດ'), 'ສ\u0EB3ຫ\u0EBCວດ');
    for (const water of [
      'ນ\u0ECD\u0EC9\u0EB2',
      'ນ\u0EC9\u0ECD\u0EB2',
      'ນ\u0ECD\u0EB2\u0EC9',
      'ນ\u0EB3\u0EC9',
    ]) {
      assert.equal(foldLao(water), 'ນ\u0EC9\u0EB3', codes(water));
    }
    assertSame('ຈໍາປາສັກ', 'ຈຳປາສັກ');
  });

  it('ຫນ / ໜ and ຫມ / ໝ: ໜອງ, ໝາກ, ເໜືອ', () => {
    assertSame('ຫນອງ', 'ໜອງ');
    assertSame('ຫມາກ', 'ໝາກ');
    assertSame('ເຫນືອ', 'ເໜືອ');
    assertSame('ໂຮງຫມໍ', 'ໂຮງໝໍ');
    assert.equal(foldLao('ຫນອງ'), '\u0EDCອງ');
    assert.equal(foldLao('ຫມາກ'), '\u0EDDາກ');
  });

  it('puts combining marks in one order whatever order they were typed in', () => {
    // vowel above, then tone: ກີ່ typed tone first
    assertSame('ກ\u0EC8\u0EB5', 'ກ\u0EB5\u0EC8');
    // subscript lo before the vowel and the tone: ຫຼິ້ນ typed as ຫ + tone + vowel + ຼ
    assertSame('ຫ\u0EC9\u0EB4\u0EBCນ', 'ຫຼິ້ນ');
    // vowel below and tone: ປູ່
    assertSame('ປ\u0EC8\u0EB9', 'ປູ່');
    // cancellation mark last: ເບີ໌
    assertSame('ເບ\u0ECC\u0EB5', 'ເບີ໌');
  });

  it('collapses doubled tone marks and vowel signs', () => {
    assertSame('ກ່່າ', 'ກ່າ');
    assertSame('ບໍ່່', 'ບໍ່');
    assertSame('ນ້້ຳ', 'ນ້ຳ');
    assertSame('ນ\u0ECD\u0EC9\u0EC9\u0EB2', 'ນ້ຳ');
    assertSame('ນ\u0EB3\u0EC9\u0EC9', 'ນ້ຳ');
    assertSame('ສິິດ', 'ສິດ');
  });

  it('removes zero-width and invisible characters', () => {
    assertSame('ສະຖິຕິ\u200Bປະຊາກອນ', 'ສະຖິຕິປະຊາກອນ');
    assertSame('\uFEFFສະຖິຕິ\u200C\u200D\u2060', 'ສະຖິຕິ');
    assertSame('ຫ\u200Bລວງ', 'ຫຼວງ');
    assertSame('Lao\u00ADStatistics\u200E', 'laostatistics');
  });

  it('writes Lao digits as ASCII digits', () => {
    assert.equal(foldLao('໒໐໒໔'), '2024');
    assert.equal(foldLao('ປີ ໑໙໘໕-໒໐໑໕'), 'ປີ 1985-2015');
    assert.equal(foldLao('ນໍ້າ ໒໐໒໔'), 'ນ້ຳ 2024');
  });

  it('lowercases Latin and applies NFC', () => {
    assert.equal(foldLao('GDP Lao PDR'), 'gdp lao pdr');
    assert.equal(foldLao('e\u0301'), '\u00e9');
  });

  it('leaves different words apart', () => {
    assert.notEqual(foldLao('ກາ'), foldLao('ຂາ'));
    assert.notEqual(foldLao('ໄມ້'), foldLao('ໄມ'));
    assert.notEqual(foldLao('ນ້ຳ'), foldLao('ນຳ'));
    assert.notEqual(foldLao('ເຂົ້າ'), foldLao('ເຂົາ'));
    // ຫວ and ຫຍ have no one-letter form: they stay as typed.
    assert.equal(foldLao('ຫວ່າງ'), 'ຫວ່າງ');
  });

  it('is idempotent', () => {
    for (const text of ['ຫລວງພະບາງ', 'ນໍ້າ', 'ຫນອງ ໝາກ', 'ກ່່າ ໒໐໒໔', 'Phôngsali']) {
      assert.equal(foldLao(foldLao(text)), foldLao(text), text);
    }
  });
});

describe('foldSearchText', () => {
  it('also takes accents off Latin letters', () => {
    assert.equal(foldSearchText('Phôngsali Xékong Bokèo'), 'phongsali xekong bokeo');
    assert.equal(foldSearchText('Électricité du Laos'), 'electricite du laos');
    assert.equal(foldSearchText('Straße Øresund'), 'strasse oresund');
  });

  it('keeps Lao marks, which are combining characters too', () => {
    assert.equal(foldSearchText('ຫລວງພະບາງ Bokèo'), foldLao('ຫຼວງພະບາງ') + ' bokeo');
    assert.equal(foldSearchText('ນໍ້າ'), 'ນ້ຳ');
  });
});
