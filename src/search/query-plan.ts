import { provinceTerm } from './document.js';
import { foldText, laoText } from './lao-text.js';
import type { TermGroup } from './tsvector.js';

/** What a typed query asks for, as index terms. */
export interface QueryPlan {
  /** Every group must match; see tsqueryOf. Empty: the query asks for everything. */
  groups: TermGroup[];
  /** P-codes of the provinces the query names. */
  provinces: string[];
  /** The folded query, for trigram similarity. */
  folded: string;
  /** Folded words to highlight in snippets: as typed, with their translations. */
  highlight: string[];
}

// A query is a few words; pasted paragraphs are searched by their beginning (DESIGN: never slow).
export const maxQueryLength = 512;
const maxGroups = 12;
// The dictionary lists the most useful senses first; the rest mostly add noise (and cost).
const maxTranslations = 3;

/**
 * ```ts
 * planQuery('ສະຖິຕິ Luang Prabang'); // groups: [ສະຖິຕິ*], [la06 | luang & prabang]
 * ```
 */
export function planQuery(q: string): QueryPlan {
  const text = q.slice(0, maxQueryLength);
  const tokens = laoText.tokenizeQuery(text);
  const groups: TermGroup[] = [];
  const provinces: string[] = [];
  const highlight = new Set<string>();
  for (const mention of laoText.findProvinces(text)) {
    if (provinces.includes(mention.pcode)) continue;
    provinces.push(mention.pcode);
    const named = mention.terms;
    // The words that named the province are now answered by it: taken out of the plain terms.
    for (const term of named) {
      const at = tokens.indexOf(term);
      if (at >= 0) tokens.splice(at, 1);
      highlight.add(term);
    }
    const alternatives = [{ terms: [provinceTerm(mention.pcode)], translated: false }];
    if (named.length > 0) alternatives.push({ terms: named, translated: false });
    groups.push({ alternatives, prefix: false });
  }
  const meaningful = tokens.filter((term) => !laoText.isStopWord(term));
  // Only stop-words ("ແລະ", "the"): they are still what the person asked for.
  const words = [...new Set(meaningful.length > 0 ? meaningful : tokens)];
  words.slice(0, maxGroups).forEach((term, i) => {
    highlight.add(term);
    const alternatives = [{ terms: [term], translated: false }];
    for (const phrase of laoText.translatePhrases(term).slice(0, maxTranslations)) {
      const terms = phrase.filter((t) => !laoText.isStopWord(t));
      if (terms.length === 0 || terms.length > 4) continue;
      alternatives.push({ terms, translated: true });
      for (const t of terms) highlight.add(t);
    }
    // Typing is partial at the end; longer words may be the start of a compound. After other
    // words a fragment of one or two letters is a word: as a prefix it stands for thousands of
    // words, whose documents the index must all gather before the other words narrow them (at
    // 100,000 datasets it doubled the lookup of a four-word query: 25-33 ms against 11-17 ms).
    const prefix = [...term].length >= 3 || (i === words.length - 1 && words.length === 1);
    groups.push({ alternatives, prefix: prefix && !/^\d+$/.test(term) });
  });
  return { groups, provinces, folded: foldText(text).trim(), highlight: [...highlight] };
}
