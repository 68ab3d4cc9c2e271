import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { followedCache, type Database, type Schema } from '../db/index.js';
import { anonymous, type Actor } from './policy.js';

/**
 * The caller as an Actor: their roles are read once per request, and only when a route needs
 * them; with `roles`, from what the node remembers until memberships change.
 */
export function createActorLoader(db: Kysely<Schema>, roles?: RoleDirectory) {
  const loaded = new WeakMap<FastifyRequest, Promise<Actor>>();
  return (request: FastifyRequest): Promise<Actor> => {
    let actor = loaded.get(request);
    if (!actor) {
      actor = loadActor(db, request.auth?.user ?? null, roles);
      loaded.set(request, actor);
    }
    return actor;
  };
}

export async function loadActor(
  db: Kysely<Schema>,
  user: Actor['user'],
  roles?: RoleDirectory,
): Promise<Actor> {
  if (!user) return anonymous;
  return { user, roles: await (roles ? roles.of(user.id) : readRoles(db, user.id)) };
}

/**
 * Every user's roles, remembered until a membership or an organization changes (migration 0009
 * notifies every node when one does).
 */
export function createRoleDirectory(db: Kysely<Schema>) {
  const remembered = followedCache<Actor['roles']>();
  return {
    of: (userId: string) => remembered.read(userId, () => readRoles(db, userId)),
    followChanges: (database: Pick<Database, 'listen'>) =>
      remembered.follow(database, 'memberships_changed'),
  };
}

export type RoleDirectory = ReturnType<typeof createRoleDirectory>;

async function readRoles(db: Kysely<Schema>, userId: string): Promise<Actor['roles']> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['memberships.organization_id', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    .where('organizations.deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((row) => [row.organization_id, row.role]));
}

export type ActorLoader = ReturnType<typeof createActorLoader>;
