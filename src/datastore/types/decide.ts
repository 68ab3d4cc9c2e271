import { shortened } from '../../lib/text.js';
import type {
  ColumnDecision,
  ColumnType,
  DateFormat,
  NumberFormat,
  TypeOverride,
} from './decision.js';
import { columnTypes, overrideFormats } from './decision.js';
import type { ColumnProfile, NumberReading } from './tallies.js';
import type { ColumnProfiler } from './profile.js';
import { falseWords, headerSaysDate, headerSaysFlag, trueWords } from './profile.js';

/** Widest exact integer kept as a number (HUGEINT holds every 38-digit value). */
const maxExactDigits = 38;
const bigintDigits = 18;

/**
 * Type errors a column may have and still get its type: 1% of its values, or up to 3 when that
 * is at most 5% (so a 100-row table may hold 3 typos, a 10-row table none).
 */
export function allowedMisfits(values: number): number {
  return Math.max(Math.floor(values * 0.01), Math.min(3, Math.floor(values * 0.05)));
}

const count = (n: number): string => n.toLocaleString('en');
/** Examples in a reason, each cut short: a cell may hold megabytes. */
const quote = (values: string[]): string => values.map((v) => `'${shortened(v, 40)}'`).join(', ');

interface Candidate {
  type: ColumnType;
  fits: number;
  build: () => ColumnDecision;
}

function base(
  profile: ColumnProfile,
  type: ColumnType,
  fits: number,
  reason: string,
): ColumnDecision {
  return {
    type,
    reason,
    counts: { cells: profile.cells, nulls: profile.nulls, misfits: profile.values - fits },
    overridden: false,
  };
}

/** The decimal mark of a number column and the sentence that says how it was chosen. */
function numberConvention(profile: ColumnProfile): { mark: '.' | ','; why: string } {
  const n = profile.number;
  if (n.commaOnly > n.dotOnly) {
    return { mark: ',', why: `comma as decimal mark (seen ${n.commaOnlyExample ?? ''})` };
  }
  if (n.dotOnly > 0) {
    return { mark: '.', why: `dot as decimal mark (seen ${n.dotOnlyExample ?? ''})` };
  }
  if (n.ambiguousDot + n.ambiguousComma === 0) return { mark: '.', why: '' };
  // Nothing decides: `1.234` read as one thousand two hundred thirty-four, groups of three.
  const mark = n.ambiguousDot >= n.ambiguousComma ? ',' : '.';
  const thousands = mark === ',' ? 'dot' : 'comma';
  return {
    mark,
    why: `${thousands} assumed to separate thousands since every such value has groups of three digits (seen ${n.ambiguousExample ?? ''})`,
  };
}

function numberFormat(
  reading: NumberReading,
  mark: '.' | ',',
  profile: ColumnProfile,
): NumberFormat {
  const exponent = mark === '.' && profile.number.exponents > 0;
  return {
    decimalMark: mark,
    percent: profile.number.percents > 0,
    integerDigits: reading.integerDigits,
    scale: reading.scale,
    float: exponent || reading.integerDigits + reading.scale > maxExactDigits,
  };
}

function numberCandidate(profile: ColumnProfile): Candidate {
  const { mark, why } = numberConvention(profile);
  const reading = mark === '.' ? profile.number.dot : profile.number.comma;
  const type: ColumnType = reading.fractions > 0 ? 'decimal' : 'integer';
  return {
    type,
    fits: reading.fits,
    build: () => {
      const format = numberFormat(reading, mark, profile);
      const notes = [`${count(reading.fits)} values`];
      if (why !== '') notes.push(why);
      if (format.percent) {
        notes.push(
          `values are percentages (seen ${profile.number.percentExample ?? ''}), stored without the % sign and not divided by 100`,
        );
      }
      if (type === 'integer' && format.integerDigits > bigintDigits) {
        notes.push(`up to ${format.integerDigits} digits, kept exact as HUGEINT`);
      }
      if (format.float) notes.push('stored as floating point (exponents or too many digits)');
      return {
        ...base(profile, type, reading.fits, `${type}: ${notes.join(', ')}`),
        number: format,
      };
    },
  };
}

