/**
 * Fixed-window counters for throttling and quotas: in this process by default, in Redis when
 * REDIS_URL is set so that several processes share one count.
 */
export interface CounterStore {
  /** Adds one to `key`; the window starts with the first hit and lasts `windowSeconds`. */
  increment(key: string, windowSeconds: number): Promise<CounterState>;
  /** The current count without changing it (0 when the window has passed). */
  peek(key: string): Promise<CounterState>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface CounterState {
  count: number;
  /** Seconds until the window ends and the count is back to zero. */
  resetSeconds: number;
}
