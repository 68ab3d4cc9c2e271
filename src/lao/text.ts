/**
 * Stored text: NFC, as given, minus what nobody meant to type. Folding for comparison lives in
 * `fold.ts`; this file never changes spelling.
 */

// Zero-width space/joiners, word joiner, BOM and soft hyphen: invisible, pasted in from Word
// documents and web pages, and they make two identical-looking titles differ.
const invisible = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

export interface InputOptions {
  /** Keep line breaks (descriptions); otherwise all whitespace becomes single spaces. */
  multiline?: boolean;
}

/** Cleans text typed or pasted by a person before it is stored. */
export function normalizeLaoInput(text: string, options: InputOptions = {}): string {
  const visible = text.normalize('NFC').replace(invisible, '');
  if (!options.multiline) return visible.replace(/\s+/g, ' ').trim();
  return visible
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** True for text that shows nothing: empty, spaces, or only invisible characters. */
export function isBlank(text: string): boolean {
  return text.replace(invisible, '').trim() === '';
}
