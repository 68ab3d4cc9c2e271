import { readFileSync } from 'node:fs';
import { foldSearchText } from './fold.js';
import { tokenize } from './tokenize.js';

export interface Province {
  /** OCHA/LSB p-code, LA01–LA18: the key Khomoun stores. */
  pcode: string;
  /** ISO 3166-2 code, e.g. LA-LP. */
  iso: string;
  nameLo: string;
  /** OCHA, ISO, CLDR and GeoNames spellings, distinct, in that order. */
  namesEn: string[];
}

// Spellings people write that none of the registries in provinces.csv uses: older French-style
// and English romanisations, and the words for "capital" that single out LA01.
const romanisations: Record<string, string[]> = {
  LA01: [
    'Vientiane Capital',
    'Vientiane Capital City',
    'Vientiane City',
    'Vientiane Municipality',
    'Vientiane Prefecture',
    'Capital Vientiane',
    'Nakhon Luang Vientiane',
    'Nakhonluang Vientiane',
    'Nakhone Luang Vientiane',
    'Kamphaeng Nakhon Vientiane',
    'Vientiane Capital Prefecture',
    'Viangchan Capital',
    'Nakhon Luang',
    'Nakhonluang',
    'VTE',
  ],
  LA02: ['Phongsali', 'Phongsaly', 'Phong Saly', 'Phong Sali'],
  LA03: ['Luang Namtha', 'Louang Namtha', 'Luangnamtha', 'Luang Nam Tha', 'Namtha'],
  LA04: ['Oudomxay', 'Oudomxai', 'Udomxai', 'Udomxay', 'Oudomsay'],
  LA05: ['Bokeo', 'Bo Keo', 'Borkeo'],
  LA06: [
    'Luang Prabang',
    'Luang Phrabang',
    'Louang Phabang',
    'Louang Prabang',
    'Luangprabang',
    'Luang Phabang',
    'Louangprabang',
  ],
  LA07: ['Houaphanh', 'Houaphan', 'Hua Phan', 'Huaphan', 'Houaphane'],
  LA08: [
    'Sayaboury',
    'Sayabouly',
    'Sayabouri',
    'Xayaboury',
    'Xayabury',
    'Xayabouli',
    'Xaignabouri',
    'Xayabouri',
    'Sainyabuli',
    'Xaignabouly',
  ],
  LA09: ['Xieng Khouang', 'Xiengkhouang', 'Xiang Khouang', 'Xieng Khuang', 'Xiengkhuang'],
  LA10: ['Vientiane', 'Viangchan', 'Vientiane Province', 'Viangchan Province'],
  LA11: ['Bolikhamxay', 'Bolikhamsay', 'Borikhamxay', 'Borikhamxai', 'Borikhamsay'],
  LA12: ['Khammouane', 'Khammuan', 'Khammouan', 'Kham Mouane'],
  LA13: ['Savannakhet', 'Savanakhet', 'Savannaketh', 'Savan'],
  LA14: ['Salavan', 'Saravane', 'Saravan', 'Salavanh', 'Saravanh'],
  LA15: ['Sekong', 'Xekong', 'Se Kong', 'Xe Kong'],
  LA16: ['Champasak', 'Champassak', 'Champasack', 'Champassack', 'Champasac'],
  LA17: ['Attapeu', 'Attapu', 'Attopeu', 'Attapue'],
  LA18: ['Xaisomboun', 'Xaisomboon', 'Saysomboun', 'Xaysomboun', 'Xaysomboune', 'Saisomboun'],
};
const laoSpellings: Record<string, string[]> = {
  LA01: ['ນະຄອນຫຼວງວຽງຈັນ', 'ນະຄອນຫຼວງ', 'ນະຄອນວຽງຈັນ', 'ກຳແພງນະຄອນວຽງຈັນ', 'ກຳແພງນະຄອນ'],
};

// Generic words that name the kind of division, not which one. "Capital", "city" and
// "ນະຄອນຫຼວງ" are not among them: they are what tells the capital from Vientiane Province.
const laoPrefixes = ['ແຂວງ'].map(foldSearchText);
const latinGeneric = /^(province|prov|khoueng|khouang|khwaeng|kwaeng)(of)?|(province|prov)$/;

interface Lookup {
  provinces: readonly Province[];
  exact: Map<string, string>;
  phonetic: Map<string, string>;
}

// Read once on first use and kept: it is 18 rows of reference data, the same for every app.
let lookup: Lookup | undefined;

/** The 18 first-level divisions (17 provinces and Vientiane Capital), in p-code order. */
export function provinces(): readonly Province[] {
  return load().provinces;
}

/**
 * The p-code of a province from any spelling: Lao (any DESIGN §6 variant, with or without
 * ແຂວງ), ISO code, p-code, the OCHA/ISO/CLDR/GeoNames English names, common romanisations;
 * case, accents, spaces and hyphens do not matter.
 *
 * Bare "Vientiane"/"Viangchan"/ວຽງຈັນ mean Vientiane Province (LA10), as OCHA and GeoNames
 * name it; the capital is "Vientiane Capital", "Vientiane Prefecture", ນະຄອນຫຼວງວຽງຈັນ or LA-VT.
 *
 * ```ts
 * resolveProvince('Louangphabang') === resolveProvince('ຫລວງພະບາງ'); // 'LA06'
 * ```
 */
export function resolveProvince(text: string): string | undefined {
  if (typeof text !== 'string' || text.length > 100) return undefined;
  const { exact, phonetic } = load();
  const key = compactKey(text);
  if (key === '') return undefined;
  const found = exact.get(key) ?? exact.get(withoutGenericWords(key));
  if (found !== undefined) return found;
  const sound = phoneticKey(withoutGenericWords(key));
  return sound.length >= 5 ? phonetic.get(sound) : undefined;
}

