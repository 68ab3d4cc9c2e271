/**
 * The folded form of DESIGN §6: the key under which Lao text is indexed and compared, so that
 * the several spellings people type for one word meet. Never shown, never stored as the text.
 */

// Zero-width space/joiners, direction marks and embeddings, word joiner and invisible
// operators, BOM, soft hyphen: pasted in from Word and web pages, never typed on purpose.
const invisible = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD]/g;
// ໍ + າ typed apart (often with the tone between them, sometimes twice) is the vowel ຳ, and
// the tone goes before ຳ whichever side it was typed on.
const splitAm = /\u0ECD([\u0EC8-\u0ECB]*)\u0EB2/g;
const toneAfterAm = /\u0EB3([\u0EC8-\u0ECB]+)/g;

// Rank of each combining mark in the order Unicode's Lao charts write them: subscript lo,
// vowels above/below, tone marks, then the cancellation mark. NFC alone leaves most of these
// in typing order because they share combining class 0.
const markRank = new Map<string, number>([
  ['\u0EBC', 0],
  ...[...'\u0EB1\u0EB4\u0EB5\u0EB6\u0EB7\u0EB8\u0EB9\u0EBB\u0ECD'].map((c) => [c, 1] as const),
  ...[...'\u0EC8\u0EC9\u0ECA\u0ECB'].map((c) => [c, 2] as const),
  ['\u0ECC', 3],
]);

/**
 * ```ts
 * foldLao('ຫລວງພຣະບາງ') === foldLao('ຫຼວງພຣະບາງ'); // true
 * foldLao('ນໍ້າ ໒໐໒໔') === 'ນ້ຳ 2024';
 * ```
 */
export function foldLao(text: string): string {
  return orderMarks(
    text
      .normalize('NFC')
      .replace(invisible, '')
      .replace(splitAm, '$1\u0EB3')
      .replace(toneAfterAm, '$1\u0EB3')
      .replace(/\u0EAB\u0E99/g, '\u0EDC')
      .replace(/\u0EAB\u0EA1/g, '\u0EDD')
      .replace(/\u0EAB\u0EA5/g, '\u0EAB\u0EBC'),
  )
    .replace(/([\u0EB1-\u0EBC\u0EC8-\u0ECD])\1+/g, '$1')
    .replace(/[\u0ED0-\u0ED9]/g, (digit) => String(digit.charCodeAt(0) - 0x0ed0))
    .toLowerCase();
}

function orderMarks(text: string): string {
  return text.replace(/[\u0EB1\u0EB4-\u0EBC\u0EC8-\u0ECD]{2,}/g, (marks) =>
    [...marks].sort((a, b) => (markRank.get(a) ?? 1) - (markRank.get(b) ?? 1)).join(''),
  );
}

const latinLetters: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};

/**
 * The folded form search indexes and compares: {@link foldLao} plus Latin accents removed, so
 * that "Phôngsali", "Savannakhét" and "Électricité" meet their plain spellings.
 *
 * ```ts
 * foldSearchText('Xékong ໜອງ') === 'xekong ໜອງ';
 * ```
 */
export function foldSearchText(text: string): string {
  const folded = foldLao(text);
  // Lao has no canonical decompositions, so NFD here only takes the accents off Latin letters.
  // Ranges of single code points (accented letters, combining accents), never combined pairs.
  // eslint-disable-next-line no-misleading-character-class
  if (!/[\u00C0-\u02AF\u1E00-\u1EFF\u0300-\u036F]/.test(folded)) return folded;
  return folded
    .normalize('NFD')
    .replace(/[\u0300-\u036F]/g, '')
    .replace(/[ßæœøđðłıþ]/g, (letter) => latinLetters[letter] ?? letter)
    .normalize('NFC');
}
