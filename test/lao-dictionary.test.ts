import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  foldLao,
  isStopWord,
  loadDictionary,
  tokenize,
  translatePhrases,
  translateTerm,
} from '../src/lao/index.js';

const dataDir = new URL('../src/lao/reference/', import.meta.url);
const table = readFileSync(new URL('lao-eng-terms.tsv', dataDir), 'utf8');
const entries = table
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => line.split('\t'));

describe('translateTerm', () => {
  it('translates Lao words to English stems', () => {
    assert.deepEqual(translateTerm('ນ້ຳ').slice(0, 1), ['water']);
    assert.deepEqual(translateTerm('ໂຮງຮຽນ'), ['school']);
    assert.deepEqual(translateTerm('ປະຊາກອນ'), ['population']);
    assert.deepEqual(translateTerm('ສະຖິຕິ').slice(0, 1), ['statistic']);
    assert.ok(translateTerm('ເຂົ້າ').includes('rice'));
    assert.ok(translateTerm('ແຂວງ').includes('province'));
  });

  it('translates English stems to Lao words, everyday words first', () => {
    assert.equal(translateTerm('water')[0], 'ນ້ຳ');
    assert.equal(translateTerm('school')[0], 'ໂຮງຮຽນ');
    assert.ok(translateTerm('population').includes('ປະຊາກອນ'));
    assert.equal(translateTerm('rice')[0], 'ເຂົ້າ');
    assert.equal(translateTerm('statistic')[0], 'ສະຖິຕິ');
    assert.equal(translateTerm('hospital')[0], foldLao('ໂຮງຫມໍ'));
    assert.equal(translateTerm('province')[0], 'ແຂວງ');
  });

  it('takes terms exactly as tokenize makes them, both ways', () => {
    // English plural and Lao variant spellings arrive stemmed and folded.
    const [schools] = tokenize('Schools');
    assert.deepEqual(translateTerm(schools as string)[0], 'ໂຮງຮຽນ');
    const [hospital] = tokenize('ໂຮງຫມໍ');
    assert.deepEqual(translateTerm(hospital as string), ['hospital']);
    for (const word of ['statistics', 'population', 'water', 'ໂຮງຮຽນ', 'ສະຖິຕິ']) {
      for (const translation of translateTerm(tokenize(word)[0] as string)) {
        assert.deepEqual(tokenize(translation), [translation], `${word} → ${translation}`);
      }
    }
  });

  it('is bounded and returns [] for unknown terms', () => {
    assert.deepEqual(translateTerm('xyzzy'), []);
    assert.deepEqual(translateTerm(''), []);
    assert.deepEqual(translateTerm('2024'), []);
    assert.deepEqual(translateTerm('ຫຼວງພະບາງ😀'), []);
    for (const [word] of entries.slice(0, 2000)) {
      assert.ok(translateTerm(word as string).length <= 5);
    }
    for (const stem of ['water', 'rice', 'big', 'good', 'make']) {
      assert.ok(translateTerm(stem).length <= 5, stem);
    }
  });

  it('gives translations that take several Lao words as phrases of terms', () => {
    assert.deepEqual(translatePhrases('export')[0], ['ສິນຄ້າ', 'ອອກ']);
    assert.deepEqual(translateTerm('export'), []);
    assert.deepEqual(translateTerm('ສິນຄ້າ ອອກ'), ['export']);
    assert.deepEqual(translatePhrases('ນ້ຳ'), [['water'], ['liquid'], ['sauce']]);
    // The one-word translations are the same, first.
    assert.deepEqual(translatePhrases('school')[0], ['ໂຮງຮຽນ']);
    for (const term of ['export', 'water', 'buddhism', 'ນ້ຳ', 'xyzzy', '']) {
      const phrases = translatePhrases(term);
      assert.ok(phrases.length <= 5, term);
      for (const phrase of phrases) {
        assert.deepEqual(tokenize(phrase.join(' ')), phrase, `${term} → ${phrase.join(' ')}`);
      }
    }
  });

  it('drops ການ and ຄວາມ, which search treats as stop-words: ການທ່ອງທ່ຽວ is ທ່ອງທ່ຽວ', () => {
    // "voyage" is the dictionary's sense of ການທ່ອງທ່ຽວ only; ທ່ອງທ່ຽວ alone is travel, tour.
    assert.ok(translateTerm('voyage').includes('ທ່ອງທ່ຽວ'));
    assert.deepEqual(translateTerm('ທ່ອງທ່ຽວ'), ['voyage', 'travel', 'tour']);
    assert.ok(isStopWord('ການ') && isStopWord('ຄວາມ'));
  });

  it('loads once and reports its size', () => {
    const sizes = loadDictionary();
    assert.equal(sizes.laoTerms, entries.length);
    assert.ok(sizes.englishTerms > 5000, `${sizes.englishTerms} English stems`);
  });
});

