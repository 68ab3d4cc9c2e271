import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { checkPasswordRules, hashPassword, verifyPassword } from './passwords.js';
import * as q from './queries.js';
import {
  emailTaken,
  normalizeDisplayName,
  normalizeEmail,
  type AuthUser,
  type Language,
} from './users.js';

export interface NewUserInput {
  email: string;
  password?: string | undefined;
  displayName?: string | undefined;
  language?: Language | undefined;
  isSysadmin?: boolean | undefined;
}

export interface UserChangesInput {
  displayName?: string | undefined;
  language?: Language | undefined;
  active?: boolean | undefined;
  isSysadmin?: boolean | undefined;
  password?: string | undefined;
}

export function createUserService(db: Kysely<Schema>) {
  return {
    async createUser(input: NewUserInput): Promise<q.UserRow> {
      const email = normalizeEmail(input.email);
      const displayName = normalizeDisplayName(input.displayName ?? email.split('@')[0] ?? email);
      if (input.password !== undefined) checkPasswordRules(input.password);
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      const row = await q.insertUser(db, {
        email,
        displayName,
        passwordHash,
        language: input.language ?? 'lo',
        isSysadmin: input.isSysadmin ?? false,
      });
      if (!row) throw emailTaken();
      return row;
    },

    async getUser(id: string): Promise<q.UserRow> {
      const row = isUuid(id) ? await q.findUserById(db, id) : undefined;
      if (!row) throw new NotFound('User');
      return row;
    },

    async getUserByEmail(rawEmail: string): Promise<q.UserRow> {
      const row = await q.findUserByEmail(db, normalizeEmail(rawEmail));
      if (!row) throw new NotFound('User');
      return row;
    },

    listUsers(limit: number, afterEmail?: string): Promise<q.UserRow[]> {
      return q.listUsers(db, limit, afterEmail);
    },

    async firstSysadmin(): Promise<AuthUser | undefined> {
      const row = await q.findFirstSysadmin(db);
      return row && toAuthUser(row);
    },

    countUsers(): Promise<number> {
      return q.countUsers(db);
    },

    async updateUser(id: string, changes: UserChangesInput): Promise<q.UserRow> {
      const row = await q.updateUser(db, id, {
        displayName:
          changes.displayName === undefined ? undefined : normalizeDisplayName(changes.displayName),
        language: changes.language,
        active: changes.active,
        isSysadmin: changes.isSysadmin,
        passwordHash:
          changes.password === undefined ? undefined : await hashPassword(changes.password),
      });
      if (!row) throw new NotFound('User');
      // A disabled account or a new password ends every open browser session of that person.
      if (changes.active === false || changes.password !== undefined)
        await q.deleteSessionsOfUser(db, id);
      return row;
    },

    /** Changing one's own password needs the current one, so a stolen session cannot lock the owner out. */
    async changeOwnPassword(
      user: AuthUser,
      currentPassword: string,
      newPassword: string,
    ): Promise<void> {
      const row = await q.findUserById(db, user.id);
      if (!row || !(await verifyPassword(row.password_hash, currentPassword))) {
        throw new Invalid('current_password', 'is not correct');
      }
      checkPasswordRules(newPassword, 'new_password');
      await q.updateUser(db, user.id, { passwordHash: await hashPassword(newPassword) });
      await q.deleteSessionsOfUser(db, user.id);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

export function toAuthUser(row: q.UserRow): AuthUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    language: row.language,
    isSysadmin: row.is_sysadmin,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that cannot be uuids are answered as "not found" instead of a database type error. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