function dateCandidate(profile: ColumnProfile): Candidate {
  const d = profile.date;
  const order: 'dmy' | 'mdy' = d.mdy > d.dmy ? 'mdy' : 'dmy';
  const written = d.iso + (order === 'dmy' ? d.dmy : d.mdy);
  const serials = profile.number.serials;
  const excelSerial = serials > 0 && (written > 0 || headerSaysDate(profile.name));
  const fits = written + (excelSerial ? serials : 0);
  return {
    type: 'date',
    fits,
    build: () => {
      const notes = [`${count(fits)} values`];
      if (d.dmy + d.mdy > 0) {
        if (order === 'mdy') notes.push(`month first (seen ${d.mdyOnlyExample ?? ''})`);
        else if (d.dmyOnly > 0) notes.push(`day first (seen ${d.dmyOnlyExample ?? ''})`);
        else notes.push('day first assumed as used in Laos (no value has a part above 12)');
      }
      if (excelSerial) {
        const why = written > 0 ? 'among written dates' : 'the header names a date';
        notes.push(
          `${count(serials)} Excel serial day numbers (1900 system) read as dates, since ${why}`,
        );
      }
      const date: DateFormat = { order, excelSerial, written: spellings(d.iso, d.dmy + d.mdy) };
      return { ...base(profile, 'date', fits, `date: ${notes.join(', ')}`), date };
    },
  };
}

/** ISO dates alone only when no `a/b/yyyy` date is seen (a column of none at all: ISO). */
function spellings(iso: number, slashes: number): DateFormat['written'] {
  return slashes === 0 ? 'iso' : iso === 0 ? 'slashes' : 'both';
}

function otherCandidates(profile: ColumnProfile): Candidate[] {
  const t = profile.datetime;
  const withTimeZone = t.zoned > t.naive;
  const datetimeFits = withTimeZone ? t.zoned : t.naive + t.dateOnly;
  const datesAlone =
    !withTimeZone && t.dateOnly > 0
      ? `, ${count(t.dateOnly)} of them dates alone, read as midnight`
      : '';
  const b = profile.boolean;
  const flag = headerSaysFlag(profile.name);
  const booleanFits = flag ? b.fits : b.fits - b.digits;
  const words = [...trueWords, ...falseWords].map((w) => `${w}`).join('/');
  return [
    {
      type: 'boolean',
      fits: booleanFits,
      build: () => ({
        ...base(
          profile,
          'boolean',
          booleanFits,
          `boolean: ${count(booleanFits)} values spelt ${flag ? `${words} or 1/0 (the header names a flag)` : words}`,
        ),
        booleans: {
          true: flag ? [...trueWords, '1'] : trueWords,
          false: flag ? [...falseWords, '0'] : falseWords,
        },
      }),
    },
    {
      type: 'datetime',
      fits: datetimeFits,
      build: () => ({
        ...base(
          profile,
          'datetime',
          datetimeFits,
          `datetime: ${count(datetimeFits)} ISO date and time values ${withTimeZone ? 'with a zone or offset, stored as instants' : 'without a zone, stored as written'}${datesAlone}`,
        ),
        withTimeZone,
      }),
    },
    {
      type: 'time',
      fits: profile.time.fits,
      build: () =>
        base(
          profile,
          'time',
          profile.time.fits,
          `time: ${count(profile.time.fits)} values HH:MM[:SS]`,
        ),
    },
  ];
}

function text(profile: ColumnProfile, reason: string): ColumnDecision {
  return base(profile, 'text', profile.values, `text: ${reason}`);
}

/**
 * Chooses the type of one column from its profile. Ties go to the more specific type (a 1/0
 * flag column is boolean, Excel serials under a date header are dates).
 *
 * @example decide(profiler.profile()) // { type: 'decimal', reason: 'decimal: 12 values, ...' }
 */
export function decide(profile: ColumnProfile): ColumnDecision {
  if (profile.values === 0) return text(profile, 'the column holds no values');
  const candidates = [
    ...otherCandidates(profile),
    dateCandidate(profile),
    numberCandidate(profile),
  ];
  const order: ColumnType[] = ['boolean', 'date', 'datetime', 'time', 'integer', 'decimal'];
  candidates.sort((a, b) => b.fits - a.fits || order.indexOf(a.type) - order.indexOf(b.type));
  const best = candidates[0];
  if (best === undefined || best.fits === 0) {
    return text(profile, `values are free text (e.g. ${quote(profile.examples)})`);
  }
  const misfits = profile.values - best.fits;
  const allowed = allowedMisfits(profile.values);
  if (misfits > allowed) {
    if (best.fits * 2 < profile.values) {
      return text(profile, `values are free text (e.g. ${quote(profile.examples)})`);
    }
    const share = ((misfits / profile.values) * 100).toFixed(1);
    return text(
      profile,
      `${count(misfits)} of ${count(profile.values)} values (${share}%) do not read as ${best.type} (e.g. ${quote(misfitExamples(profile, best.type))}); at most ${count(allowed)} type errors are accepted`,
    );
  }
  const n = profile.number;
  if (best.type === 'integer' || best.type === 'decimal') {
    if (n.leadingZeros > 0) {
      return text(
        profile,
        `codes with leading zeros (seen ${n.leadingZeroExample ?? ''}) keep their zeros`,
      );
    }
    const digits =
      best.type === 'integer' ? Math.max(n.dot.integerDigits, n.comma.integerDigits) : 0;
    if (digits > maxExactDigits) {
      return text(
        profile,
        `whole numbers of up to ${digits} digits are identifiers beyond exact numeric range`,
      );
    }
  }
  return best.build();
}

