import type { Static } from 'typebox';
import type { TokenRow, UserRow } from './queries.js';
import type { MeSchema, TokenSchema, UserSchema } from './schemas.js';
import type { AuthUser } from './users.js';

/** The public shape of a user: never the password hash. */
export function presentUser(row: UserRow): Static<typeof UserSchema> {
  return {
    id: row.id,
    email: row.email,
    display_name: row.display_name,
    language: row.language,
    active: row.active,
    sysadmin: row.is_sysadmin,
    created_at: row.created_at.toISOString(),
    last_login_at: row.last_login_at?.toISOString() ?? null,
  };
}

/** The public shape of a token: its name and prefix, never the secret or its hash. */
export function presentToken(row: TokenRow): Static<typeof TokenSchema> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

// Token users are cached objects that live as long as the token cache entry, so their
// presentation can be reused; session users are fresh objects and simply miss.
const presentedMe = new WeakMap<AuthUser, Static<typeof MeSchema>>();

/**
 * `/api/v1/me` from what authentication already loaded: the busiest authenticated call answers
 * without another database round trip (an authenticated user is active by definition).
 */
export function presentMe(user: AuthUser, via: 'token' | 'session'): Static<typeof MeSchema> {
  const cached = presentedMe.get(user);
  if (cached?.authenticated_by === via) return cached;
  const body: Static<typeof MeSchema> = {
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    language: user.language,
    active: true,
    sysadmin: user.isSysadmin,
    created_at: user.createdAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    authenticated_by: via,
  };
  presentedMe.set(user, body);
  return body;
}
