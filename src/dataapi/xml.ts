/** XML text of a value: markup characters escaped, characters XML 1.0 forbids dropped. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

// A letter or _, then letters, marks, digits and . - _ ·: all XML 1.0 name characters (Lao
// consonants are letters, its vowels and tones marks).
const xmlName = /^[\p{L}_][\p{L}\p{M}\p{N}_.\u00B7-]*$/u;

/**
 * One cell of an `<item>`: an element named after the column where the name is a valid XML name
 * (Lao names are), else `<field name="...">`, as DATA.GO.KR clients read items by element name.
 */
export function xmlCell(name: string, value: string | null): string {
  const content = value === null ? '' : xmlText(value);
  if (xmlName.test(name) && !/^xml/i.test(name)) return `<${name}>${content}</${name}>`;
  return `<field name="${xmlText(name).replaceAll('"', '&quot;')}">${content}</field>`;
}
