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
 * A query ran out of memory while other queries shared DuckDB's limit with it: the same request
 * may well fit once they end, so it is the server's state, not the request, and worth retrying.
 */
export class QueriesCrowded extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      503,
      'QUERIES_CROWDED',
      'Queries running at the same time have used the memory the data API has for them; try again in a few seconds',
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/**
 * Tells a query too large for the memory limit from one that met others using it. Every query
 * of a node's DuckDB runs through `run`; one that fails with `QueryTooLarge` after running beside
 * another (already running when it started, or started before it failed) is `QueriesCrowded`.
 *
 * @example const shared = createMemoryShare(); await shared.run(() => answerRecords(…));
 */
export function createMemoryShare(retryAfterSeconds = 2) {
  let running = 0;
  let started = 0;
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      const alone = running === 0;
      const startedBefore = started;
      running += 1;
      started += 1;
      try {
        return await work();
      } catch (error) {
        const crowded = !alone || started > startedBefore + 1;
        if (error instanceof QueryTooLarge && crowded) throw new QueriesCrowded(retryAfterSeconds);
        throw error;
      } finally {
        running -= 1;
      }
    },
  };
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
