import { foldLao } from '../lao/index.js';
import { quoteIdentifier } from '../datastore/index.js';
import { Invalid } from '../lib/errors.js';
import type { Column } from './columns.js';

/**
 * The column side of DESIGN §6's folding, as far as plain DuckDB string functions go: Latin
 * lowercased, zero-width characters removed, ໍາ → ຳ, ຫນ → ໜ, ຫມ → ໝ, ຫລ → ຫຼ, Lao digits → ASCII.
 * Not folded on the column side: the order of stacked marks and doubled tone marks (stored text
 * is NFC as typed, and reordering marks needs more than replace()). The query is folded with
 * `foldLao` in full, so a query typed in any of those spellings meets text stored canonically.
 */
export function foldSql(expression: string): string {
  let folded = `lower(${expression})`;
  folded = `translate(${folded}, '${laoDigits}${zeroWidthChars}', '0123456789')`;
  for (const [from, to] of replacements) folded = `replace(${folded}, '${from}', '${to}')`;
  return folded;
}

// translate() pairs characters by position and deletes those of the first list that have no
// partner: the Lao digits map to 0–9, the invisible characters after them are removed.
const laoDigits = '໐໑໒໓໔໕໖໗໘໙';
const zeroWidthChars = '\u200B\u200C\u200D\u200E\u200F\u2060\uFEFF\u00AD';
const replacements: ReadonlyArray<readonly [string, string]> = [
  ['\u0ECD\u0EB2', '\u0EB3'],
  ['\u0EAB\u0E99', '\u0EDC'],
  ['\u0EAB\u0EA1', '\u0EDD'],
  ['\u0EAB\u0EA5', '\u0EAB\u0EBC'],
];

/** The terms of `q`, folded: every one must appear in some text column of a row. */
export function searchTerms(q: string): string[] {
  const terms = foldLao(q)
    .split(/\s+/)
    .filter((term) => term !== '');
  if (terms.length > 20) throw new Invalid('q', 'has more than 20 words');
  if (q.length > 500) throw new Invalid('q', 'is longer than 500 characters');
  return terms;
}

/** The WHERE condition of `q` over the text columns, with one bound parameter per term. */
export function searchCondition(
  columns: readonly Column[],
  terms: readonly string[],
): { sql: string; params: string[] } {
  const text = columns.filter((column) => column.type === 'string');
  if (text.length === 0) throw new Invalid('q', 'this table has no text columns to search');
  // One folded string per row, columns separated by a character no query term holds.
  const haystack = foldSql(
    text.map((column) => `coalesce(${quoteIdentifier(column.name)}, '')`).join(` || chr(31) || `),
  );
  return {
    sql: terms.map(() => `contains(${haystack}, ?)`).join(' AND '),
    params: [...terms],
  };
}
