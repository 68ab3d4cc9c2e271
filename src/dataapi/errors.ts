import { AppError, Invalid } from '../lib/errors.js';

/** A query ran past its time limit and was interrupted. */
export class QueryTimedOut extends AppError {
  constructor(seconds: number) {
    super(
      408,
      'QUERY_TIMEOUT',
      `The query ran longer than ${seconds} seconds and was stopped; narrow it with filters or use an export`,
    );
  }
}

/**
 * A query needed more memory than the data API may use. The limit is shared by the queries
 * running at once, so a query that fits alone may not fit on a busy node: the message says both.
 */
export class QueryTooLarge extends AppError {
  constructor() {
    super(
      422,
      'QUERY_TOO_LARGE',
      'The query needs more memory than the data API has for it now (queries running at the same time share it): filter first, sort or group fewer rows, use a cursor rather than a deep offset, or try again later',
    );
  }
}

/**
 * A streamed export ended with fewer rows than its query has: DuckDB stopped it half-way (an
 * error, an interrupt). Its headers are already sent, so the client sees a broken transfer.
 */
export class ExportCutShort extends AppError {
  constructor(sent: number, expected: number) {
    super(
      500,
      'EXPORT_INCOMPLETE',
      `The export stopped after ${sent} of ${expected} rows; download it again`,
    );
  }
}

/**
 * Runs `work` on `connection` and interrupts DuckDB when the deadline passes; DuckDB's own errors
 * that are the caller's doing become 4xx answers. DuckDB runs on its own threads, so a long query
 * never blocks the event loop, only this one connection.
 */
export async function withDeadline<T>(
  connection: { interrupt(): void },
  milliseconds: number,
  work: () => Promise<T>,
): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, milliseconds);
  try {
    return await work();
  } catch (error) {
    throw queryError(error, timedOut, milliseconds);
  } finally {
    clearTimeout(timer);
  }
}

export function queryError(error: unknown, timedOut = false, milliseconds = 0): unknown {
  if (!(error instanceof Error) || error instanceof AppError) return error;
  if (timedOut || error.message.includes('INTERRUPT'))
    return new QueryTimedOut(Math.round(milliseconds / 1000));
  if (error.message.startsWith('Out of Memory Error')) return new QueryTooLarge();
  // Values are checked before they are bound; what DuckDB still refuses (a date out of its range,
  // an integer past HUGEINT) is the request's fault, not the server's.
  if (/^(Conversion|Out of Range|Invalid Input) Error/.test(error.message))
    return new Invalid('query', error.message.split('\n')[0]!.slice(0, 300));
  return error;
}
