import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { anonymous, type Actor } from './policy.js';

/** The caller as an Actor: their roles are read once per request, and only when a route needs them. */
export function createActorLoader(db: Kysely<Schema>) {
  const loaded = new WeakMap<FastifyRequest, Promise<Actor>>();
  return (request: FastifyRequest): Promise<Actor> => {
    let actor = loaded.get(request);
    if (!actor) {
      actor = loadActor(db, request.auth?.user ?? null);
      loaded.set(request, actor);
    }
    return actor;
  };
}

export async function loadActor(db: Kysely<Schema>, user: Actor['user']): Promise<Actor> {
  if (!user) return anonymous;
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['memberships.organization_id', 'memberships.role'])
    .where('memberships.user_id', '=', user.id)
    .where('organizations.deleted_at', 'is', null)
    .execute();
  return { user, roles: new Map(rows.map((row) => [row.organization_id, row.role])) };
}

export type ActorLoader = ReturnType<typeof createActorLoader>;
