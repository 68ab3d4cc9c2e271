import { readFileSync } from 'node:fs';

/**
 * Cross-language search terms from the Lao–English dictionary (reference/lao-eng-terms.tsv, made by
 * scripts/clean-lao-dictionary.ts). Loaded on the first lookup, so only a process that searches
 * pays for it.
 */

const maxTranslations = 5;
// Kept per English stem before the one-word filter of translateTerm, so that it still has five.
const maxCandidates = 12;
const lao = /[\u0E80-\u0EFF]/;

interface Terms {
  /** Lao word, or words separated by spaces → its senses: "water|drink water". */
  senses: Map<string, string>;
  /** English stem → Lao words or phrases (words separated by spaces), most useful first. */
  toLao: Map<string, string[]>;
}

// Read-only reference data, the same for every app in the process: loading it once is the
// point, so it is cached here rather than passed around.
let terms: Terms | undefined;

/**
 * Terms in the other language for one term as {@link tokenize} makes it (folded, stemmed):
 * Lao word → English stems, English stem → Lao words; [] when the dictionary does not know it.
 * At most five, the most useful first. Only one-term translations: see
 * {@link translatePhrases} for those that take several words.
 *
 * A Lao phrase can be looked up too, as its terms separated by spaces ('ສິນຄ້າ ອອກ' → export).
 *
 * ```ts
 * translateTerm('ໂຮງຮຽນ'); // ['school']
 * translateTerm('school'); // ['ໂຮງຮຽນ', …]
 * ```
 */
export function translateTerm(term: string): string[] {
  if (typeof term !== 'string' || term === '') return [];
  const { senses, toLao } = load();
  if (lao.test(term)) {
    const english = (senses.get(term) ?? '').split(/[| ]/).filter((stem) => stem !== '');
    return [...new Set(english)].slice(0, maxTranslations);
  }
  return (toLao.get(term) ?? []).filter((word) => !word.includes(' ')).slice(0, maxTranslations);
}

/**
 * Like {@link translateTerm}, but each translation is the list of terms, in order, that
 * {@link tokenize} makes of it, so a translation may take several words: 'export' →
 * [['ສິນຄ້າ', 'ອອກ']], 'ນ້ຳ' → [['water'], ['liquid'], ['sauce']]. Search matches the longer ones
 * as phrases. At most five.
 */
export function translatePhrases(term: string): string[][] {
  if (typeof term !== 'string' || term === '') return [];
  const { senses, toLao } = load();
  const found = lao.test(term) ? (senses.get(term)?.split('|') ?? []) : (toLao.get(term) ?? []);
  return found.slice(0, maxTranslations).map((phrase) => phrase.split(' '));
}

/** Loads the dictionary now (a search node may call this at start so no query waits for it). */
export function loadDictionary(): { laoTerms: number; englishTerms: number } {
  const { senses, toLao } = load();
  return { laoTerms: senses.size, englishTerms: toLao.size };
}

function load(): Terms {
  terms ??= parseTerms(
    readFileSync(new URL('./reference/lao-eng-terms.tsv', import.meta.url), 'utf8'),
  );
  return terms;
}

// Each translation candidate is one number, so that loading 25,000 entries makes a few arrays
// of numbers instead of 100,000 small objects (which cost more in garbage collection than the
// parsing itself): rank, then Lao length, then entry index, packed so that sorting the numbers
// sorts by rank first.
const indexBits = 2 ** 17;
const lengthBits = 64;

function parseTerms(text: string): Terms {
  const senses = new Map<string, string>();
  const words: string[] = [];
  const candidates = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const firstTab = line.indexOf('\t');
    const secondTab = line.indexOf('\t', firstTab + 1);
    const word = line.slice(0, firstTab);
    const glosses = line.slice(secondTab + 1);
    const index = words.push(word) - 1;
    senses.set(word, glosses);
    // Lower is better: a one-word sense (water) before a phrase (drinking water); the first
    // sense of a Lao word before its later ones; an everyday word (ນ້ຳ, in 545 headwords)
    // before a literary one (ແສ, in 3); one Lao word before a phrase. Weights chosen by reading
    // the results for the common terms of statistics and government data.
    const base =
      -Math.log2(1 + Number(line.slice(firstTab + 1, secondTab))) + (word.includes(' ') ? 4 : 0);
    let position = 0;
    for (const sense of glosses.split('|')) {
      const stems = sense.split(' ');
      const rank = Math.max(0, Math.round((base + stems.length * 10 + position * 2 + 20) * 8));
      // Among equals the shorter Lao word is usually the plain one (ນ້ຳ before ນ້ຳມັນ).
      const key = (rank * lengthBits + Math.min(word.length, lengthBits - 1)) * indexBits + index;
      for (const stem of stems) {
        const list = candidates.get(stem);
        if (list) list.push(key);
        else candidates.set(stem, [key]);
      }
      position += 1;
    }
  }
  const toLao = new Map<string, string[]>();
  for (const [stem, keys] of candidates) {
    keys.sort((a, b) => a - b);
    const best: string[] = [];
    for (const key of keys) {
      const word = words[key % indexBits] as string;
      if (!best.includes(word)) best.push(word);
      if (best.length === maxCandidates) break;
    }
    toLao.set(stem, best);
  }
  return { senses, toLao };
}
