// What the full scan of a column counts for each candidate type: the input of `decide`, filled
// in by the ColumnProfiler (profile.ts).

/** Tallies of one candidate type over the cells that are not null markers. */
export interface CandidateTally {
  fits: number;
  /** First few values that do not fit. */
  misfitExamples: string[];
  /** Stopped testing early: the counts are then lower bounds. */
  ruledOut: boolean;
}

/** Number shape under one convention, over the cells that fit it. */
export interface NumberReading {
  fits: number;
  integerDigits: number;
  scale: number;
  fractions: number;
}

export interface NumberTally extends CandidateTally {
  dot: NumberReading;
  comma: NumberReading;
  exponents: number;
  /** Cells that fit only one convention, and a first example of each. */
  dotOnly: number;
  commaOnly: number;
  dotOnlyExample?: string;
  commaOnlyExample?: string;
  /** `1.234` / `1,234`: one mark followed by three digits. */
  ambiguousDot: number;
  ambiguousComma: number;
  ambiguousExample?: string;
  leadingZeros: number;
  leadingZeroExample?: string;
  percents: number;
  percentExample?: string;
  /** Plain whole numbers in the Excel serial range. */
  serials: number;
}

export interface DateTally extends CandidateTally {
  iso: number;
  /** `a/b/yyyy` values valid with day first, month first, and only one of the two. */
  dmy: number;
  mdy: number;
  dmyOnly: number;
  mdyOnly: number;
  dmyOnlyExample?: string;
  mdyOnlyExample?: string;
}

export interface DatetimeTally extends CandidateTally {
  zoned: number;
  naive: number;
  /** ISO dates without a time: midnight in a column without zones, misfits in one with them. */
  dateOnly: number;
}

export interface BooleanTally extends CandidateTally {
  trues: number;
  falses: number;
  /** Cells `1` or `0`, counted in `fits`; booleans only when the header names a flag. */
  digits: number;
}

/** Everything the full scan learnt about one column; input of `decide`. */
export interface ColumnProfile {
  name: string;
  cells: number;
  nulls: number;
  /** Cells that are not null markers. */
  values: number;
  /** Cells with blanks around them (null markers included). */
  padded: number;
  /**
   * Values written with Lao digits; counting stops at the first, and once the column can only be
   * text (they then change nothing).
   */
  laoDigits: number;
  /** First few values, for reasons. */
  examples: string[];
  number: NumberTally;
  date: DateTally;
  datetime: DatetimeTally;
  time: CandidateTally;
  boolean: BooleanTally;
}
