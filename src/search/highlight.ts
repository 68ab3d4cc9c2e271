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

/**
 * An HTML-escaped excerpt of `text` of about `length` characters around the first word that
 * matches a term, with every matching word in `<mark>`. Words are compared folded, so ຫລວງ in
 * the text is marked for a query typed ຫຼວງ; a term matches words it starts (partial typing).
 *
 * ```ts
 * snippet('ສະຖິຕິ ປະຊາກອນ ປີ 2020', ['ປະຊາກອນ']); // 'ສະຖິຕິ <mark>ປະຊາກອນ</mark> ປີ 2020'
 * ```
 */
export function snippet(text: string, terms: readonly string[], length = 240): string {
  const scanned = text.slice(0, maxScanned);
  const parts: { text: string; match: boolean }[] = [];
  const folded: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(scanned)) {
    const word = isWordLike ? foldWord(segment) : '';
    folded.push(word);
    parts.push({ text: segment, match: word !== '' && terms.some((term) => matches(word, term)) });
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
