import type { Database } from './database.js';

/**
 * Values read from the database, remembered for as long as `channel` reports every change that
 * could alter them (a trigger that NOTIFYs, see migration 0009), and all forgotten at each
 * notification. While the channel is not followed (before `follow`, or after the listening
 * connection dropped until it is back) nothing is remembered and every read goes to the
 * database. A read that raced a change does not keep what it read before the change.
 *
 * @example
 *   const roles = followedCache<Role[]>();
 *   await roles.follow(database, 'memberships_changed');
 *   const mine = await roles.read(userId, () => loadRoles(db, userId));
 */
export function followedCache<V>(limit = 10_000) {
  const values = new Map<string, V>();
  let following = false;
  let generation = 0;
  const forget = () => {
    generation += 1;
    values.clear();
  };
  return {
    async read(key: string, load: () => Promise<V>): Promise<V> {
      const known = following ? values.get(key) : undefined;
      if (known !== undefined) return known;
      const seen = generation;
      const value = await load();
      if (following && seen === generation) {
        if (values.size >= limit) values.clear();
        values.set(key, value);
      }
      return value;
    },

    /** Drops everything: for a change the channel cannot report (a table gone from DuckDB). */
    forget,

    follow(database: Pick<Database, 'listen'>, channel: string): Promise<void> {
      return database.listen(channel, {
        notified: forget,
        interrupted() {
          following = false;
          forget();
        },
        listening() {
          forget();
          following = true;
        },
      });
    },
  };
}

export type FollowedCache<V> = ReturnType<typeof followedCache<V>>;
