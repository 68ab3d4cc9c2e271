import chardet from 'chardet';
import iconv from 'iconv-lite';

export interface DetectedEncoding {
  /** iconv-lite name. */
  encoding: string;
  /** Whether the head starts with a byte-order mark (the decoder strips it). */
  bom: boolean;
  reason: string;
}

// chardet names → iconv-lite names; a name missing here falls back to windows-1252.
const fromChardet: Record<string, string> = {
  'UTF-8': 'utf-8',
  // Windows-1252 is a superset that files labelled Latin-1 nearly always are (as in WHATWG).
  'ISO-8859-1': 'windows-1252',
  // Likewise Windows-1254 for Turkish (WHATWG again).
  'ISO-8859-9': 'windows-1254',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
  Big5: 'big5',
  GB18030: 'gb18030',
  Shift_JIS: 'shift_jis',
  'EUC-JP': 'euc-jp',
  'EUC-KR': 'euc-kr',
  'KOI8-R': 'koi8-r',
  'windows-874': 'windows-874',
};

const cjkNames = new Set(['Big5', 'GB18030', 'EUC-JP', 'EUC-KR', 'Shift_JIS']);

/**
 * Guesses the text encoding of the first bytes of a file.
 *
 * @example detectEncoding(readHead('health.csv')) // { encoding: 'utf-16le', bom: true, ... }
 */
export function detectEncoding(head: Buffer): DetectedEncoding {
  const bom = fromBom(head);
  if (bom) return bom;
  const wide = utf16WithoutBom(head);
  if (wide) return wide;
  if (!hasHighBytes(head)) {
    return { encoding: 'utf-8', bom: false, reason: 'only ASCII bytes in the first bytes' };
  }
  if (isValidUtf8(head)) {
    return { encoding: 'utf-8', bom: false, reason: 'the bytes are valid UTF-8' };
  }
  const mostly = mostlyUtf8(head);
  if (mostly) return mostly;
  const matches = chardet.analyse(head);
  // Chinese, Japanese and Korean double-byte text also lives in 0xA1–0xFE, and chardet, which
  // knows no CP1133, takes Lao text for EUC-JP as readily (confidence 50 and more): Lao or
  // Thai syllables in nearly every word win over it; chardet decides the rest.
  const cjk = matches.find(
    (candidate) => candidate.confidence >= 50 && cjkNames.has(candidate.name),
  );
  const laoOrThai = laoOrThaiEncoding(head, cjk === undefined ? 0.85 : 0.95);
  if (laoOrThai) return laoOrThai;
  const match = cjk ?? matches.find((candidate) => candidate.name !== 'UTF-8');
  if (match) {
    const name = iconvName(match.name);
    if (name) {
      return {
        encoding: name,
        bom: false,
        reason: `not UTF-8; chardet finds ${match.name} (confidence ${match.confidence})${closeRivals(matches, match)}`,
      };
    }
  }
  return {
    encoding: 'windows-1252',
    bom: false,
    reason: 'not UTF-8 and no better guess; windows-1252 decodes every byte',
  };
}

function iconvName(chardetName: string): string | undefined {
  const name =
    fromChardet[chardetName] ??
    (/^(windows|ISO-8859)-/.test(chardetName) ? chardetName.toLowerCase() : undefined);
  return name !== undefined && iconv.encodingExists(name) ? name : undefined;
}

/**
 * Single-byte code pages of Latin scripts differ in a few letters only, and on a short file
 * chardet often ranks two of them within a few points. The report then names the runner-up, for
 * the publisher to read the file again with it when names come out wrong (`Plzeň` as `Plzeò`).
 */
function closeRivals(
  matches: ReadonlyArray<{ name: string; confidence: number; lang?: string }>,
  chosen: { name: string; confidence: number },
): string {
  if (chosen.confidence >= 50) return '';
  const chosenName = iconvName(chosen.name);
  const rivals = matches
    .filter((m) => m !== chosen && m.confidence > 0 && m.confidence >= chosen.confidence * 0.6)
    .map((m) => iconvName(m.name))
    .filter((name): name is string => name !== undefined && name !== chosenName);
  const unique = [...new Set(rivals)];
  return unique.length === 0
    ? ''
    : `; uncertain, ${unique.join(' or ')} scored nearly as well: if letters come out wrong, read the file again with that encoding`;
}

