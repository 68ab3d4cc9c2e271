/**
 * A light English stemmer: steps 0, 1a, 1b and 1c of the Snowball "English" (Porter2)
 * algorithm, which fold plurals, -ed/-ing and a final y. The later steps (-ation, -ness, -ful…)
 * are left out on purpose: they merge words a data user keeps apart (population/popular,
 * organization/organ), and a search index can afford one term per derived word. British
 * spellings get the American stem (labour → labor, organisation → organization).
 *
 * ```ts
 * stemEnglish('statistics') === stemEnglish('statistic'); // 'statistic'
 * stemEnglish('surveyed') === stemEnglish('surveys'); // 'survey'
 * ```
 * The input must already be lowercase a–z; anything else is returned unchanged.
 */
export function stemEnglish(word: string): string {
  if (word.length <= 2 || !/^[a-z]+$/.test(word)) return word;
  const exception = exceptions.get(word);
  if (exception !== undefined) return exception;

  // Snowball marks a y that acts as a consonant as Y so that it is not taken for a vowel.
  let w = word.replace(/^y/, 'Y').replace(/([aeiouy])y/g, '$1Y');
  const r1 = regionOne(w);

  w = step1a(w);
  if (invariantAfter1a.has(w)) return w.toLowerCase();
  w = step1b(w, r1);
  w = step1c(w).toLowerCase();
  return americanSpelling.get(w) ?? w.replace(/isation$/, 'ization');
}

// Lao government documents are written in British English, and people search in both: one
// stem for labour/labor, centre/center. A list, not a rule: "our" → "or" would turn hour and
// four into hor and for.
const americanSpelling = new Map<string, string>([
  ['labour', 'labor'],
  ['colour', 'color'],
  ['favour', 'favor'],
  ['harbour', 'harbor'],
  ['neighbour', 'neighbor'],
  ['behaviour', 'behavior'],
  ['honour', 'honor'],
  ['humour', 'humor'],
  ['rumour', 'rumor'],
  ['vapour', 'vapor'],
  ['centre', 'center'],
  ['metre', 'meter'],
  ['kilometre', 'kilometer'],
  ['centimetre', 'centimeter'],
  ['millimetre', 'millimeter'],
  ['litre', 'liter'],
  ['fibre', 'fiber'],
  ['theatre', 'theater'],
  ['programme', 'program'],
  ['defence', 'defense'],
  ['licence', 'license'],
  ['offence', 'offense'],
  ['catalogue', 'catalog'],
  ['analyse', 'analyze'],
  // What step 1b leaves of analysed/analyzed/analysing and organised/organising.
  ['analys', 'analyze'],
  ['analyz', 'analyze'],
  ['organise', 'organize'],
  ['organis', 'organize'],
  ['aluminium', 'aluminum'],
  ['fertiliser', 'fertilizer'],
  ['tyre', 'tire'],
]);

const vowel = /[aeiouy]/;
const exceptions = new Map<string, string>([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
  // Not in Snowball: common in statistics, and "data"/"datum" should not part.
  ['data', 'data'],
  ['series', 'series'],
  ['species', 'species'],
]);
const invariantAfter1a = new Set([
  'inning',
  'outing',
  'canning',
  'herring',
  'earring',
  'proceed',
  'exceed',
  'succeed',
]);

function regionOne(w: string): number {
  const special = /^(gener|commun|arsen)/.exec(w);
  if (special) return special[0].length;
  const match = /[aeiouy][^aeiouy]/.exec(w);
  return match ? match.index + 2 : w.length;
}

function step1a(w: string): string {
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ied') || w.endsWith('ies')) return w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  // Not Snowball, which leaves "boxe", "churche" for its later steps we do not run.
  if (/(x|ch|sh|zz)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('us') || w.endsWith('ss')) return w;
  // A final s goes when a vowel occurs before the letter preceding it: gaps → gap, gas stays.
  if (w.endsWith('s') && vowel.test(w.slice(0, -2))) return w.slice(0, -1);
  return w;
}

function step1b(w: string, r1: number): string {
  for (const suffix of ['eedly', 'eed']) {
    if (w.endsWith(suffix)) {
      return w.length - suffix.length >= r1 ? w.slice(0, -suffix.length) + 'ee' : w;
    }
  }
  for (const suffix of ['ingly', 'edly', 'ing', 'ed']) {
    if (!w.endsWith(suffix)) continue;
    const stem = w.slice(0, -suffix.length);
    if (!vowel.test(stem)) return w;
    if (/(at|bl|iz)$/.test(stem)) return stem + 'e';
    if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(stem)) return stem.slice(0, -1);
    if (isShort(stem, r1)) return stem + 'e';
    return stem;
  }
  return w;
}

function step1c(w: string): string {
  return w.length > 2 && /[^aeiouy][yY]$/.test(w) ? w.slice(0, -1) + 'i' : w;
}

// A short word ends in a short syllable and has nothing in R1: hop(e), us(e), min(e).
function isShort(w: string, r1: number): boolean {
  if (r1 < w.length) return false;
  return /^[aeiouy][^aeiouy]$/.test(w) || /[^aeiouy][aeiouy][^aeiouywxY]$/.test(w);
}
