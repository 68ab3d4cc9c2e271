import { foldText } from './lao-text.js';

const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
// Snippets come from the start of a description; a match further on is rare and costly to find.
const maxScanned = 3_000;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const lao = /[\u0E80-\u0EFF]/;
const maxSegmentsPerTerm = 6;

// Folding is a pure function of the word, and the words of descriptions repeat: folding each
// segment anew was a third of a search's own (JavaScript) time for a page of 20 results.
// Cleared when full, which bounds it at a few hundred kilobytes.
const foldedWords = new Map<string, string>();
const maxFoldedWords = 20_000;
function foldWord(word: string): string {
  let folded = foldedWords.get(word);
  if (folded === undefined) {
    if (foldedWords.size >= maxFoldedWords) foldedWords.clear();
    folded = foldText(word);
    foldedWords.set(word, folded);
  }
  return folded;
}

// A word matches a term it starts with (partial typing) or nearly is (a stem); Lao text may be
// segmented differently around an old spelling, so there a term inside the word counts too.
function matches(word: string, term: string): boolean {
  if (word.startsWith(term)) return true;
  if (word.length >= 2 && term.startsWith(word) && term.length - word.length <= 2) return true;
  return lao.test(term) && [...term].length >= 3 && word.includes(term);
}

/** Folded text with Latin letters' accents off and final sigma in its other form. */
const latinForm = (folded: string) =>
  folded
    .normalize('NFD')
    .replace(/[\u0300-\u036F]/g, '')
    .replace(/\u03C2/g, '\u03C3');

/**
 * The text as folded, then with every difference that folding a piece of it alone could make
 * taken out: a word's or a run of words' folded form (see snippet) is then always found in the
 * text's. Segments never start inside a cluster of marks, so only folding that joins letters
 * looks across where one starts: ຫ|ນ is ໜ, ໍ|າ is ຳ, a tone after ຳ goes before it (next to
 * the marks of the letter before, ahead of ໌), and a doubled ລ, ຼ or າ is one. So ຫ, ໍ and ໌
 * are dropped, ໜ, ໝ and ຼ become the consonant after ຫ, ຳ is າ, and runs of ລ or of າ are
 * one; Latin letters are as in latinForm, whatever else the text holds. Decomposed first: after
 * ຫ is dropped, decomposing would reorder the marks it separated.
 */
function looseForm(folded: string): string {
  return latinForm(folded)
    .replace(/\u0EAB|\u0ECC|\u0ECD/g, '')
    .replace(/\u0EB3|\u0EBC|\u0EDC|\u0EDD/g, (c) => looseLetters[c] ?? c)
    .replace(/([\u0EA5\u0EB2])\1+/g, '$1');
}
const looseLetters: Record<string, string> = {
  '\u0EB3': '\u0EB2',
  '\u0EBC': '\u0EA5',
  '\u0EDC': '\u0E99',
  '\u0EDD': '\u0EA1',
};

/**
 * False only when no word of `text` can match a term (see matches): each term's shortest
 * matching start is looked for in the loose form of the whole text; a Latin one where a word
 * may start, as a word the segmenter cuts never starts right after a Latin letter or digit
 * (folding drops only marks and invisible characters, which the segmenter passes over, and the
 * zero-width space, a space here).
 */
function mayMatch(text: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  const folded = foldText(text.replace(/\u200B/g, ' '));
  let loose: string | undefined;
  let latin: string | undefined;
  return terms.some((term) => {
    // A word may stop up to two letters short of the term (a stem), and has at least two.
    const start = latinForm(term.slice(0, Math.min(term.length, Math.max(2, term.length - 2))));
    if (!/^[a-z0-9]+$/.test(start)) return (loose ??= looseForm(folded)).includes(looseForm(start));
    latin ??= latinForm(folded);
    for (let at = latin.indexOf(start); at !== -1; at = latin.indexOf(start, at + 1))
      if (at === 0 || !/[a-z0-9]/.test(latin.charAt(at - 1))) return true;
    return false;
  });
}

