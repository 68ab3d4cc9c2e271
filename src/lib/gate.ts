/**
 * Runs at most `limit` tasks at once; up to `queueLength` more wait their turn, first come first
 * served, and further ones are refused at once (with `refuse()`) rather than piling up.
 *
 * @example
 *   const queries = createGate(4, { queueLength: 100, refuse: () => new TooManyRequests('…', 1) });
 *   const rows = await queries.run(() => connection.runAndReadAll(sql));
 */
export function createGate(
  limit: number,
  options: { queueLength?: number; refuse?: () => Error } = {},
) {
  const queueLength = options.queueLength ?? Infinity;
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      // A finishing task hands its place to the next in line, so `running` never drops below
      // the limit while anyone waits.
      if (running < limit) running += 1;
      else if (waiting.length >= queueLength)
        throw options.refuse?.() ?? new Error('too many tasks are waiting');
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
    /** Tasks waiting for a place. */
    get waiting(): number {
      return waiting.length;
    },
  };
}
