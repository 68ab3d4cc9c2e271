import { foldSearchText } from './fold.js';
import { wordsOfFolded } from './segment.js';
import { stemEnglish } from './stem.js';
import { isStopWord } from './stop-words.js';

export { isStopWord };

// PostgreSQL refuses lexemes over 2 KB; a "word" this long is a pasted hash, URL or garbage.
const maxTermLength = 64;
// A query longer than this is pasted text, not a search: its first words are what matter.
const maxQueryLength = 512;
const maxQueryTerms = 32;

const lao = /[\u0E80-\u0EFF]/;
const spaceInsideLao = /([\u0E80-\u0EFF])[ \u00A0\t]+(?=[\u0E80-\u0EFF])/g;
const apostrophes = /['’ʼ`]/g;
const notAlphanumeric = /[^\p{L}\p{N}]+/u;

/**
 * Index terms of any text, in order, duplicates kept: Lao words folded (DESIGN §6) and found
 * by the segmenter, Latin words lowercased without accents and lightly stemmed, digits (Lao
 * digits as ASCII). Stop-words are kept so that phrases and positions stay right; callers drop
 * them with {@link isStopWord} where they do not want them.
 *
 * ```ts
 * tokenize('ສະຖິຕິ GDP ໒໐໒໔, Schools'); // ['ສະຖິຕິ', 'gdp', '2024', 'school']
 * ```
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  // A space inside Lao text marks a pause, not a word boundary, and people put one inside
  // words too (ຫຼວງ ພະບາງ, ໂຮງ ຮຽນ); left in, it makes the segmenter cut there, and the query
  // would not meet the text that spells the word whole. On the UDHR, taking the spaces out
  // changes 1 word in 2,300.
  const joined = foldSearchText(text).replace(spaceInsideLao, '$1');
  for (const word of wordsOfFolded(joined)) {
    if (lao.test(word)) {
      if (word.length <= maxTermLength) terms.push(word);
      continue;
    }
    // "don't" → dont, "U.S.A" → u s a, "2,024.5" → 2 024 5: the same on both sides of a search.
    for (const part of word.replace(apostrophes, '').split(notAlphanumeric)) {
      if (part !== '' && part.length <= maxTermLength) terms.push(stemEnglish(part));
    }
  }
  return terms;
}

/**
 * {@link tokenize} for what a user typed: bounded (a 10,000-character paste costs what 512
 * characters cost), never throws, and returns [] for emoji, punctuation or empty input.
 */
export function tokenizeQuery(text: string): string[] {
  if (typeof text !== 'string') return [];
  return tokenize(truncate(text, maxQueryLength)).slice(0, maxQueryTerms);
}

function truncate(text: string, length: number): string {
  if (text.length <= length) return text;
  let end = length;
  // Cut after a space near the end if there is one, so that the last word is whole.
  const space = text.lastIndexOf(' ', end);
  if (space > length - 64) end = space;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
