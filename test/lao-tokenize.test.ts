import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  foldLao,
  isStopWord,
  segmentLao,
  stemEnglish,
  tokenize,
  tokenizeQuery,
} from '../src/lao/index.js';
import { pieces } from '../src/lao/segment.js';

const udhr = readFileSync(new URL('./fixtures/udhr-lao.txt', import.meta.url), 'utf8');

describe('tokenize', () => {
  it('splits mixed Lao–Latin text, including where the scripts touch', () => {
    assert.deepEqual(tokenize('ສະຖິຕິ GDP 2024'), ['ສະຖິຕິ', 'gdp', '2024']);
    assert.deepEqual(tokenize('ສະຖິຕິGDP2024'), ['ສະຖິຕິ', 'gdp2024']);
    assert.deepEqual(tokenize('ປີ໒໐໒໔'), ['ປີ', '2024']);
  });

  it('folds Lao spelling variants to the same terms', () => {
    assert.deepEqual(tokenize('ຫລວງພະບາງ'), tokenize('ຫຼວງພະບາງ'));
    assert.deepEqual(tokenize('ສ\u0ECD\u0EB2ຫລວດ ນໍ້າ'), tokenize('ສຳຫຼວດ ນ້ຳ'));
    assert.deepEqual(tokenize('ຫນອງ ຫມາກ'), tokenize('ໜອງ ໝາກ'));
    assert.deepEqual(tokenize('ປະຊາ\u200Bກອນ'), ['ປະຊາກອນ']);
    assert.deepEqual(tokenize('ສຳມະໂນ ໒໐໑໕'), ['ສຳມະໂນ', '2015']);
  });

  it('finds the same words whether Lao text has spaces inside words or not', () => {
    assert.deepEqual(tokenize('ຫຼວງ ພະບາງ'), ['ຫຼວງພະບາງ']);
    assert.deepEqual(tokenize('ໂຮງ ຮຽນ'), tokenize('ໂຮງຮຽນ'));
    assert.deepEqual(tokenize('ສະຖິຕິ ປະຊາກອນ'), ['ສະຖິຕິ', 'ປະຊາກອນ']);
    // A line break or a Latin word still separates.
    assert.deepEqual(tokenize('ໂຮງ\nຮຽນ'), ['ໂຮງ', 'ຮຽນ']);
    assert.deepEqual(tokenize('ປີ 2024 ປີ'), ['ປີ', '2024', 'ປີ']);
  });

  it('finds the words of Lao running text without spaces', () => {
    assert.deepEqual(tokenize('ສາທາລະນະລັດປະຊາທິປະໄຕປະຊາຊົນລາວ'), [
      'ສາທາລະນະລັດ',
      'ປະຊາທິປະໄຕ',
      'ປະຊາຊົນ',
      'ລາວ',
    ]);
  });

  it('lowercases, removes accents and stems English', () => {
    assert.deepEqual(tokenize('Statistics statistic SCHOOLS school Population populations'), [
      'statistic',
      'statistic',
      'school',
      'school',
      'population',
      'population',
    ]);
    assert.deepEqual(tokenize('Électricité du Laos'), ['electricite', 'du', 'lao']);
    assert.deepEqual(tokenize('surveyed surveying surveys'), ['survey', 'survey', 'survey']);
  });

  it('keeps order, duplicates and stop-words; splits punctuation and numbers', () => {
    assert.deepEqual(tokenize('the rice, the RICE!'), ['the', 'rice', 'the', 'rice']);
    assert.deepEqual(tokenize("Women's don't"), ['women', 'dont']);
    assert.deepEqual(tokenize('2,024.5 / 100%'), ['2', '024', '5', '100']);
    assert.deepEqual(tokenize('e-mail covid-19'), ['e', 'mail', 'covid', '19']);
  });

  it('returns nothing for text with no words', () => {
    for (const text of ['', '   ', '!!! ??? …', '😀🇱🇦', '\u200B\uFEFF', '()[]{}']) {
      assert.deepEqual(tokenize(text), [], JSON.stringify(text));
    }
  });

  it('drops terms too long to index', () => {
    assert.deepEqual(tokenize('a'.repeat(65) + ' ok'), ['ok']);
    assert.deepEqual(tokenize('b'.repeat(64)), ['b'.repeat(64)]);
  });
});

describe('tokenizeQuery', () => {
  it('tokenizes what users type like the indexed text', () => {
    assert.deepEqual(tokenizeQuery('Schools in ຫລວງພະບາງ'), tokenize('school in ຫຼວງພະບາງ'));
  });

  it('never throws and bounds the work on hostile input', () => {
    const inputs = [
      '',
      '😀',
      '"unbalanced',
      "title:(rice OR water) AND -x* ~2 ^3 'quote",
      "'; DROP TABLE datasets; --",
      '\uD800 lone surrogate \uDC00',
      'ສະຖິຕິ '.repeat(2000),
      'x'.repeat(10_000),
      '😀'.repeat(5_000),
      '\u0EC8'.repeat(10_000),
    ];
    for (const input of inputs) {
      const terms = tokenizeQuery(input);
      assert.ok(Array.isArray(terms));
      assert.ok(terms.length <= 32, `${terms.length} terms`);
      for (const term of terms) assert.ok(term.length <= 64);
    }
    assert.deepEqual(tokenizeQuery("'; DROP TABLE datasets; --"), ['drop', 'table', 'dataset']);
    assert.deepEqual(tokenizeQuery('title:(rice OR water)'), ['title', 'rice', 'or', 'water']);
    // Not a string at all (a query parser bug upstream) gives no terms rather than a 500.
    assert.deepEqual(tokenizeQuery(undefined as unknown as string), []);
  });

  it('keeps whole words when it truncates', () => {
    const terms = tokenizeQuery('water '.repeat(200));
    assert.ok(terms.every((t) => t === 'water'));
    assert.equal(terms.length, 32);
  });
});

