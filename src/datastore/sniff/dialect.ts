import { DelimitedParser } from './delimited-parser.js';

export interface Dialect {
  delimiter: string;
  /** `"`, or `'` when only single quotes wrap fields. */
  quote: string;
  reason: string;
}

// Order breaks ties: the common delimiters first.
const usual = [',', ';', '\t', '|', ':', '^', '~', '#'];
const names: Record<string, string> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'pipe',
  ' ': 'space',
};
const sampleChars = 256 * 1024;
const sampleRecords = 500;

/**
 * Picks the delimiter that gives the most records with the same number of fields (quote-aware),
 * so title lines at the top and notes below weigh little. `sample` is the start of the decoded
 * text with `\n` line endings; its last line may be cut off.
 *
 * @example detectDialect('ແຂວງ;ປະຊາກອນ\nວຽງຈັນ;6.492.228,5\n') // { delimiter: ';', quote: '"', … }
 */
export function detectDialect(sample: string): Dialect {
  const text = cutAtLastLine(sample.slice(0, sampleChars));
  const quote = detectQuote(text);
  const candidates = [...usual];
  // Less usual single characters are tried when they occur on the first line.
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  for (const char of new Set(firstLine)) {
    if (/[\p{P}\p{S}]/u.test(char) && char !== '"' && char !== "'" && !candidates.includes(char)) {
      candidates.push(char);
    }
  }
  let best: { delimiter: string; consistent: number; width: number; records: number } | undefined;
  for (const delimiter of candidates) {
    const parser = new DelimitedParser({ delimiter, quote: quote || '"' });
    const rows = parser.push(text, true).slice(0, sampleRecords);
    const widths = new Map<number, number>();
    for (const row of rows) {
      if (row.cells.length > 1)
        widths.set(row.cells.length, (widths.get(row.cells.length) ?? 0) + 1);
    }
    let width = 0;
    let consistent = 0;
    for (const [fields, count] of widths) {
      if (count > consistent || (count === consistent && fields > width)) {
        width = fields;
        consistent = count;
      }
    }
    if (consistent > 0 && (best === undefined || consistent > best.consistent)) {
      best = { delimiter, consistent, width, records: rows.length };
    }
  }
  const quoteReason =
    quote === '' ? 'no quoted fields in the sample' : `fields in the sample start with ${quote}`;
  if (best === undefined) {
    return {
      delimiter: ',',
      quote: quote || '"',
      reason: `no candidate splits any line into two or more fields: one column; ${quoteReason}`,
    };
  }
  const name = names[best.delimiter] ?? `"${best.delimiter}"`;
  return {
    delimiter: best.delimiter,
    quote: quote || '"',
    reason: `${name} gives ${best.width} fields on ${best.consistent} of ${best.records} sample lines, more than any other candidate; ${quoteReason}`,
  };
}

/** A cut-off last line would skew the counts. */
function cutAtLastLine(text: string): string {
  const last = text.lastIndexOf('\n');
  return last > 0 && last < text.length - 1 ? text.slice(0, last + 1) : text;
}

/** `'` only when it, and not `"`, opens and closes fields; a single quote is usually an apostrophe. */
function detectQuote(text: string): string {
  const opening = (quote: string): number => {
    // A whole quoted field: doubled quotes and line breaks inside, a delimiter or line end after.
    const at = new RegExp(
      `(^|[,;\\t|\\n])${quote}(?:[^${quote}]|${quote}${quote})*${quote}(?=[,;\\t|\\n]|$)`,
      'g',
    );
    return (text.match(at) ?? []).length;
  };
  const double = opening('"');
  const single = opening("'");
  if (double === 0 && single === 0) return '';
  return single > double ? "'" : '"';
}
