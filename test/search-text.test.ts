import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { foldSearchText } from '../src/lao/index.js';
import { laoSortKey } from '../src/search/document.js';
import { snippet, wordBreaks } from '../src/search/highlight.js';
import { planQuery } from '../src/search/query-plan.js';
import { correctedQuery, similarity } from '../src/search/similarity.js';
import { TsvectorBuilder, tsqueryAny, tsqueryOf } from '../src/search/tsvector.js';

describe('search text pieces', () => {
  it('writes tsvector literals with weights, field gaps and quoting', () => {
    const literal = new TsvectorBuilder()
      .add(['ປະຊາກອນ', "it's"], 'A')
      .add(['ປະຊາກອນ', 'back\\slash'], 'C')
      .add(['plain'], 'D')
      .toString();
    assert.equal(literal, "'ປະຊາກອນ':1A,11C 'it''s':2A 'back\\\\slash':12C 'plain':21");
  });

  it('keeps positions within PostgreSQL limits', () => {
    const literal = new TsvectorBuilder().add(Array(20_000).fill('ນ້ຳ'), 'C').toString();
    assert.equal(literal.split(',').length, 256);
  });

  it('builds tsqueries: groups AND, alternatives OR, prefixes only on the words as typed', () => {
    const groups = [
      {
        alternatives: [
          { terms: ['rice'], translated: false },
          { terms: ['ເຂົ້າ'], translated: true },
          { terms: ['ສິນຄ້າ', 'ອອກ'], translated: true },
        ],
        prefix: true,
      },
      { alternatives: [{ terms: ['la06'], translated: false }], prefix: false },
    ];
    assert.equal(
      tsqueryOf(groups, { translations: true }),
      "('rice':* | 'ເຂົ້າ' | ('ສິນຄ້າ' & 'ອອກ')) & 'la06'",
    );
    assert.equal(tsqueryOf(groups, { translations: false }), "'rice':* & 'la06'");
    assert.equal(tsqueryOf(groups, { translations: false, weights: 'A' }), "'rice':*A & 'la06':A");
    assert.equal(
      tsqueryAny(groups, { translations: true }),
      "('rice':* | 'ເຂົ້າ' | 'ສິນຄ້າ' | 'ອອກ' | 'la06')",
    );
  });

  it('plans queries: provinces become p-code groups, stop-words go, translations join', () => {
    const plan = planQuery('ເຂົ້າ ແລະ Luang Prabang');
    assert.deepEqual(plan.provinces, ['LA06']);
    const terms = plan.groups.map((g) => g.alternatives.map((a) => a.terms.join('+')));
    assert.ok(terms.some((alternatives) => alternatives.includes('la06')));
    assert.ok(
      terms.some((alternatives) => alternatives[0] === 'ເຂົ້າ' && alternatives.includes('rice')),
    );
    assert.ok(!terms.flat().includes('ແລະ'));
    assert.equal(planQuery('ແລະ').groups.length, 1, 'only stop-words: still searched');
    assert.equal(planQuery('🌾 !!! ...').groups.length, 0);
    assert.equal(planQuery('').folded, '');
    assert.ok(planQuery('x'.repeat(10_000)).folded.length <= 512);
  });

  it('takes a word of three letters or more, or a query of one word, as a possible prefix', () => {
    const prefixes = (q: string) => planQuery(q).groups.map((g) => g.prefix);
    assert.deepEqual(prefixes('ສະຖິຕິ ປະ'), [true, false], 'a short fragment after other words');
    assert.deepEqual(prefixes('ປະ'), [true], 'the only word, typed so far');
    assert.deepEqual(prefixes('rice hosp'), [true, true]);
    assert.deepEqual(prefixes('2015 ສະຖິຕິ'), [false, true], 'numbers are whole');
  });

  it('marks matching words in snippets, folded, escaped and cut around the first match', () => {
    assert.equal(snippet('ສະຖິຕິ ປະຊາກອນ ປີ 2020', ['ປະຊາກອນ']), 'ສະຖິຕິ <mark>ປະຊາກອນ</mark> ປີ 2020');
    assert.equal(snippet('ໂຮງຫມໍ <b>', ['ໂຮງໝໍ']), '<mark>ໂຮງຫມໍ</mark> &#60;b&#62;');
    assert.equal(
      snippet('Hospitals & clinics', ['hospital']),
      '<mark>Hospitals</mark> &#38; clinics',
    );
    const long = `${'ຄຳ '.repeat(300)}ເກືອ ${'ຄຳ '.repeat(300)}`;
    const cut = snippet(long, ['ເກືອ'], 100);
    assert.ok(cut.startsWith('…') && cut.endsWith('…') && cut.includes('<mark>ເກືອ</mark>'));
    assert.equal(snippet('no match here', ['ເກືອ']), 'no match here');
  });

  it('cuts a long text only as far as its snippet needs, marking a compound at the window end', () => {
    // A match early in a long text: the words after the window are never shown, but a compound
    // (ຫລວງ|ພະ|ບາງ, cut into three segments) that starts inside the window must still be marked.
    const text = `ສະຖິຕິ ${'ຄຳ '.repeat(76)}ຫລວງພະບາງ ${'ເກືອ '.repeat(600)}`;
    const cut = snippet(text, ['ສະຖິຕິ', foldSearchText('ຫຼວງພະບາງ')]);
    assert.ok(cut.startsWith('<mark>ສະຖິຕິ</mark> ຄຳ'), cut);
    assert.ok(cut.endsWith(' <mark>ຫລວງ</mark>…'), cut);
    assert.ok(!cut.includes('<mark>ເກືອ'), cut);
  });

  it('marks every word and run of words however the text spells it, and skips only texts without', () => {
    // Written apart, so that folding joins letters across where the segmenter cuts (ຫ|ມ, ໍ|າ).
    const texts = [
      'ໂຮງຫມໍ ແຂວງຫລວງພະບາງ ນໍ້າປະປາ ຫນອງຄາຍ',
      'ໂຮງຫມໍ ຫນອງຄາຍ',
      'ສູຕິກໍາ ຂີ້ຫູ ສາລະບານ',
      'ໂຮງຫມໍແຂວງຫລວງພະບາງນໍ່າປະປາຫນອງຄາຍ\u200Bສະຖິຕິ',
      'ຄໍາສັບ ຄຳ່ ທຳມະຊາດ ນ້ຳຕົກຕາດ ສິິນຄ້າ ລາາຄາ',
      'Électricité & café: the Savannakhét census, ΟΔΟΣ',
    ];
    const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
    for (const text of texts) {
      const segments = [...segmenter.segment(text)];
      segments.forEach(({ segment, isWordLike }, i) => {
        if (!isWordLike) return;
        const word = foldSearchText(segment);
        assert.ok(snippet(text, [word]).includes('<mark>'), `${word} in ${text}`);
        // A stem: a word of two letters or more may be up to two letters shorter than the term.
        if (word.length >= 2)
          assert.ok(snippet(text, [`${word}ab`]).includes('<mark>'), `${word}ab in ${text}`);
        // A compound: Lao words written together, folded as a whole.
        const next = segments.slice(i + 1, i + 3);
        for (let n = 1; n <= next.length && next[n - 1]?.isWordLike; n += 1) {
          const run = foldSearchText([segment, ...next.slice(0, n).map((s) => s.segment)].join(''));
          // (found from a word that starts as the compound does)
          if (/[\u0E80-\u0EFF]/.test(run) && [...run].length >= 4 && run[0] === word[0])
            assert.ok(snippet(text, [run]).includes('<mark>'), `${run} in ${text}`);
        }
      });
    }
    // A long text without a match is cut where the last word that fits ends, as segmenting the
    // whole of it would find.
    const long = [
      `${'ສະຖິຕິປະຊາກອນແຂວງຫລວງພະບາງ'.repeat(12)} and more`,
      `Rice & salt, ${'production of the provinces  '.repeat(12)}`,
      `${'ໂຮງໝໍ ນ້ຳປະປາ ສະຖິຕິ2020  '.repeat(10)}ຫນອງຄາຍ`,
    ];
    for (const text of long)
      for (const length of [60, 100, 240]) {
        let cut = 0;
        for (const { index } of segmenter.segment(text)) if (index <= length) cut = index;
        const expected = `${text.slice(0, cut).replace(/&/g, '&#38;').trimEnd()}…`;
        assert.equal(snippet(text, ['ເກືອ', 'zinc'], length), expected, `${length}: ${text}`);
      }
    assert.equal(snippet('ໂຮງຮຽນ <ປະຖົມ> & ມັດທະຍົມ ', ['ເກືອ']), 'ໂຮງຮຽນ &#60;ປະຖົມ&#62; &#38; ມັດທະຍົມ');
  });

  it('makes the same snippet from the stored word breaks of a text as from the segmenter', () => {
    // Paragraphs of the Universal Declaration in Lao, long and short, with words of each as terms.
    const paragraphs = readFileSync(new URL('./fixtures/udhr-lao.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
    const texts = [
      ...paragraphs.slice(0, 40),
      paragraphs.slice(0, 30).join(' '), // longer than what a snippet scans
      'Électricité & café: the Savannakhét census, <b>ΟΔΟΣ</b> 2020',
      'ໂຮງຫມໍແຂວງຫລວງພະບາງນໍ່າປະປາຫນອງຄາຍ\u200Bສະຖິຕິ',
    ];
    const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
    let compared = 0;
    const terms0 = (sets: string[][]) => sets[1] ?? [];
    // Two breaks, at the start and one past the end (stored as in wordBreaks: two bytes each).
    const pastTheEnd = (text: string) => {
      const breaks = Buffer.alloc(4);
      breaks.writeUInt16LE(text.length * 2, 2);
      return breaks;
    };
    for (const text of texts) {
      const breaks = wordBreaks(text);
      const words = [...segmenter.segment(text.slice(0, 3_000))].filter((s) => s.isWordLike);
      const picks = [words[0], words[Math.floor(words.length / 2)], words.at(-1)];
      const termSets = [
        ['ເກືອ', 'zinc'], // no match: the text's start
        ...picks.flatMap((w) => (w ? [[foldSearchText(w.segment)]] : [])),
      ];
      for (const terms of termSets)
        for (const length of [60, 240]) {
          assert.equal(
            snippet(text, terms, length, breaks),
            snippet(text, terms, length),
            `${terms.join(' ')}, ${length}: ${text.slice(0, 80)}`,
          );
          compared += 1;
        }
      // Breaks that cannot be this text's (past its end) are not used.
      assert.equal(
        snippet(text, terms0(termSets), 240, pastTheEnd(text)),
        snippet(text, terms0(termSets)),
      );
    }
    assert.ok(compared >= 200, `${compared} snippets compared`);
  });

  it('suggests corrections by trigram similarity', () => {
    assert.equal(similarity('hospital', 'hospital'), 1);
    assert.ok(similarity('hospitl', 'hospital') > 0.5);
    assert.equal(correctedQuery(['hospitl', 'beds'], ['hospital', 'beds']), 'hospital beds');
    assert.equal(correctedQuery(['beds'], ['beds']), undefined);
    assert.equal(correctedQuery(['zzzz'], ['hospital']), undefined);
  });

  it('orders Lao titles by their first consonant', () => {
    const titles = ['ຜົນຜະລິດ', 'ເກືອ', 'ກາເຟ', 'ໂຮງຮຽນ'];
    assert.deepEqual(
      titles.sort((a, b) => (laoSortKey(a) < laoSortKey(b) ? -1 : 1)),
      ['ກາເຟ', 'ເກືອ', 'ຜົນຜະລິດ', 'ໂຮງຮຽນ'],
    );
  });
});