describe('stemEnglish', () => {
  it('folds plurals, -ed, -ing and final y', () => {
    const same: [string, string][] = [
      ['statistics', 'statistic'],
      ['schools', 'school'],
      ['populations', 'population'],
      ['countries', 'country'],
      ['studies', 'study'],
      ['classes', 'class'],
      ['mining', 'mine'],
      ['mines', 'mine'],
      ['used', 'use'],
      ['planned', 'plan'],
      ['farming', 'farm'],
      ['hospitals', 'hospital'],
      ['provinces', 'province'],
      ['boxes', 'box'],
      ['churches', 'church'],
      ['branches', 'branch'],
    ];
    for (const [a, b] of same) assert.equal(stemEnglish(a), stemEnglish(b), `${a} / ${b}`);
  });

  it('gives British and American spellings one stem', () => {
    const same: [string, string][] = [
      ['labour', 'labor'],
      ['Labour force', 'labor forces'],
      ['centres', 'center'],
      ['organisation', 'organization'],
      ['organisations', 'organizations'],
      ['programmes', 'program'],
      ['licence', 'license'],
      ['fertilisers', 'fertilizer'],
      ['analysed', 'analyzed'],
      ['organised', 'organized'],
    ];
    for (const [a, b] of same) assert.deepEqual(tokenize(a), tokenize(b), `${a} / ${b}`);
    for (const word of ['hour', 'four', 'tour', 'your']) assert.equal(stemEnglish(word), word);
  });

  it('leaves alone what would merge different words or is not plain a–z', () => {
    assert.equal(stemEnglish('census'), 'census');
    assert.equal(stemEnglish('gas'), 'gas');
    assert.equal(stemEnglish('news'), 'news');
    assert.equal(stemEnglish('data'), 'data');
    assert.equal(stemEnglish('series'), 'series');
    assert.equal(stemEnglish('sing'), 'sing');
    assert.notEqual(stemEnglish('population'), stemEnglish('popular'));
    assert.notEqual(stemEnglish('organization'), stemEnglish('organ'));
    assert.equal(stemEnglish('gdp2024'), 'gdp2024');
    assert.equal(stemEnglish('ສະຖິຕິ'), 'ສະຖິຕິ');
  });
});

describe('isStopWord', () => {
  it('knows Lao and English function words, folded and stemmed as tokenize makes them', () => {
    for (const word of ['ແລະ', 'ຂອງ', 'ໃນ', 'ທີ່', 'ຫຼື', 'the', 'of', 'and', 'was', 'these']) {
      for (const term of tokenize(word)) assert.ok(isStopWord(term), word);
    }
    // ຫລື typed the old way is the same stop-word.
    assert.ok(tokenize('ຫລື').every(isStopWord));
    for (const word of ['ສະຖິຕິ', 'ປະຊາກອນ', 'ປີ', 'water', 'school', '2024']) {
      assert.ok(!isStopWord(tokenize(word)[0] as string), word);
    }
  });
});

describe('segmentLao on running text', () => {
  it('cuts long text into pieces of at most 2,000 characters', () => {
    const long = udhr.repeat(4);
    const cut = [...pieces(long)];
    assert.equal(cut.join(''), long);
    assert.ok(cut.length >= long.length / 2000);
    for (const piece of cut) assert.ok(piece.length <= 2000);
  });

  it('cuts after whitespace or punctuation where there is some', () => {
    for (const piece of [...pieces(udhr)].slice(0, -1)) {
      assert.match(piece.at(-1) as string, /[\s.,;:!?()]/);
    }
  });

  it('cuts Lao text with no spaces at word boundaries, not inside words', () => {
    // UDHR with every space and punctuation taken out: only the segmenter can find a cut.
    const solid = foldLao(udhr.replace(/[^\u0E80-\u0EFF]/g, '').slice(0, 9000));
    // The reference: ICU on the whole string at once (affordable at 9,000 characters).
    const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
    const words = (text: string) =>
      [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
    const cut = [...pieces(solid)];
    assert.ok(cut.length >= 5);
    for (const piece of cut) assert.ok(piece.length <= 2000);
    assert.deepEqual(cut.flatMap(words), words(solid));
    assert.deepEqual(segmentLao(solid), words(solid));
    // Cutting blindly every 2,000 characters would have split words (ຄະນ|ະ, ບັງ|ຄັ|ບ).
    const blind = Array.from({ length: 5 }, (_, i) => solid.slice(i * 2000, (i + 1) * 2000));
    assert.notDeepEqual(blind.flatMap(words), words(solid));
  });

  it('loses no words on repeated text', () => {
    const once = segmentLao(udhr);
    assert.ok(once.length > 1000);
    assert.equal(segmentLao(udhr.repeat(3)).length, once.length * 3);
    assert.deepEqual(tokenize(udhr.repeat(2)).length, tokenize(udhr).length * 2);
  });

  it('never splits a surrogate pair, even in text with no boundary at all', () => {
    const emoji = '😀'.repeat(3000);
    for (const piece of pieces(emoji)) {
      assert.ok(piece.length <= 2000);
      assert.ok(!/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(piece));
    }
  });
});
