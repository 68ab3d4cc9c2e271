import type { CounterStore } from '../counters/index.js';
import { TooManyRequests } from '../lib/errors.js';

/** Failed logins allowed per window before further attempts get 429. */
export const loginLimits = {
  windowSeconds: 15 * 60,
  perAccount: 5,
  perIp: 30,
} as const;

/**
 * Slows password guessing: per account (whether or not it exists, so the answer reveals
 * nothing) and per client address (against one client trying many accounts).
 */
export function createLoginThrottle(counters: CounterStore, limits = loginLimits) {
  const accountKey = (email: string) => `login:account:${email}`;
  const ipKey = (ip: string) => `login:ip:${ip}`;

  return {
    async check(email: string, ip: string): Promise<void> {
      const [account, address] = await Promise.all([
        counters.peek(accountKey(email)),
        counters.peek(ipKey(ip)),
      ]);
      const blocked = [
        account.count >= limits.perAccount ? account.resetSeconds : 0,
        address.count >= limits.perIp ? address.resetSeconds : 0,
      ];
      const wait = Math.max(...blocked);
      if (wait > 0)
        throw new TooManyRequests('Too many failed sign-in attempts; try again later', wait);
    },
    async recordFailure(email: string, ip: string): Promise<void> {
      await Promise.all([
        counters.increment(accountKey(email), limits.windowSeconds),
        counters.increment(ipKey(ip), limits.windowSeconds),
      ]);
    },
    async recordSuccess(email: string): Promise<void> {
      await counters.reset(accountKey(email));
    },
  };
}
