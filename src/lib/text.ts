/**
 * `text` cut to `length` UTF-16 units, with `…` when something was cut: for reports, examples and
 * messages that quote what a publisher wrote, which may be megabytes.
 *
 * @example shortened('ນະຄອນຫຼວງວຽງຈັນ', 4) // 'ນະຄອ…'
 */
export function shortened(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
