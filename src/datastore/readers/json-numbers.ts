/**
 * JSON.parse turns every number into a double: `9007199254740993` comes back as
 * `9007199254740992`, `12345678901234567890` as `12345678901234567000`, `1e400` as Infinity.
 * Node 20 has no reviver access to the source text, so a number a double would not hold is
 * rewritten as a string carrying its digits behind a marker before parsing, and the marker is
 * taken off again when the value becomes cell text (a column of such numbers is then typed from
 * the digits, as for a CSV).
 */

/**
 * U+FDD0 is a Unicode noncharacter, reserved for a program's internal use: a marked string is
 * a number of the file, not something the file wrote.
 */
const marker = '\ufdd0';
const numberToken = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/**
 * Only a text with 16 digits in a row (a decimal point may sit among them) or a three-digit
 * exponent can hold a number a double loses; the others skip the scan.
 */
const maybeLossy = /\d(?:\.?\d){15}|[eE][+-]?\d{3}/;
const markedInJson = new RegExp(`"${marker}([^"]*)"`, 'g');

/** Whether Number(token) gives back a value that reads as the same number. */
function keepsExactly(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  if (value === 0) return !/[1-9]/.test(token.replace(/[eE].*$/, ''));
  const [mantissa = ''] = token.replace('-', '').split(/[eE]/);
  const significant = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15;
}

/**
 * JSON.parse, except that a number a double cannot hold exactly is returned as a marked string
 * of its digits (see `markedNumber`).
 *
 * @example parseJsonExact('{"id": 9007199254740993}') // { id: '\ufdd09007199254740993' }
 */
export function parseJsonExact(text: string): unknown {
  if (!maybeLossy.test(text)) return JSON.parse(text);
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      // Skip the string, escapes included: digits inside it are text, not numbers.
      for (i += 1; i < text.length && text.charCodeAt(i) !== 34; i += 1) {
        if (text.charCodeAt(i) === 92) i += 1;
      }
      continue;
    }
    if (ch !== 45 && (ch < 48 || ch > 57)) continue;
    numberToken.lastIndex = i;
    const token = numberToken.exec(text)?.[0];
    if (token === undefined) continue;
    if (!keepsExactly(token)) {
      out += `${text.slice(from, i)}"${marker}${token}"`;
      from = i + token.length;
    }
    i += token.length - 1;
  }
  return JSON.parse(out + text.slice(from));
}

/** The digits of a number `parseJsonExact` kept as a marked string, or undefined. */
export function markedNumber(value: string): string | undefined {
  return value.startsWith(marker) ? value.slice(marker.length) : undefined;
}

/** JSON text of a nested value, its marked numbers written back as the numbers they were. */
export function stringifyJsonExact(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes(marker) ? text.replace(markedInJson, '$1') : text;
}
