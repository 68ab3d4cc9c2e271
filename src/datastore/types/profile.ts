import { shortened } from '../../lib/text.js';
import {
  asciiDigits,
  finiteNumber,
  hasLaoDigit,
  lowerWord,
  digitValue,
  emptyNumberScan,
  isNullMarker,
  isValidDate,
  scanNumber,
  trimCell,
} from './cells.js';
import {
  datetimePattern,
  datetimeZonePattern,
  serialMax,
  serialMin,
  timePattern,
} from './patterns.js';
import type { CandidateTally, ColumnProfile, NumberReading } from './tallies.js';

const exampleLimit = 3;
/** Longest example kept, in UTF-16 units: reasons quote examples, and a cell may hold megabytes. */
const exampleChars = 40;
/** A candidate type is no longer tested once this many cells (and most cells) missed it. */
const ruleOutAfter = 1000;

/** How a cell reads as a date: `iso-dashes` is also a datetime's date alone (`yyyy-mm-dd`). */
type DateReading = 'none' | 'date' | 'iso-dashes';

/** Lowercase spellings of true and false accepted without a hint from the header. */
export const trueWords = ['true', 'yes', 'ແມ່ນ'];
export const falseWords = ['false', 'no', 'ບໍ່', 'ບໍ່ແມ່ນ'];

/**
 * A cell as an example: cut short and copied. V8 keeps a cell as a slice of the whole chunk of
 * text it was read from; held as it is, one example held that chunk (megabytes) for the whole
 * read, and a snapshot (structuredClone) copied a cell of megabytes once per candidate type.
 */
function example(cell: string): string {
  return structuredClone(shortened(cell, exampleChars));
}

function tally(): CandidateTally {
  return { fits: 0, misfitExamples: [], ruledOut: false };
}

function reading(): NumberReading {
  return { fits: 0, integerDigits: 0, scale: 0, fractions: 0 };
}

function headerWords(name: string): string[] {
  return name.toLowerCase().split(/[^a-z\u0e80-\u0eff]+/);
}

/** The header names a date (`date`, `ວັນທີ`): whole numbers may then be Excel serial dates. */
export function headerSaysDate(name: string): boolean {
  const words = headerWords(name);
  return words.includes('date') || words.includes('dates') || name.includes('ວັນທີ');
}

/** The header names a flag (`is_…`, `has_…`, `…flag…`, `…?`): 1/0 may then be booleans. */
export function headerSaysFlag(name: string): boolean {
  const words = headerWords(name).filter((word) => word !== '');
  return (
    words[0] === 'is' || words[0] === 'has' || words.includes('flag') || name.trim().endsWith('?')
  );
}

const booleanWords = new Set([...trueWords, ...falseWords, '1', '0']);

const datetimeRegex = new RegExp(datetimePattern);
const datetimeZoneRegex = new RegExp(datetimeZonePattern);
const timeRegex = new RegExp(timePattern);

/**
 * Watches every cell of one column in a single pass and keeps only counts and a few examples.
 * `observe` is called once per cell of the file, so it uses charCode checks and skips the
 * candidate types the column has already ruled out.
 *
 * @example
 * const profiler = new ColumnProfiler('population');
 * for (const row of rows) profiler.observe(row.cells[3] ?? '');
 * const decision = decide(profiler.profile());
 */
export class ColumnProfiler {
  readonly #profile: ColumnProfile;
  readonly #scan = emptyNumberScan();

