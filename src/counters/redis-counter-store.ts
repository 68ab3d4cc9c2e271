import type { CounterState, CounterStore } from './counter-store.js';

const keyPrefix = 'khomoun:counter:';

/** Loads ioredis only when Redis is configured: it costs the embedded setup ~20 MiB of memory. */
export async function createRedisCounterStore(url: string): Promise<CounterStore> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  redis.on('error', () => {});

  const toState = (count: number, ttlMs: number): CounterState => ({
    count,
    resetSeconds: ttlMs > 0 ? ttlMs / 1000 : 0,
  });

  return {
    async increment(key, windowSeconds) {
      const fullKey = keyPrefix + key;
      // SET NX starts the window only on the first hit; INCR and PTTL read it in the same step.
      const results = await redis
        .multi()
        .set(fullKey, 0, 'PX', windowSeconds * 1000, 'NX')
        .incr(fullKey)
        .pttl(fullKey)
        .exec();
      if (!results) throw new Error('Redis transaction was aborted');
      for (const [error] of results) if (error) throw error;
      return toState(Number(results[1]?.[1]), Number(results[2]?.[1]));
    },
    async peek(key) {
      const fullKey = keyPrefix + key;
      const [count, ttl] = await Promise.all([redis.get(fullKey), redis.pttl(fullKey)]);
      return toState(Number(count ?? 0), ttl);
    },
    async reset(key) {
      await redis.del(keyPrefix + key);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