function misfitExamples(profile: ColumnProfile, type: ColumnType): string[] {
  const n = profile.number;
  switch (type) {
    case 'integer':
    case 'decimal': {
      const other = n.commaOnly > n.dotOnly ? n.dotOnlyExample : n.commaOnlyExample;
      return [...n.misfitExamples, ...(other === undefined ? [] : [other])].slice(0, 3);
    }
    case 'date':
      return profile.date.misfitExamples;
    case 'datetime':
      return profile.datetime.misfitExamples;
    case 'time':
      return profile.time.misfitExamples;
    default:
      return profile.boolean.misfitExamples;
  }
}

/**
 * The decision when the publisher forces a type; cells that do not fit become type errors.
 * `format` picks the number convention (`decimal-dot`, `decimal-comma`) or date order (`dmy`,
 * `mdy`). Throws a RangeError for an unknown type or format.
 */
export function decideWithOverride(
  profile: ColumnProfile,
  requested: TypeOverride,
): ColumnDecision {
  if (!columnTypes.includes(requested.type))
    throw new RangeError(`unknown column type ${requested.type}`);
  const by = `set by the publisher`;
  const format = requested.format;
  const forced = (decision: ColumnDecision): ColumnDecision => ({
    ...decision,
    type: requested.type,
    overridden: true,
    reason: `${requested.type} ${by} (inferred: ${decide(profile).reason})`,
  });
  switch (requested.type) {
    case 'text':
      return forced(text(profile, ''));
    case 'integer':
    case 'decimal': {
      if (format !== undefined && !overrideFormats[requested.type]!.includes(format)) {
        throw new RangeError(`unknown number format ${format}: use decimal-dot or decimal-comma`);
      }
      const mark =
        format === undefined
          ? numberConvention(profile).mark
          : format === 'decimal-dot'
            ? '.'
            : ',';
      const reading = mark === '.' ? profile.number.dot : profile.number.comma;
      const whole = requested.type === 'integer';
      const fits = whole ? reading.fits - reading.fractions : reading.fits;
      const number = numberFormat(reading, mark, profile);
      // A pruned tally under-counts digits; keep the widest exact storage then.
      if (profile.number.ruledOut)
        Object.assign(number, { integerDigits: maxExactDigits, float: !whole });
      if (whole) Object.assign(number, { scale: 0, float: false });
      return forced({ ...base(profile, requested.type, fits, ''), number });
    }
    case 'date': {
      if (format !== undefined && !overrideFormats.date!.includes(format)) {
        throw new RangeError(`unknown date format ${format}: use dmy or mdy`);
      }
      const inferred = dateCandidate(profile).build();
      const order = format === 'dmy' || format === 'mdy' ? format : (inferred.date?.order ?? 'dmy');
      const d = profile.date;
      const fits =
        d.iso +
        (order === 'dmy' ? d.dmy : d.mdy) +
        (inferred.date?.excelSerial === true ? profile.number.serials : 0);
      return forced({
        ...base(profile, 'date', fits, ''),
        date: {
          order,
          excelSerial: inferred.date?.excelSerial ?? false,
          written: spellings(d.iso, order === 'dmy' ? d.dmy : d.mdy),
        },
      });
    }
    default: {
      const candidate = otherCandidates(profile).find((c) => c.type === requested.type);
      if (candidate === undefined) throw new RangeError(`unknown column type ${requested.type}`);
      return forced(candidate.build());
    }
  }
}

/**
 * What the ingest calls after the full scan: the inferred type, or the publisher's choice.
 *
 * @example decideColumn(profiler, 'population', { type: 'integer' })
 */
export function decideColumn(
  profiler: ColumnProfiler,
  name: string,
  requested?: TypeOverride,
): ColumnDecision {
  const profile = profiler.profile(name);
  const decision =
    requested === undefined ? decide(profile) : decideWithOverride(profile, requested);
  decision.plain =
    !decision.overridden &&
    decision.counts.misfits === 0 &&
    profile.padded === 0 &&
    profile.laoDigits === 0;
  return decision;
}
