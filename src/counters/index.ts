export type { CounterStore, CounterState } from './counter-store.js';
export { createMemoryCounterStore } from './memory-counter-store.js';
export { createRedisCounterStore } from './redis-counter-store.js';
