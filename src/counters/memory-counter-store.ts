import type { CounterState, CounterStore } from './counter-store.js';

interface Window {
  count: number;
  endsAt: number;
}

export function createMemoryCounterStore(now: () => number = Date.now): CounterStore {
  const windows = new Map<string, Window>();
  // Expired windows would otherwise pile up for every IP address ever seen.
  const sweeper = setInterval(() => {
    const time = now();
    for (const [key, window] of windows) if (window.endsAt <= time) windows.delete(key);
  }, 60_000);
  sweeper.unref();

  const live = (key: string): Window | undefined => {
    const window = windows.get(key);
    return window && window.endsAt > now() ? window : undefined;
  };
  const state = (window: Window | undefined): CounterState =>
    window
      ? { count: window.count, resetSeconds: (window.endsAt - now()) / 1000 }
      : { count: 0, resetSeconds: 0 };

  return {
    async increment(key, windowSeconds) {
      let window = live(key);
      if (!window) {
        window = { count: 0, endsAt: now() + windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.count += 1;
      return state(window);
    },
    async peek(key) {
      return state(live(key));
    },
    async reset(key) {
      windows.delete(key);
    },
    async close() {
      clearInterval(sweeper);
      windows.clear();
    },
  };
}