describe('the cleaned dictionary file', () => {
  it('has no header rows and only folded, Latin-free Lao terms of one or two words', () => {
    assert.ok(entries.length > 20_000, `${entries.length} terms`);
    const seen = new Set<string>();
    for (const [lao, uses, senses, ...rest] of entries) {
      assert.equal(rest.length, 0);
      assert.match(lao as string, /^[\u0E80-\u0EFF]+( [\u0E80-\u0EFF]+)?$/, `${lao}`);
      assert.equal(foldLao(lao as string), lao);
      assert.deepEqual(tokenize(lao as string), (lao as string).split(' '), `${lao}`);
      assert.ok(!seen.has(lao as string), `${lao} twice`);
      seen.add(lao as string);
      assert.match(uses as string, /^[1-9]\d*$/);
      assert.match(
        senses as string,
        /^[a-z0-9]+( [a-z0-9]+){0,2}(\|[a-z0-9]+( [a-z0-9]+){0,2}){0,3}$/,
      );
    }
    assert.doesNotMatch(table, /LaoWord|Pronunciation/);
  });

  it('merged the ຫນ/ໜ and ຫລ/ຫຼ spellings and repaired keyboard slips', () => {
    assert.ok(!entries.some(([lao]) => /ຫ[ນມລ]|\u0ECD\u0EB2/.test(lao as string)));
    // ກອ'ຫນ້າ and ກ້ຽ' in the source: ' is the ງ key of a Lao keyboard.
    const english = (lao: string) => entries.find(([word]) => word === foldLao(lao))?.[2];
    assert.equal(english('ກອງໜ້າ'), 'vanguard');
    assert.equal(english('ກ້ຽງ'), 'smooth|clean');
    assert.equal(english('ເກັບໄວ້'), 'keep');
  });

  it('ships with its licence and source note, small', () => {
    const licence = readFileSync(new URL('LICENSE-lao-eng-dictionary.txt', dataDir), 'utf8');
    assert.match(licence, /MIT License/);
    assert.match(licence, /E-Government Center/);
    const sources = readFileSync(new URL('SOURCES.md', dataDir), 'utf8');
    assert.match(sources, /lao-eng-terms\.tsv/);
    assert.match(sources, /LICENSE-lao-eng-dictionary\.txt/);
    assert.ok(Buffer.byteLength(table) < 1_500_000);
  });
});

describe('scripts/clean-lao-dictionary.ts', () => {
  it('makes exactly the shipped file from the dictionary in demo/', () => {
    // Fails when folding, stemming or the segmenter changed and the table was not made again.
    const work = mkdtempSync(join(tmpdir(), 'khomoun-lao-dictionary-'));
    try {
      const output = join(work, 'terms.tsv');
      const root = new URL('../', import.meta.url).pathname;
      const log = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'scripts/clean-lao-dictionary.ts'),
          join(root, 'demo/lao-eng-dictionary.csv'),
          output,
        ],
        { encoding: 'utf8' },
      );
      assert.match(log, /26 header rows dropped/);
      assert.equal(readFileSync(output, 'utf8'), table);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
