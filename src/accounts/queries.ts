import type { Kysely, Selectable } from 'kysely';
import type { Schema, UsersTable } from '../db/index.js';

type Db = Kysely<Schema>;
export type UserRow = Selectable<UsersTable>;

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** The longest-standing active sysadmin: who automatic work (demo content) is recorded as. */
export function findFirstSysadmin(db: Db): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('is_sysadmin', '=', true)
    .where('active', '=', true)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

export function countUsers(db: Db): Promise<number> {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string | null;
  language: 'lo' | 'en';
  isSysadmin: boolean;
}

/** Returns undefined when the email is taken (the unique index decides, not a prior read). */
export async function insertUser(db: Db, user: NewUser): Promise<UserRow | undefined> {
  return db
    .insertInto('users')
    .values({
      email: user.email,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      language: user.language,
      is_sysadmin: user.isSysadmin,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export interface UserChanges {
  displayName?: string;
  language?: 'lo' | 'en';
  active?: boolean;
  isSysadmin?: boolean;
  passwordHash?: string;
}

export function updateUser(db: Db, id: string, changes: UserChanges): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({
      ...(changes.displayName !== undefined && { display_name: changes.displayName }),
      ...(changes.language !== undefined && { language: changes.language }),
      ...(changes.active !== undefined && { active: changes.active }),
      ...(changes.isSysadmin !== undefined && { is_sysadmin: changes.isSysadmin }),
      ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function recordLogin(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ last_login_at: at }).where('id', '=', id).execute();
}

/** Users ordered by email, after `afterEmail` (keyset paging). */
export function listUsers(db: Db, limit: number, afterEmail?: string): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().orderBy('email').limit(limit);
  if (afterEmail !== undefined) query = query.where('email', '>', afterEmail);
  return query.execute();
}

// Sessions

export interface SessionWithUser {
  expires_at: Date;
  user: UserRow;
}

export async function findLiveSession(
  db: Db,
  idHash: string,
  now: Date,
): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.expires_at as session_expires_at')
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_expires_at, ...user } = row;
  return { expires_at: session_expires_at, user };
}

export async function insertSession(
  db: Db,
  session: {
    idHash: string;
    userId: string;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

export async function extendSession(
  db: Db,
  idHash: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now, expires_at: expiresAt })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// API tokens

export interface TokenWithUser {
  token_id: string;
  expires_at: Date | null;
  user: UserRow;
}

/** A token that can authenticate right now: not revoked, not expired, its owner active. */
export async function findLiveToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<TokenWithUser | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.expires_at as token_expires_at'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) =>
      eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', now)]),
    )
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_id, token_expires_at, ...user } = row;
  return { token_id, expires_at: token_expires_at, user };
}

export function insertToken(
  db: Db,
  token: {
    userId: string;
    name: string;
    tokenHash: string;
    prefix: string;
    expiresAt: Date | null;
  },
) {
  return db
    .insertInto('api_tokens')
    .values({
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      prefix: token.prefix,
      expires_at: token.expiresAt,
    })
    .onConflict((oc) => oc.columns(['user_id', 'name']).where('revoked_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function listTokensOfUser(db: Db, userId: string, includeRevoked: boolean) {
  let query = db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id');
  if (!includeRevoked) query = query.where('revoked_at', 'is', null);
  return query.execute();
}

/** Revokes live tokens matching `where`; returns their ids. */
export async function revokeTokens(
  db: Db,
  where: { userId: string; id?: string; name?: string },
  at: Date,
): Promise<string[]> {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', where.userId)
    .where('revoked_at', 'is', null);
  if (where.id !== undefined) query = query.where('id', '=', where.id);
  if (where.name !== undefined) query = query.where('name', '=', where.name);
  const rows = await query.returning('id').execute();
  return rows.map((row) => row.id);
}

/** Writes last-used times gathered in memory; never moves a time backwards. */
export async function recordTokenUse(db: Db, uses: Map<string, Date>): Promise<void> {
  for (const [id, at] of uses) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute();
  }
}

export type TokenRow = Selectable<Schema['api_tokens']>;
