/**
 * `text` cut to `length` UTF-16 units, with `…` when something was cut: for reports, examples and
 * messages that quote what a publisher wrote, which may be megabytes.
 *
 * @example shortened('ນະຄອນຫຼວງວຽງຈັນ', 4) // 'ນະຄອ…'
 */
export function shortened(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * `text` with each lone UTF-16 surrogate (half of a pair: a JSON `"\ud800"`, broken UTF-16)
 * replaced by U+FFFD: PostgreSQL refuses them in text and JSON, and they are no character.
 */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/**
 * An English noun with its indefinite article, for messages that name a type: "an integer
 * column", "a date column". By the first letter, which is right for every word they name.
 *
 * @example withArticle('integer') // 'an integer'
 */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
