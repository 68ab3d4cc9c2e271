import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import * as q from './queries.js';
import { generateApiToken, sha256Hex, visiblePrefix } from './secrets.js';
import { isUuid, toAuthUser } from './user-service.js';
import type { AuthUser } from './users.js';

export interface TokenUser extends AuthUser {
  tokenId: string;
}

interface CachedToken {
  user: TokenUser;
  expiresAt: number;
  checkedAt: number;
}

export interface ApiTokenServiceOptions {
  db: Kysely<Schema>;
  /** How long a looked-up token is trusted without asking the database again. */
  cacheSeconds: number;
  now: () => Date;
}

const maxCachedTokens = 10_000;
const flushEveryMs = 15_000;

/**
 * API tokens: created and revoked by their owners, checked on every API request. The check is
 * on the hot path of every call, so verified tokens are cached for `cacheSeconds` and
 * last-used times are written in batches. A revocation in this process takes effect at once;
 * one made by another process (the CLI on PostgreSQL) within `cacheSeconds`.
 */
export function createApiTokenService({ db, cacheSeconds, now }: ApiTokenServiceOptions) {
  const cache = new Map<string, CachedToken>();
  // token id → last use in epoch ms; turned into Dates only when flushed.
  const pendingUses = new Map<string, number>();
  let flushing: Promise<void> | undefined;

  const forgetTokens = (ids: string[]) => {
    for (const [hash, entry] of cache) if (ids.includes(entry.user.tokenId)) cache.delete(hash);
  };

  const use = (hash: string, entry: CachedToken, time: number): TokenUser | undefined => {
    if (entry.expiresAt <= time) {
      cache.delete(hash);
      return undefined;
    }
    pendingUses.set(entry.user.tokenId, time);
    return entry.user;
  };

  const lookUp = async (hash: string, time: number): Promise<TokenUser | undefined> => {
    const found = await q.findLiveToken(db, hash, new Date(time));
    if (!found) {
      cache.delete(hash);
      return undefined;
    }
    if (cache.size >= maxCachedTokens) cache.clear();
    const entry: CachedToken = {
      user: { ...toAuthUser(found.user), tokenId: found.token_id },
      expiresAt: found.expires_at?.getTime() ?? Infinity,
      checkedAt: time,
    };
    cache.set(hash, entry);
    return use(hash, entry, time);
  };

  const flushUses = async () => {
    if (pendingUses.size === 0) return;
    const uses = new Map([...pendingUses].map(([id, time]) => [id, new Date(time)]));
    pendingUses.clear();
    await q.recordTokenUse(db, uses);
  };

  const timer = setInterval(() => {
    flushing ??= flushUses()
      .catch(() => {})
      .finally(() => {
        flushing = undefined;
      });
  }, flushEveryMs);
  timer.unref();

  return {
    async createToken(
      userId: string,
      input: { name: string; expiresAt?: Date | undefined },
    ): Promise<{ token: string; row: q.TokenRow }> {
      const name = input.name.normalize('NFC').trim();
      if (name === '' || name.length > 100)
        throw new Invalid('name', 'must be 1 to 100 characters long');
      if (input.expiresAt !== undefined && input.expiresAt.getTime() <= now().getTime()) {
        throw new Invalid('expires_at', 'must be in the future');
      }
      const token = generateApiToken();
      const row = await q.insertToken(db, {
        userId,
        name,
        tokenHash: sha256Hex(token),
        prefix: visiblePrefix(token),
        expiresAt: input.expiresAt ?? null,
      });
      if (!row)
        throw new Conflict(
          `You already have a token named "${name}"; revoke it or pick another name`,
          'name',
        );
      return { token, row };
    },

    listTokens(userId: string, includeRevoked = false): Promise<q.TokenRow[]> {
      return q.listTokensOfUser(db, userId, includeRevoked);
    },

    async revokeToken(userId: string, tokenId: string): Promise<void> {
      const ids = isUuid(tokenId) ? await q.revokeTokens(db, { userId, id: tokenId }, now()) : [];
      if (ids.length === 0) throw new NotFound('Token');
      forgetTokens(ids);
    },

    async revokeTokensByName(userId: string, name: string): Promise<number> {
      const ids = await q.revokeTokens(db, { userId, name: name.normalize('NFC').trim() }, now());
      forgetTokens(ids);
      return ids.length;
    },

    /**
     * The owner of a usable token, or undefined for an unknown, revoked or expired one. Answers
     * from the cache without a promise when it can: this is on every API call's path.
     */
    authenticate(token: string): TokenUser | undefined | Promise<TokenUser | undefined> {
      if (token.length > 200) return undefined;
      const hash = sha256Hex(token);
      const time = now().getTime();
      const entry = cache.get(hash);
      if (entry && time - entry.checkedAt <= cacheSeconds * 1000) return use(hash, entry, time);
      return lookUp(hash, time);
    },

    /** Forget cached facts about a user (disabled, demoted) so the next request reads them anew. */
    forgetUser(userId: string): void {
      for (const [hash, entry] of cache) if (entry.user.id === userId) cache.delete(hash);
    },

    async close(): Promise<void> {
      clearInterval(timer);
      await flushing;
      await flushUses();
      cache.clear();
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
