import type { Kysely } from 'kysely';
import type { CounterStore } from '../counters/index.js';
import type { Schema } from '../db/index.js';
import { AppError } from '../lib/errors.js';
import { createLoginThrottle } from './login-throttle.js';
import { verifyPassword } from './passwords.js';
import * as q from './queries.js';
import { generateSessionId, sha256Hex } from './secrets.js';
import { toAuthUser } from './user-service.js';
import type { AuthUser } from './users.js';

export class LoginFailed extends AppError {
  constructor() {
    // One answer for unknown email, wrong password and disabled account: nothing to enumerate.
    super(401, 'LOGIN_FAILED', 'Email or password is not correct');
  }
}

export interface SessionServiceOptions {
  db: Kysely<Schema>;
  counters: CounterStore;
  maxAgeSeconds: number;
  now: () => Date;
}

export function createSessionService({ db, counters, maxAgeSeconds, now }: SessionServiceOptions) {
  const throttle = createLoginThrottle(counters);

  return {
    /** Checks a password login, throttled per account and per address. */
    async verifyLogin(rawEmail: string, password: string, ip: string): Promise<AuthUser> {
      const email = rawEmail.normalize('NFC').trim().toLowerCase();
      await throttle.check(email, ip);
      const row = email === '' ? undefined : await q.findUserByEmail(db, email);
      const passwordOk = await verifyPassword(row?.password_hash ?? null, password);
      if (!row || !passwordOk || !row.active) {
        await throttle.recordFailure(email, ip);
        throw new LoginFailed();
      }
      await throttle.recordSuccess(email);
      await q.recordLogin(db, row.id, now());
      return toAuthUser(row);
    },

    async startSession(
      userId: string,
      client: { ip: string | null; userAgent: string | null },
    ): Promise<{ sessionId: string; expiresAt: Date }> {
      const sessionId = generateSessionId();
      const expiresAt = new Date(now().getTime() + maxAgeSeconds * 1000);
      await q.insertSession(db, {
        idHash: sha256Hex(sessionId),
        userId,
        expiresAt,
        ip: client.ip,
        userAgent: client.userAgent?.slice(0, 400) ?? null,
      });
      return { sessionId, expiresAt };
    },

    /**
     * The user of a live session. A session in use is extended once half its life has passed;
     * `extendedUntil` then tells the caller to renew the cookie.
     */
    async resolveSession(
      sessionId: string,
    ): Promise<{ user: AuthUser; extendedUntil?: Date } | undefined> {
      const idHash = sha256Hex(sessionId);
      const time = now();
      const session = await q.findLiveSession(db, idHash, time);
      if (!session) return undefined;
      const user = toAuthUser(session.user);
      const remaining = session.expires_at.getTime() - time.getTime();
      if (remaining >= (maxAgeSeconds * 1000) / 2) return { user };
      const extendedUntil = new Date(time.getTime() + maxAgeSeconds * 1000);
      await q.extendSession(db, idHash, time, extendedUntil);
      return { user, extendedUntil };
    },

    async endSession(sessionId: string): Promise<void> {
      await q.deleteSession(db, sha256Hex(sessionId));
    },

    deleteExpiredSessions(): Promise<number> {
      return q.deleteExpiredSessions(db, now());
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
