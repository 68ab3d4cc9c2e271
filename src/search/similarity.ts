/** pg_trgm's trigrams of one word: padded with two spaces before and one after. */
function trigrams(word: string): Set<string> {
  const chars = [...`  ${word} `];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i += 1) grams.add(chars.slice(i, i + 3).join(''));
  return grams;
}

/** Trigram similarity of two words (0..1), as pg_trgm's similarity() computes it. */
export function similarity(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  let shared = 0;
  for (const gram of x) if (y.has(gram)) shared += 1;
  return shared / (x.size + y.size - shared);
}

/**
 * The query with each word replaced by the most similar word of `vocabulary` (titles and
 * keywords of the closest datasets), or undefined when nothing would change.
 */
export function correctedQuery(
  words: readonly string[],
  vocabulary: readonly string[],
): string | undefined {
  const known = new Set(vocabulary);
  let changed = false;
  const corrected = words.map((word) => {
    if (known.has(word)) return word;
    let best = word;
    let bestScore = 0.3;
    for (const candidate of known) {
      const score = similarity(word, candidate);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    changed ||= best !== word;
    return best;
  });
  return changed ? corrected.join(' ') : undefined;
}