/** A province named inside a longer text, and the span of the text that named it. */
export interface ProvinceMention {
  pcode: string;
  /** The words of the input that named the province, as typed (for query rewriting). */
  matched: string;
  /** Start and end offsets of `matched` in the input. */
  start: number;
  end: number;
  /** `tokenize(matched)`: the query terms to take out when the province becomes a filter. */
  terms: string[];
}

// "Vientiane Capital Prefecture" and ນະຄອນ ຫຼວງ ວຽງ ຈັນ (when the segmenter splits it) are the
// longest names in words.
const maxWordsInName = 4;
const segmenter = new Intl.Segmenter('lo', { granularity: 'word' });
const maxTextLength = 2_000;

/**
 * Provinces named in a query, left to right, each by its longest spelling:
 * `findProvinces('rice Luang Prabang 2020')` → `[{ pcode: 'LA06', matched: 'Luang Prabang', … }]`.
 * Only the first 2,000 characters are looked at.
 */
export function findProvinces(text: string): ProvinceMention[] {
  if (typeof text !== 'string') return [];
  const words = [...segmenter.segment(text.slice(0, maxTextLength))]
    .filter((s) => s.isWordLike)
    .map((s) => ({ start: s.index, end: s.index + s.segment.length }));
  const found: ProvinceMention[] = [];
  let i = 0;
  while (i < words.length) {
    let matched = false;
    for (let n = Math.min(maxWordsInName, words.length - i); n >= 1 && !matched; n -= 1) {
      const start = (words[i] as { start: number }).start;
      const end = (words[i + n - 1] as { end: number }).end;
      const pcode = resolveProvince(text.slice(start, end));
      if (pcode !== undefined) {
        const matchedText = text.slice(start, end);
        found.push({ pcode, matched: matchedText, start, end, terms: tokenize(matchedText) });
        i += n;
        matched = true;
      }
    }
    if (!matched) i += 1;
  }
  return found;
}

function load(): Lookup {
  lookup ??= buildLookup(
    readFileSync(new URL('./reference/provinces.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(',')),
  );
  return lookup;
}

function buildLookup(rows: string[][]): Lookup {
  // Frozen: every caller in the process shares these objects.
  const list: Province[] = rows.map(([pcode, iso, , , nameLo, ...english]) =>
    Object.freeze({
      pcode: pcode as string,
      iso: iso as string,
      nameLo: nameLo as string,
      namesEn: Object.freeze([...new Set(english)]) as string[],
    }),
  );
  const exact = new Map<string, string>();
  const phonetic = new Map<string, string>();
  const ambiguous = new Set<string>();
  const add = (spelling: string, pcode: string) => {
    const key = compactKey(spelling);
    // The first registry to claim a name keeps it: rows come in p-code order and the OCHA
    // column first, so "Vientiane" stays LA10 although CLDR uses it for the capital.
    if (!exact.has(key)) exact.set(key, pcode);
    const sound = phoneticKey(withoutGenericWords(key));
    if (sound.length < 5 || ambiguous.has(sound)) return;
    if (phonetic.has(sound) && phonetic.get(sound) !== pcode) {
      phonetic.delete(sound);
      ambiguous.add(sound);
    } else phonetic.set(sound, pcode);
  };
  // Spellings that single out one division go first, so that they win over a registry that
  // uses the same words loosely.
  for (const [pcode, names] of Object.entries(romanisations)) {
    for (const name of names) add(name, pcode);
  }
  for (const [pcode, names] of Object.entries(laoSpellings)) {
    for (const name of names) add(name, pcode);
  }
  for (const province of list) {
    add(province.pcode, province.pcode);
    add(province.iso, province.pcode);
    add(province.nameLo, province.pcode);
    for (const prefix of laoPrefixes) add(prefix + province.nameLo, province.pcode);
  }
  // English names column by column, so that an earlier registry wins a shared name.
  for (let column = 0; column < 4; column += 1) {
    for (const [i, row] of rows.entries()) {
      const name = row[5 + column];
      if (name) add(name, (list[i] as Province).pcode);
    }
  }
  return { provinces: Object.freeze(list), exact, phonetic };
}

function compactKey(text: string): string {
  return foldSearchText(text).replace(/[^\p{L}\p{N}\p{M}]+/gu, '');
}

function withoutGenericWords(key: string): string {
  for (const prefix of laoPrefixes) {
    if (key.startsWith(prefix) && key.length > prefix.length) return key.slice(prefix.length);
  }
  return key.replace(latinGeneric, '');
}

/**
 * A key under which romanisations of one Lao name meet: Lao r/l, x/s, ou/u, aspirated and plain
 * stops, y/i/gn/ny and doubled letters are written every which way (Borikhamxay, Bolikhamsai;
 * Sayaboury, Xaignabouli). Lao text gets its tone marks dropped, the commonest slip in typing.
 */
function phoneticKey(key: string): string {
  // Old spellings write ຣ where today's write ລ (ໄຊຍະບູຣີ, ສາຣະວັນ).
  if (/[\u0E80-\u0EFF]/.test(key)) return key.replace(/[\u0EC8-\u0ECB]/g, '').replace(/ຣ/g, 'ລ');
  return key
    .replace(/ck/g, 'k')
    .replace(/oo/g, 'u')
    .replace(/ou/g, 'u')
    .replace(/x/g, 's')
    .replace(/([pkt])h/g, '$1')
    .replace(/r/g, 'l')
    .replace(/pl/g, 'p')
    .replace(/gn|ny/g, 'y')
    .replace(/ie/g, 'ia')
    .replace(/y/g, 'i')
    .replace(/(.)\1+/g, '$1')
    .replace(/(.{4,})[eh]$/, '$1');
}
