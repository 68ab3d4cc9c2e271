// Speed of the Lao text layer on real running text (the UDHR in Lao), against a plain
// Intl.Segmenter('lo') pass over the same text in the same run, so that a noisy, shared machine
// shows in both; and whether the cost grows linearly with the length of one text.
//   node --expose-gc --import tsx bench/lao-text.ts        (BENCH_ROUNDS, default 5)
// (--expose-gc only makes the dictionary's memory figure exact; without it that line says so.)
import { readFileSync } from 'node:fs';
import {
  findProvinces,
  foldLao,
  loadDictionary,
  tokenize,
  tokenizeQuery,
  translateTerm,
} from '../src/lao/index.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const udhr = readFileSync(new URL('../test/fixtures/udhr-lao.txt', import.meta.url), 'utf8');
const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });

function plainSegmenter(text: string): number {
  let words = 0;
  for (const { isWordLike } of segmenter.segment(text)) if (isWordLike) words += 1;
  return words;
}

// Plain segmentation of a whole long string is what Node 20 does super-linearly, so the baseline
// gets the UDHR one copy at a time: the fastest a correct tokenizer could hope to be.
function baseline(copies: number): number {
  let words = 0;
  for (let i = 0; i < copies; i += 1) words += plainSegmenter(udhr);
  return words;
}

function best(run: () => number): { ms: number; result: number } {
  let ms = Infinity;
  let result = 0;
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    result = run();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, result };
}

const mb = (chars: number) => (chars * 1.0) / 1e6;
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

say(`UDHR in Lao: ${udhr.length} characters; best of ${rounds} rounds`);
say(
  '| text | plain Intl.Segmenter (ms) | foldLao (ms) | tokenize (ms) | tokenize M chars/s ' +
    '| tokenize / plain |',
);
say('|---|---|---|---|---|---|');
for (const copies of [1, 10, 100]) {
  const text = udhr.repeat(copies);
  const plain = best(() => baseline(copies));
  const fold = best(() => foldLao(text).length);
  const tokens = best(() => tokenize(text).length);
  say(
    `| ${copies}× (${text.length} chars) | ${plain.ms.toFixed(1)} | ${fold.ms.toFixed(1)} | ` +
      `${tokens.ms.toFixed(1)} | ${(mb(text.length) / (tokens.ms / 1000)).toFixed(2)} | ` +
      `${(tokens.ms / plain.ms).toFixed(2)} |`,
  );
}

// One long string without pieces, to show what the 2,000-character pieces avoid. One round
// each: at 8 copies this already takes seconds.
for (const copies of [1, 2, 4, 8]) {
  const text = udhr.repeat(copies);
  const start = performance.now();
  plainSegmenter(text);
  const whole = { ms: performance.now() - start };
  say(`plain Intl.Segmenter on one ${text.length}-character string: ${whole.ms.toFixed(1)} ms`);
}

const queries = [
  'ສະຖິຕິ ປະຊາກອນ ແຂວງຫລວງພະບາງ 2015',
  'population Luang Prabang',
  'ສໍາຫຼວດ ໂຮງຮຽນ',
  'rice production by province 2010-2020',
  'x'.repeat(10_000),
];
const queryRun = best(() => {
  let n = 0;
  for (let i = 0; i < 1000; i += 1) {
    for (const q of queries) n += tokenizeQuery(q).length + findProvinces(q).length;
  }
  return n;
});
const perQuery = (queryRun.ms * 1000) / (1000 * queries.length);
say(`tokenizeQuery + findProvinces: ${perQuery.toFixed(1)} µs per query`);

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const loadStart = performance.now();
const sizes = loadDictionary();
const loadMs = performance.now() - loadStart;
gc?.();
const heapAfter = process.memoryUsage().heapUsed;
say(
  `dictionary: ${sizes.laoTerms} Lao words, ${sizes.englishTerms} English stems, loaded in ` +
    `${loadMs.toFixed(0)} ms, ` +
    (gc
      ? `${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB heap kept`
      : 'heap not measured (run with --expose-gc)'),
);
const lookups = best(() => {
  let n = 0;
  for (let i = 0; i < 100_000; i += 1) n += translateTerm(i % 2 ? 'water' : 'ນ້ຳ').length;
  return n;
});
say(`translateTerm: ${((lookups.ms * 1e6) / 100_000).toFixed(0)} ns per lookup`);
