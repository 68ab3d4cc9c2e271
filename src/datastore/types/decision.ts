/** The SQL-storable types a column can be given. */
export const columnTypes = [
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'time',
  'text',
] as const;
export type ColumnType = (typeof columnTypes)[number];

/** How the numbers of one column are written. */
export interface NumberFormat {
  /** `.` for 6,492,228.5; `,` for 6.492.228,5 (Lao convention). */
  decimalMark: '.' | ',';
  /** Some values carried a `%` sign; it is dropped, the value is not divided by 100. */
  percent: boolean;
  /** Largest count of digits before the decimal mark. */
  integerDigits: number;
  /** Largest count of digits after the decimal mark (0 for integers). */
  scale: number;
  /** Values need a binary float (exponents, or more than 38 significant digits). */
  float: boolean;
}

/** How the dates of one column are written. */
export interface DateFormat {
  /** Order of `a/b/yyyy` values; ISO `yyyy-mm-dd` values are always accepted. */
  order: 'dmy' | 'mdy';
  /** Whole numbers 20000–60000 are Excel serial day numbers (1900 date system). */
  excelSerial: boolean;
  /** Which spellings the column's cells use: ISO `yyyy-mm-dd`, `a/b/yyyy`, or both. */
  written: 'iso' | 'slashes' | 'both';
}

/** The type chosen for one column, with everything the conversions need. */
export interface ColumnDecision {
  type: ColumnType;
  /** Plain English, copied into the validation report. */
  reason: string;
  /** Set for `integer` and `decimal`. */
  number?: NumberFormat;
  /** Set for `date`. */
  date?: DateFormat;
  /** Set for `datetime`: values carry a zone or offset (TIMESTAMPTZ). */
  withTimeZone?: boolean;
  /** Set for `boolean`: lowercase spellings of true and false. */
  booleans?: { true: string[]; false: string[] };
  /** Cells seen, null markers among them, and cells that will not convert (type errors). */
  counts: { cells: number; nulls: number; misfits: number };
  /** True when the publisher forced the type. */
  overridden: boolean;
  /**
   * Every cell converts and none has surrounding blanks or Lao digits: the conversion can skip
   * the checks that guard against them.
   */
  plain?: boolean;
}

/** What a publisher may force; `format` is `decimal-dot`, `decimal-comma`, `dmy` or `mdy`. */
export interface TypeOverride {
  type: ColumnType;
  format?: string;
}

/** The formats a forced type takes: the number convention, or the order of a date's parts. */
export const overrideFormats: Partial<Record<ColumnType, readonly string[]>> = {
  integer: ['decimal-dot', 'decimal-comma'],
  decimal: ['decimal-dot', 'decimal-comma'],
  date: ['dmy', 'mdy'],
};
