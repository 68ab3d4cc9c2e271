import { shortened } from '../lib/text.js';

/**
 * The validation report of one ingest, in Frictionless terms so that publishers and tools that
 * know Frictionless read it without a glossary. Every reader and step adds to one collector;
 * each code keeps its first few examples and counts the rest.
 */
export const reportCodes = [
  'type-error',
  'missing-cell',
  'extra-cell',
  'blank-row',
  'duplicate-label',
  'blank-label',
  'encoding-error',
  'constraint-error',
  'format-error',
  'source-error',
] as const;
export type ReportCode = (typeof reportCodes)[number];

export interface ReportError {
  code: ReportCode;
  /** 1-based row number in the source: line for text, sheet row for spreadsheets. */
  rowNumber?: number;
  /** 1-based field position in the source row. */
  fieldNumber?: number;
  /** Column name after the header was cleaned up. */
  fieldName?: string;
  /** The offending value, cut to a readable length. */
  cell?: string;
  message: string;
}

/** A line with bytes its encoding cannot decode, which the decoder wrote as U+FFFD. */
export function encodingError(rowNumber: number, line: string, encoding: string): ReportError {
  return {
    code: 'encoding-error',
    rowNumber,
    cell: line,
    message: `line ${rowNumber} has bytes that are not valid ${encoding}; they were replaced by U+FFFD`,
  };
}

/** What the ingest decided on its own, each with the reason, so the publisher can check it. */
export interface ReportDecision {
  /** e.g. `encoding`, `delimiter`, `header-row`, `notes-below`, `column-type`. */
  topic: string;
  value: string;
  reason: string;
  fieldName?: string;
}

export interface ValidationReport {
  valid: boolean;
  stats: { rows: number; fields: number; errors: number };
  /** Per code: how many there were in all, even beyond the examples kept. */
  totals: Partial<Record<ReportCode, number>>;
  errors: ReportError[];
  decisions: ReportDecision[];
}

const maxValueLength = 80;
const maxDecisionLength = 2000;

export class ReportCollector {
  readonly #perCode: number;
  readonly #errors: ReportError[] = [];
  readonly #totals = new Map<ReportCode, number>();
  readonly #decisions: ReportDecision[] = [];

  constructor(examplesPerCode = 20) {
    this.#perCode = examplesPerCode;
  }

  error(error: ReportError): void {
    const seen = this.#totals.get(error.code) ?? 0;
    this.#totals.set(error.code, seen + 1);
    if (seen >= this.#perCode) return;
    const cell = error.cell === undefined ? undefined : shortened(error.cell, maxValueLength);
    this.#errors.push(cell === undefined ? error : { ...error, cell });
  }

  /** Adds `count` occurrences of which only the totals are kept (counted by a bulk step). */
  count(code: ReportCode, count: number): void {
    if (count > 0) this.#totals.set(code, (this.#totals.get(code) ?? 0) + count);
  }

  decide(decision: ReportDecision): void {
    // A reason quotes cells and a value may list notes: bounded, so that a report stays small
    // whatever the file holds (a 10 MB cell once made a 10 MB report).
    this.#decisions.push({
      ...decision,
      value: shortened(decision.value, maxDecisionLength),
      reason: shortened(decision.reason, maxDecisionLength),
    });
  }

  /**
   * Adds what another collector recorded (its finished report), as if recorded here: the same
   * examples in the same order, the same totals, then its decisions.
   */
  absorb(recorded: ValidationReport): void {
    const examples = new Map<ReportCode, number>();
    for (const error of recorded.errors) {
      this.error(error);
      examples.set(error.code, (examples.get(error.code) ?? 0) + 1);
    }
    for (const [code, total] of Object.entries(recorded.totals) as Array<[ReportCode, number]>)
      this.count(code, total - (examples.get(code) ?? 0));
    for (const decision of recorded.decisions) this.decide(decision);
  }

  /** Problems of one code recorded so far. */
  totalOf(code: ReportCode): number {
    return this.#totals.get(code) ?? 0;
  }

  /** Problems recorded so far, of every code. */
  get errorCount(): number {
    let count = 0;
    for (const n of this.#totals.values()) count += n;
    return count;
  }

  finish(stats: { rows: number; fields: number }): ValidationReport {
    const totals = Object.fromEntries(this.#totals) as Partial<Record<ReportCode, number>>;
    const errors = [...this.#totals.values()].reduce((sum, n) => sum + n, 0);
    return {
      valid: errors === 0,
      stats: { ...stats, errors },
      totals,
      errors: [...this.#errors],
      decisions: [...this.#decisions],
    };
  }
}
