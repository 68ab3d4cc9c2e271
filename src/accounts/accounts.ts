import type { Kysely } from 'kysely';
import type { CounterStore } from '../counters/index.js';
import type { Schema } from '../db/index.js';
import { createApiTokenService } from './api-token-service.js';
import { createSessionService } from './session-service.js';
import { createUserService, type UserChangesInput } from './user-service.js';

export interface AccountsOptions {
  db: Kysely<Schema>;
  counters: CounterStore;
  sessionMaxAgeSeconds: number;
  tokenCacheSeconds: number;
  now?: () => Date;
}

/** Users, browser sessions and API tokens, wired to one database. */
export function createAccounts(options: AccountsOptions) {
  const now = options.now ?? (() => new Date());
  const users = createUserService(options.db);
  const sessions = createSessionService({
    db: options.db,
    counters: options.counters,
    maxAgeSeconds: options.sessionMaxAgeSeconds,
    now,
  });
  const tokens = createApiTokenService({
    db: options.db,
    cacheSeconds: options.tokenCacheSeconds,
    now,
  });

  return {
    users: {
      ...users,
      async updateUser(id: string, changes: UserChangesInput) {
        const row = await users.updateUser(id, changes);
        // A disabled or demoted user must not keep acting through a cached token.
        tokens.forgetUser(id);
        return row;
      },
    },
    sessions,
    tokens,
    async close() {
      await tokens.close();
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