function fromBom(head: Buffer): DetectedEncoding | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: 'utf-8', bom: true, reason: 'UTF-8 byte-order mark' };
  }
  if (head[0] === 0xff && head[1] === 0xfe) {
    return { encoding: 'utf-16le', bom: true, reason: 'UTF-16LE byte-order mark' };
  }
  if (head[0] === 0xfe && head[1] === 0xff) {
    return { encoding: 'utf-16be', bom: true, reason: 'UTF-16BE byte-order mark' };
  }
  return undefined;
}

/** UTF-16 without a BOM: ASCII punctuation and digits leave a NUL in every other byte. */
function utf16WithoutBom(head: Buffer): DetectedEncoding | undefined {
  const length = Math.min(head.length, 64 * 1024) & ~1;
  if (length < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = length / 2;
  if (oddNul / pairs > 0.2 && evenNul / pairs < 0.02) {
    return {
      encoding: 'utf-16le',
      bom: false,
      reason: `no BOM, but ${Math.round((100 * oddNul) / pairs)}% of odd bytes are NUL (UTF-16LE)`,
    };
  }
  if (evenNul / pairs > 0.2 && oddNul / pairs < 0.02) {
    return {
      encoding: 'utf-16be',
      bom: false,
      reason: `no BOM, but ${Math.round((100 * evenNul) / pairs)}% of even bytes are NUL (UTF-16BE)`,
    };
  }
  return undefined;
}

function hasHighBytes(head: Buffer): boolean {
  for (let i = 0; i < head.length; i++) if ((head[i] ?? 0) >= 0x80) return true;
  return false;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8, allowing a sequence cut off at the end of the head. */
function isValidUtf8(head: Buffer): boolean {
  let end = head.length;
  // Step back over an incomplete trailing sequence (at most 3 bytes).
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back] ?? 0;
    if (byte < 0x80) break;
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (need > back) end -= back;
      break;
    }
  }
  try {
    fatalUtf8.decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * A UTF-8 file with a few lines pasted from a file in another encoding: taking the whole file
 * for that encoding would garble every other line (Lao letters become runs of Latin ones), while
 * reading it as UTF-8 loses only the stray bytes, each reported as an `encoding-error` at its
 * row. Text in a single-byte or double-byte encoding seldom forms a valid multi-byte UTF-8
 * sequence, and far less often than it breaks one, so twenty well-formed sequences to every
 * stray byte, and at least sixteen of them, tell a UTF-8 file. Three-byte sequences (Lao, Thai
 * and most Asian scripts) are rarer still by chance: in a short file, at least eight of them,
 * making nine in ten of its characters and outnumbering the stray bytes, suffice.
 */
function mostlyUtf8(head: Buffer): DetectedEncoding | undefined {
  let characters = 0;
  let threeByte = 0;
  let stray = 0;
  // The last 3 bytes may hold a character cut in two by the end of the head: not counted.
  const end = head.length - 3;
  for (let i = 0; i < end;) {
    const byte = head[i]!;
    if (byte < 0x80) {
      i += 1;
      continue;
    }
    const length = utf8SequenceLength(head, i);
    if (length > 0) {
      characters += 1;
      if (length === 3) threeByte += 1;
      i += length;
    } else {
      stray += 1;
      i += 1;
    }
  }
  const manyCharacters = characters >= 16 && stray * 20 <= characters;
  const asianScript = threeByte >= 8 && threeByte * 10 >= characters * 9 && stray <= threeByte;
  if (!manyCharacters && !asianScript) return undefined;
  return {
    encoding: 'utf-8',
    bom: false,
    reason: `mostly UTF-8: ${characters} characters of UTF-8 and ${stray} bytes that are not, each reported as an encoding error`,
  };
}

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629), 0 when there is none. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  const continuation = (k: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[i + k];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    // No overlong forms (E0 80–9F) and no surrogates (ED A0–BF).
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

/**
 * Thai TIS-620/Windows-874 and Lao CP1133 both put their letters in 0xA1–0xFE, and chardet does
 * not know CP1133: decode with both and keep the one whose letters form plausible syllables.
 * Lao wins ties because old Lao government files are the likely source.
 */
function laoOrThaiEncoding(head: Buffer, threshold: number): DetectedEncoding | undefined {
  let high = 0;
  let inRange = 0;
  for (const byte of head) {
    if (byte >= 0x80) {
      high++;
      if (byte >= 0xa1) inRange++;
    }
  }
  if (inRange / high < 0.9) return undefined;
  const lao = scoreLao(iconv.decode(head, 'cp1133'));
  const thai = scoreThai(iconv.decode(head, 'windows-874'));
  const plausible = (result: ScriptScore): boolean =>
    result.score >= threshold && result.letters >= 4 && result.checks >= result.letters * 0.2;
  if (!plausible(lao) && !plausible(thai)) return undefined;
  const percent = (score: number): string => `${Math.round(score * 100)}%`;
  const detail = `plausible syllables: Lao (CP1133) ${percent(lao.score)}, Thai (Windows-874) ${percent(thai.score)}`;
  if (plausible(lao) && lao.score >= thai.score - 0.02) {
    return { encoding: 'cp1133', bom: false, reason: `not UTF-8; reads as Lao; ${detail}` };
  }
  return { encoding: 'windows-874', bom: false, reason: `not UTF-8; reads as Thai; ${detail}` };
}

interface ScriptRules {
  consonant: RegExp;
  /** Vowel signs and tone marks written above or below a consonant. */
  mark: RegExp;
  /** Vowels written after the consonant (ະ າ ຳ). */
  following: RegExp;
  /** Vowels written before the consonant (ເ ແ ໂ ໃ ໄ). */
  leading: RegExp;
  letter: RegExp;
}

const laoRules: ScriptRules = {
  consonant: /[\u0E81-\u0EAE\u0EDC-\u0EDF]/,
  mark: /[\u0EB1\u0EB4-\u0EBC\u0EC8-\u0ECD]/,
  following: /[\u0EB0\u0EB2\u0EB3]/,
  leading: /[\u0EC0-\u0EC4]/,
  letter: /[\u0E80-\u0EFF]/,
};

const thaiRules: ScriptRules = {
  consonant: /[\u0E01-\u0E2E]/,
  mark: /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/,
  following: /[\u0E30\u0E32\u0E33\u0E45]/,
  leading: /[\u0E40-\u0E44]/,
  letter: /[\u0E00-\u0E7F]/,
};

export interface ScriptScore {
  /** Share of vowels and marks that sit where the script allows them (0–1). */
  score: number;
  /** Letters of the script seen. */
  letters: number;
  /** Vowels and marks checked: real Lao or Thai has many, other bytes read as letters few. */
  checks: number;
}

/** How much `text` reads as Lao: vowels and tone marks placed as Lao syllables allow. */
export function scoreLao(text: string): ScriptScore {
  return scoreScript(text, laoRules);
}

/** How much `text` reads as Thai, by the same syllable rules as {@link scoreLao}. */
export function scoreThai(text: string): ScriptScore {
  return scoreScript(text, thaiRules);
}

function scoreScript(text: string, rules: ScriptRules): ScriptScore {
  let good = 0;
  let bad = 0;
  let letters = 0;
  const chars = [...text.slice(0, 64 * 1024)];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (char === '\uFFFD') {
      bad++;
      continue;
    }
    if (!rules.letter.test(char)) continue;
    letters++;
    const before = chars[i - 1] ?? '';
    const after = chars[i + 1] ?? '';
    const afterBase = rules.consonant.test(before) || rules.mark.test(before);
    if (rules.mark.test(char) || rules.following.test(char)) {
      if (afterBase) good++;
      else bad++;
    } else if (rules.leading.test(char)) {
      if (rules.consonant.test(after)) good++;
      else bad++;
    }
  }
  return { score: good + bad === 0 ? 0 : good / (good + bad), letters, checks: good + bad };
}