/**
 * Where the last word that ends by `at` ends, as segmenting the whole text would find. Only
 * the words around `at` are segmented: from a space after something else (there a word ends,
 * and what follows is cut without looking further back: a space ends a run of Lao letters,
 * which the segmenter cuts with a dictionary, and the rules for other scripts look back no
 * further than a letter) to the first space from `at` on (the rules look no further ahead).
 */
function lastBoundary(text: string, at: number, breaks: WordBreaks | undefined): number {
  // Stored breaks are those of the whole text.
  if (breaks !== undefined) {
    let cut = 0;
    for (let i = 0; i < breakCount(breaks); i += 1) {
      const start = breakAt(breaks, i) >> 1;
      if (start > at) break;
      cut = start;
    }
    return cut;
  }
  let from = text.lastIndexOf(' ', at);
  while (from > 0 && /\s/.test(text.charAt(from - 1))) from = text.lastIndexOf(' ', from - 1);
  from = Math.max(from, 0);
  const space = text.indexOf(' ', at);
  let cut = from;
  for (const { index } of segmenter.segment(text.slice(from, space === -1 ? undefined : space + 1)))
    if (from + index <= at) cut = from + index;
    else break;
  return cut;
}

/**
 * Where a text's words start, as wordBreaks finds them: two bytes each, the low one first. As
 * bytes, a page's 40 descriptions come back from PostgreSQL without parsing an array of numbers
 * for each (as `smallint[]`, that parsing took a third of the time the breaks saved).
 */
export type WordBreaks = Uint8Array;

const breakCount = (breaks: WordBreaks) => breaks.length >> 1;
const breakAt = (breaks: WordBreaks, i: number) =>
  (breaks[2 * i] ?? 0) | ((breaks[2 * i + 1] ?? 0) << 8);

/**
 * Where the words of `text` start, as `snippet` cuts it: the start of each segment the word
 * segmenter finds in its first `maxScanned` characters, doubled, plus one for a word (not a
 * space or punctuation). Stored with each search document (migration 0014) and given back to
 * `snippet`: cutting Lao text with the segmenter, which looks its words up in a dictionary, was
 * two fifths of the time spent making a page's snippets (about 0.45 of 1.1 ms for 20 results).
 */
export function wordBreaks(text: string): WordBreaks {
  const starts: number[] = [];
  for (const { index, isWordLike } of segmenter.segment(text.slice(0, maxScanned)))
    starts.push(index * 2 + (isWordLike ? 1 : 0));
  const breaks = Buffer.alloc(starts.length * 2);
  starts.forEach((start, i) => breaks.writeUInt16LE(start, 2 * i));
  return breaks;
}

/** Whether stored breaks can be this text's: the first at its start, the last within it. */
function fits(breaks: WordBreaks, text: string): boolean {
  const count = breakCount(breaks);
  return (
    count > 0 &&
    breaks.length % 2 === 0 &&
    breakAt(breaks, 0) >> 1 === 0 &&
    breakAt(breaks, count - 1) >> 1 < text.length
  );
}

/** The text's segments: from its stored breaks, or cut by the segmenter as they are read. */
function* segmentsOf(
  text: string,
  breaks: WordBreaks | undefined,
): Iterable<{ segment: string; isWordLike: boolean }> {
  if (breaks === undefined) {
    for (const { segment, isWordLike } of segmenter.segment(text))
      yield { segment, isWordLike: isWordLike === true };
    return;
  }
  const count = breakCount(breaks);
  for (let i = 0; i < count; i += 1) {
    const word = breakAt(breaks, i);
    const end = i + 1 < count ? breakAt(breaks, i + 1) >> 1 : text.length;
    yield { segment: text.slice(word >> 1, end), isWordLike: (word & 1) === 1 };
  }
}

/**
 * An HTML-escaped excerpt of `text` of about `length` characters around the first word that
 * matches a term, with every matching word in `<mark>`. Words are compared folded, so ຫລວງ in
 * the text is marked for a query typed ຫຼວງ; a term matches words it starts (partial typing).
 *
 * ```ts
 * snippet('ສະຖິຕິ ປະຊາກອນ ປີ 2020', ['ປະຊາກອນ']); // 'ສະຖິຕິ <mark>ປະຊາກອນ</mark> ປີ 2020'
 * ```
 *
 * `stored`, the text's wordBreaks, saves cutting it again; the snippet is the same.
 */
