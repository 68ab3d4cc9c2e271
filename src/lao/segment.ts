import { foldLao } from './fold.js';

const pieceLength = 2_000;
// How far back from a piece's end a cut looks for whitespace or punctuation before it asks the
// segmenter for a word boundary instead; bounded so that cutting stays linear in the text.
const lookBack = 400;
const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });

/**
 * Words of a text, folded, in order. Lao has no spaces between words, so ICU's dictionary
 * finds them; it is given pieces of at most 2,000 characters because Node 20's segmenter slows
 * down more than linearly on long strings.
 */
export function segmentLao(text: string): string[] {
  return [...wordsOfFolded(foldLao(text))];
}

/**
 * Word-like segments of text that is already folded. ICU glues Lao letters to Latin letters and
 * digits that touch them ("ສະຖິຕິGDP2024" is one "word" to it), so a script change is made a
 * boundary first.
 */
export function* wordsOfFolded(folded: string): Generator<string> {
  const spaced = folded.replace(scriptChange, '$1$2 ');
  for (const piece of pieces(spaced)) {
    for (const { segment, isWordLike } of segmenter.segment(piece)) {
      if (isWordLike) yield segment;
    }
  }
}

const scriptChange =
  /([\u0E80-\u0EFF])(?=[^\s\u0E80-\u0EFF])|([^\s\u0E80-\u0EFF])(?=[\u0E80-\u0EFF])/g;
// Apostrophes are not among them: "don't" must reach the tokenizer whole to become "dont".
const cutAfter = /[\s.,;:!?()[\]{}"«»“”/\\|\u0EAF\u0EC6-]/;

/**
 * Pieces of at most 2,000 characters, cut after whitespace or punctuation near the limit, else
 * at the last boundary the segmenter sees near the limit, so that no word is split between two
 * pieces. Only a run of 400 characters with no boundary at all is cut blindly (never inside a
 * surrogate pair).
 */
export function* pieces(text: string, length = pieceLength): Generator<string> {
  let start = 0;
  while (text.length - start > length) {
    const end = cutPoint(text, start + length, Math.max(start + 1, start + length - lookBack));
    yield text.slice(start, end);
    start = end;
  }
  yield text.slice(start);
}

function cutPoint(text: string, limit: number, floor: number): number {
  for (let i = limit; i > floor; i -= 1) {
    if (cutAfter.test(text[i - 1] as string)) return i;
  }
  let last = floor;
  for (const { index } of segmenter.segment(text.slice(floor, limit))) {
    if (index > 0) last = floor + index;
  }
  if (last > floor) return last;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
