/**
 * Literal tsvector and tsquery values built from our own terms. PostgreSQL reads these as given
 * (no parser, no dictionary), so the terms stay exactly as src/lao folded and segmented them.
 */

export type Weight = 'A' | 'B' | 'C' | 'D';

// PostgreSQL's limits: positions stop at 16,383, a lexeme keeps at most 256 of them.
const maxPosition = 16_383;
const maxPositionsPerTerm = 256;
// Fields are kept apart so that proximity never joins the end of one to the start of the next.
const fieldGap = 8;

function quote(term: string): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Builds a tsvector literal from fields of terms, each with its weight. */
export class TsvectorBuilder {
  #positions = new Map<string, string[]>();
  #next = 1;

  add(terms: readonly string[], weight: Weight): this {
    for (const term of terms) {
      if (this.#next > maxPosition) break;
      let list = this.#positions.get(term);
      if (!list) this.#positions.set(term, (list = []));
      if (list.length < maxPositionsPerTerm)
        list.push(`${this.#next}${weight === 'D' ? '' : weight}`);
      this.#next += 1;
    }
    this.#next += fieldGap;
    return this;
  }

  toString(): string {
    return [...this.#positions]
      .map(([term, positions]) => `${quote(term)}:${positions.join(',')}`)
      .join(' ');
  }
}

/** One query word: any of its alternatives matches it; an alternative of several terms needs all. */
export interface TermGroup {
  alternatives: readonly { terms: readonly string[]; translated: boolean; prefix?: boolean }[];
  /** The word may be the start of a longer one (partial typing). */
  prefix: boolean;
}

/**
 * `groups` all required (AND), each satisfied by any of its alternatives (OR). Without
 * translations only the words as typed count; `weights` narrows every operand (e.g. 'A').
 */
export function tsqueryOf(
  groups: readonly TermGroup[],
  options: { translations: boolean; weights?: string },
): string {
  const parts: string[] = [];
  for (const group of groups) {
    const operands = new Set<string>();
    for (const alternative of group.alternatives) {
      if (alternative.translated && !options.translations) continue;
      const prefix = (alternative.prefix ?? (group.prefix && !alternative.translated)) ? '*' : '';
      const marks = `${prefix}${options.weights ?? ''}`;
      const terms = alternative.terms.map((t) => (marks ? `${quote(t)}:${marks}` : quote(t)));
      if (terms.length > 0)
        operands.add(terms.length === 1 ? terms.join('') : `(${terms.join(' & ')})`);
    }
    const list = [...operands];
    if (list.length > 0) parts.push(list.length === 1 ? list.join('') : `(${list.join(' | ')})`);
  }
  return parts.join(' & ');
}

/** Any term of any group: the fallback when no dataset has all the words. */
export function tsqueryAny(groups: readonly TermGroup[], options: { translations: boolean }) {
  return tsqueryOf(
    [
      {
        alternatives: groups.flatMap((group) =>
          group.alternatives
            .filter((alternative) => options.translations || !alternative.translated)
            .flatMap((alternative) =>
              alternative.terms.map((term) => ({
                terms: [term],
                translated: alternative.translated,
                prefix: group.prefix && !alternative.translated,
              })),
            ),
        ),
        prefix: false,
      },
    ],
    options,
  );
}
