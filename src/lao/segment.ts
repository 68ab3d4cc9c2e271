import { foldLao } from './fold.js';

const pieceLength = 2_000;
const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });

/**
 * Words of a text, folded, in order. Lao has no spaces between words, so ICU's dictionary
 * finds them; it is given pieces of at most 2,000 characters because Node 20's segmenter slows
 * down more than linearly on long strings.
 */
export function segmentLao(text: string): string[] {
  const words: string[] = [];
  for (const piece of pieces(foldLao(text))) {
    for (const { segment, isWordLike } of segmenter.segment(piece)) {
      if (isWordLike) words.push(segment);
    }
  }
  return words;
}

// Cuts at whitespace where there is some, so that no word is split between two pieces.
function* pieces(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > pieceLength) {
    const space = text.lastIndexOf(' ', start + pieceLength);
    const end = space > start ? space : start + pieceLength;
    yield text.slice(start, end);
    start = end;
  }
  yield text.slice(start);
}