export function snippet(
  text: string,
  terms: readonly string[],
  length = 240,
  stored?: WordBreaks | null,
): string {
  const scanned = text.slice(0, maxScanned);
  const breaks =
    stored !== undefined && stored !== null && fits(stored, scanned) ? stored : undefined;
  // Most descriptions of a page have no match (three in four at 100,000 datasets): their
  // snippet is their start, and segmenting them to find no match was most of a search's own
  // time in JavaScript.
  if (!mayMatch(scanned, terms)) {
    if (scanned.length <= length) return escapeHtml(scanned).trim();
    return `${escapeHtml(scanned.slice(0, lastBoundary(scanned, length, breaks))).trimEnd()}…`.trim();
  }
  const parts: { text: string; match: boolean }[] = [];
  const folded: string[] = [];
  // Segments are cut as they are read: the snippet shows at most `length` characters from
  // before the first match, so the rest of a long text is left uncut once a matching word is
  // found, the window after it is read, and so are the segments a compound starting inside the
  // window may span (compounds are marked below).
  let firstMatchAt = -1;
  let windowRead = -1;
  let read = 0;
  for (const { segment, isWordLike } of segmentsOf(scanned, breaks)) {
    const word = isWordLike ? foldWord(segment) : '';
    const match = word !== '' && terms.some((term) => matches(word, term));
    folded.push(word);
    parts.push({ text: segment, match });
    if (match && firstMatchAt < 0) firstMatchAt = read;
    read += segment.length;
    if (windowRead < 0 && firstMatchAt >= 0 && read > firstMatchAt + length)
      windowRead = parts.length;
    if (windowRead >= 0 && parts.length >= windowRead + maxSegmentsPerTerm) break;
  }
  // A compound term (ຫຼວງພະບາງ) may cover several segments of the text (ຫລວງ|ພະ|ບາງ).
  const compounds = terms.filter((term) => lao.test(term) && [...term].length >= 4);
  const starts = new Set(compounds.map((term) => term.charAt(0)));
  for (let i = 0; i < parts.length && compounds.length > 0; i += 1) {
    if (!starts.has(folded[i]?.charAt(0) ?? '')) continue;
    let joined = '';
    for (let j = i; j < Math.min(parts.length, i + maxSegmentsPerTerm); j += 1) {
      if (folded[j] === '') break;
      // Folded as a whole: ຫ|ມໍ cut apart by the segmenter is the one letter ໝ.
      joined += parts[j]?.text ?? '';
      const whole = foldText(joined);
      if (compounds.some((term) => whole.startsWith(term))) {
        for (let k = i; k <= j; k += 1) (parts[k] as { match: boolean }).match = true;
        break;
      }
    }
  }
  const first = parts.findIndex((part) => part.match);
  let start = 0;
  if (first > 0) {
    // Some words of context before the first match.
    let before = 0;
    start = first;
    while (start > 0 && before + (parts[start - 1]?.text.length ?? 0) <= length / 4) {
      start -= 1;
      before += parts[start]?.text.length ?? 0;
    }
  }
  let out = start > 0 ? '…' : '';
  let used = 0;
  let end = start;
  for (; end < parts.length; end += 1) {
    const part = parts[end];
    if (!part || used + part.text.length > length) break;
    used += part.text.length;
    // Adjacent marked words (a compound cut in segments) make one mark.
    const open = part.match && !parts[end - 1]?.match;
    const close = part.match && !parts[end + 1]?.match;
    out += `${open || (part.match && end === start) ? '<mark>' : ''}${escapeHtml(part.text)}${close ? '</mark>' : ''}`;
  }
  if (parts[end - 1]?.match && parts[end]?.match) out += '</mark>';
  if (end < parts.length || text.length > scanned.length) out = `${out.trimEnd()}…`;
  return out.trim();
}