  /** `name` is the column header; the ingest may also give it later to `profile(name)`. */
  constructor(name = '') {
    this.#profile = {
      name,
      cells: 0,
      nulls: 0,
      values: 0,
      padded: 0,
      laoDigits: 0,
      examples: [],
      number: {
        ...tally(),
        dot: reading(),
        comma: reading(),
        exponents: 0,
        dotOnly: 0,
        commaOnly: 0,
        ambiguousDot: 0,
        ambiguousComma: 0,
        leadingZeros: 0,
        percents: 0,
        serials: 0,
      },
      date: { ...tally(), iso: 0, dmy: 0, mdy: 0, dmyOnly: 0, mdyOnly: 0 },
      datetime: { ...tally(), zoned: 0, naive: 0, dateOnly: 0 },
      time: tally(),
      boolean: { ...tally(), trues: 0, falses: 0, digits: 0 },
    };
  }

  /** Adds one raw cell. */
  observe(value: string): void {
    const p = this.#profile;
    p.cells += 1;
    const s = trimCell(value);
    if (s !== value) p.padded += 1;
    if (isNullMarker(s)) {
      p.nulls += 1;
      return;
    }
    p.values += 1;
    // Lao digits matter only to a column that may still be read as numbers, dates or times
    // (they make its conversion the general one); a text column is read the same either way, and
    // its long Lao values are not worth scanning character by character.
    if (p.laoDigits === 0 && !this.#textOnly() && hasLaoDigit(s)) p.laoDigits = 1;
    if (p.examples.length < exampleLimit) p.examples.push(example(s));
    const first = s.charCodeAt(0);
    const startsWithDigit = digitValue(first) >= 0;
    if (!p.number.ruledOut) this.#observeNumber(s);
    let date: DateReading | undefined;
    if (!p.date.ruledOut) {
      date = startsWithDigit ? this.#observeDate(s) : 'none';
      if (date !== 'none') p.date.fits += 1;
      else this.#miss(p.date, s);
    }
    if (!p.datetime.ruledOut) {
      // A date alone (ten characters at most; a time takes more) as the date check read it, which
      // is cheaper than the patterns; else the patterns, for a year of four digits and a dash
      // (Lao digits are one code unit each, too).
      let fits: boolean;
      if (date !== undefined && s.length <= 10) {
        fits = date === 'iso-dashes';
        if (fits) p.datetime.dateOnly += 1;
      } else fits = startsWithDigit && s.charCodeAt(4) === 45 && this.#observeDatetime(s);
      if (fits) p.datetime.fits += 1;
      else this.#miss(p.datetime, s);
    }
    if (!p.time.ruledOut) {
      const colon = s.charCodeAt(1) === 58 || s.charCodeAt(2) === 58;
      if (startsWithDigit && colon && s.length <= 15 && timeRegex.test(asciiDigits(s))) {
        p.time.fits += 1;
      } else this.#miss(p.time, s);
    }
    if (!p.boolean.ruledOut) {
      const lower = s.length <= 7 ? lowerWord(s) : '';
      if (booleanWords.has(lower)) {
        p.boolean.fits += 1;
        if (lower === '1' || lower === '0') p.boolean.digits += 1;
        if (lower === '1' || trueWords.includes(lower)) p.boolean.trues += 1;
        else p.boolean.falses += 1;
      } else this.#miss(p.boolean, s);
    }
  }

  /** Every type but text is ruled out. */
  #textOnly(): boolean {
    const p = this.#profile;
    return (
      p.number.ruledOut &&
      p.date.ruledOut &&
      p.datetime.ruledOut &&
      p.time.ruledOut &&
      p.boolean.ruledOut
    );
  }

  /** A snapshot of the counts so far, under the given header name if any. */
  profile(name?: string): ColumnProfile {
    const snapshot = structuredClone(this.#profile);
    if (name !== undefined) snapshot.name = name;
    return snapshot;
  }

  #miss(candidate: CandidateTally, s: string): void {
    const misses = this.#profile.values - candidate.fits;
    const examples = candidate.misfitExamples;
    if (examples.length < exampleLimit) {
      const kept = example(s);
      if (!examples.includes(kept)) examples.push(kept);
    }
    // A column that missed a type on most of its first thousand values will not become it.
    if (misses > ruleOutAfter && misses * 2 > this.#profile.values) candidate.ruledOut = true;
  }

  #observeNumber(s: string): void {
    const n = this.#profile.number;
    const scan = this.#scan;
    // Past DOUBLE's range (`1e400`) a number reads as infinity: a misfit, as the conversion has it.
    if (!scanNumber(s, scan) || (scan.exponent && !finiteNumber(s))) {
      this.#miss(n, s);
      return;
    }
    n.fits += 1;
    if (scan.dot) {
      const r = n.dot;
      r.fits += 1;
      r.integerDigits = Math.max(r.integerDigits, scan.digits - scan.dotScale);
      r.scale = Math.max(r.scale, scan.dotScale);
      if (scan.dotScale > 0 || scan.exponent) r.fractions += 1;
      if (scan.exponent) n.exponents += 1;
    }
    if (scan.comma) {
      const r = n.comma;
      r.fits += 1;
      r.integerDigits = Math.max(r.integerDigits, scan.digits - scan.commaScale);
      r.scale = Math.max(r.scale, scan.commaScale);
      if (scan.commaScale > 0) r.fractions += 1;
    }
    if (scan.dot !== scan.comma) {
      if (scan.dot) {
        n.dotOnly += 1;
        n.dotOnlyExample ??= example(s);
      } else {
        n.commaOnly += 1;
        n.commaOnlyExample ??= example(s);
      }
    } else if (scan.ambiguous) {
      if (scan.dotScale > 0) n.ambiguousDot += 1;
      else n.ambiguousComma += 1;
      n.ambiguousExample ??= example(s);
    }
    if (scan.leadingZero) {
      n.leadingZeros += 1;
      n.leadingZeroExample ??= example(s);
    }
    if (scan.percent) {
      n.percents += 1;
      n.percentExample ??= example(s);
    }
    if (scan.plainValue >= serialMin && scan.plainValue <= serialMax) n.serials += 1;
  }

  /** `yyyy-mm-dd` or `a/b/yyyy` (separators `-`, `/`, `.`): how it reads, if at all. */
  #observeDate(s: string): DateReading {
    const length = s.length;
    if (length < 8 || length > 10) return 'none';
    // The three parts and their widths in plain variables: this runs for every cell of a date
    // column, and arrays here took some 3 % of the whole read.
    let a = 0;
    let b = 0;
    let c = 0;
    let wa = 0;
    let wb = 0;
    let wc = 0;
    let part = 0;
    let dashes = true;
    for (let i = 0; i < length; i += 1) {
      const code = s.charCodeAt(i);
      const digit = digitValue(code);
      if (digit >= 0) {
        if (part === 0) {
          a = a * 10 + digit;
          wa += 1;
        } else if (part === 1) {
          b = b * 10 + digit;
          wb += 1;
        } else {
          c = c * 10 + digit;
          wc += 1;
        }
      } else if (
        (code === 45 || code === 47 || code === 46) &&
        part < 2 &&
        (part === 0 ? wa : wb) !== 0
      ) {
        if (code !== 45) dashes = false;
        part += 1;
      } else return 'none';
    }
    const d = this.#profile.date;
    if (part !== 2 || wb > 2 || wc === 0) return 'none';
    if (wa === 4 && wc <= 2 && a >= 1000) {
      if (!isValidDate(a, b, c)) return 'none';
      d.iso += 1;
      return dashes ? 'iso-dashes' : 'date';
    }
    if (wa > 2 || wc !== 4 || c < 1000) return 'none';
    const dmy = isValidDate(c, b, a);
    const mdy = isValidDate(c, a, b);
    if (dmy) d.dmy += 1;
    if (mdy) d.mdy += 1;
    if (dmy && !mdy) {
      d.dmyOnly += 1;
      d.dmyOnlyExample ??= example(s);
    } else if (mdy && !dmy) {
      d.mdyOnly += 1;
      d.mdyOnlyExample ??= example(s);
    }
    return dmy || mdy ? 'date' : 'none';
  }

  #observeDatetime(s: string): boolean {
    const ascii = asciiDigits(s);
    const zoned = datetimeZoneRegex.exec(ascii);
    const match = zoned ?? datetimeRegex.exec(ascii);
    if (match === null) return false;
    if (!isValidDate(Number(match[1]), Number(match[2]), Number(match[3]))) return false;
    if (zoned !== null) this.#profile.datetime.zoned += 1;
    else if (match[4] === undefined) this.#profile.datetime.dateOnly += 1;
    else this.#profile.datetime.naive += 1;
    return true;
  }
}
