import type { Database } from '../db/index.js';
import { foldText, laoText } from './lao-text.js';
import type { FoundRow } from './queries.js';
import { closeWords, type CloseWord } from './vocabulary-queries.js';

/**
 * Spelling correction through the vocabulary of migration 0011: every word of the indexed
 * documents, with a trigram index. A query in which no word matches looks up the closest
 * vocabulary words to search for instead, and "did you mean" shows those the caller's own
 * matches contain.
 */

// A vocabulary word may replace a typed one from this trigram similarity on (pg_trgm's default):
// a wrong letter in a word of five or six. A few per word, and only those nearly as close as the best:
// they are searched for together, and a poorer spelling would bring its own matches.
const wordThreshold = 0.3;
const wordsPerTyped = 3;
const closeMargin = 0.15;
const maxTypedWords = 12;

/**
 * The words of the query as the vocabulary holds them: split at spaces only, so that a misspelt
 * Lao word, which segmentation cuts into fragments, is looked up whole; a word that stays one
 * term is looked up as that term (stemmed, like the documents' words).
 */
function typedWords(folded: string): TypedWord[] {
  const words = new Map<string, string>();
  for (const typed of folded.split(/\s+/)) {
    if ([...typed].length < 2 || /^[0-9.,]+$/.test(typed) || laoText.isStopWord(typed)) continue;
    const terms = laoText.tokenizeQuery(typed);
    words.set(typed, terms.length === 1 && terms[0] !== undefined ? terms[0] : typed);
  }
  return [...words].slice(0, maxTypedWords).map(([typed, term]) => ({ typed, term }));
}

/** Of each typed word's close words, those nearly as close as its closest. */
function closestWords(close: readonly CloseWord[]): CloseWord[] {
  const best = new Map<string, number>();
  for (const c of close) best.set(c.typed, Math.max(best.get(c.typed) ?? 0, c.score));
  return close.filter((c) => c.score >= (best.get(c.typed) ?? 0) - closeMargin);
}

/**
 * The typed words of a folded query and, for each, the vocabulary words nearly as close as its
 * closest (none when no word is long enough to correct).
 */
export async function closestVocabulary(
  withSettings: Database['withSettings'],
  folded: string,
): Promise<{ typed: TypedWord[]; nearest: CloseWord[] }> {
  const typed = typedWords(folded);
  if (typed.length === 0) return { typed, nearest: [] };
  const close = await withSettings(
    { 'pg_trgm.similarity_threshold': String(wordThreshold) },
    (tx) =>
      closeWords(
        tx,
        typed.map((w) => w.term),
        wordsPerTyped,
      ),
  );
  return { typed, nearest: closestWords(close) };
}

interface TypedWord {
  typed: string;
  term: string;
}

/**
 * The typed words, each replaced by its closest vocabulary word among those the matches shown to
 * the caller contain (title, keywords, description, organization): a word that only a hidden
 * document has is never shown. Undefined when no word would change.
 */
export function correctionOf(
  typed: readonly TypedWord[],
  close: readonly CloseWord[],
  rows: readonly FoundRow[],
): string | undefined {
  // Each term of the shown text with a word it was cut from: a stemmed term ("popul") is shown
  // as a word that has it ("population").
  const shown = new Map<string, string>();
  for (const row of rows.slice(0, 5)) {
    const texts = [
      row.title_lo,
      row.title_en,
      ...row.keywords,
      row.description_lo,
      row.description_en,
      row.organization_title_lo,
      row.organization_title_en,
    ];
    for (const text of texts) {
      if (!text) continue;
      for (const word of foldText(text).split(/[\s\p{P}]+/u)) {
        const terms = laoText.tokenize(word);
        for (const term of terms)
          if (!shown.has(term)) shown.set(term, terms.length === 1 ? word : term);
      }
    }
  }
  let changed = false;
  const corrected = typed.map(({ typed: word, term }) => {
    const best = close
      .filter((c) => c.typed === term && shown.has(c.word))
      .sort((a, b) => b.score - a.score)[0];
    if (best === undefined || best.word === term) return word;
    changed = true;
    return shown.get(best.word) ?? best.word;
  });
  return changed ? corrected.join(' ') : undefined;
}
