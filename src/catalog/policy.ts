import type { AuthUser } from '../accounts/index.js';
import type { MembershipRole } from '../db/index.js';
import type { Viewer } from './datasets/queries.js';
import { Forbidden, NotFound, Unauthenticated } from '../lib/errors.js';

/**
 * Who is acting, with their roles per organization. Built once per request; every rule of the
 * catalog is a plain function of it (CKAN's auth functions, Outline's policies), tested on its own.
 */
export interface Actor {
  user: AuthUser | null;
  /** organization id → role */
  roles: ReadonlyMap<string, MembershipRole>;
}

export const anonymous: Actor = { user: null, roles: new Map() };

export function isSysadmin(actor: Actor): boolean {
  return actor.user?.isSysadmin === true;
}

/** What a query of the catalog needs to know of an actor to show only what they may see. */
export function viewerOf(actor: Actor): Viewer {
  return { sysadmin: isSysadmin(actor), organizationIds: [...actor.roles.keys()] };
}

export function roleIn(actor: Actor, organizationId: string): MembershipRole | undefined {
  return actor.roles.get(organizationId);
}

export const can = {
  createOrganization: (actor: Actor) => isSysadmin(actor),
  deleteOrganization: (actor: Actor) => isSysadmin(actor),
  updateOrganization: (actor: Actor, organizationId: string) =>
    isSysadmin(actor) || roleIn(actor, organizationId) === 'admin',
  manageMembers: (actor: Actor, organizationId: string) =>
    isSysadmin(actor) || roleIn(actor, organizationId) === 'admin',
  /** Members see the organization's drafts, its member list and its history. */
  seeInside: (actor: Actor, organizationId: string) =>
    isSysadmin(actor) || roleIn(actor, organizationId) !== undefined,
  editDatasets: (actor: Actor, organizationId: string) =>
    isSysadmin(actor) || ['admin', 'editor'].includes(roleIn(actor, organizationId) ?? ''),
  reviewDatasets: (actor: Actor, organizationId: string) =>
    isSysadmin(actor) || roleIn(actor, organizationId) === 'admin',
};

/** Throws 401 for anonymous callers and 403 for signed-in ones when `allowed` is false. */
export function authorize(actor: Actor, allowed: boolean): void {
  if (allowed) return;
  if (!actor.user) throw new Unauthenticated();
  throw new Forbidden();
}

/**
 * For things that may be hidden (drafts, restricted datasets): someone who cannot see inside the
 * organization gets 404 like for a thing that does not exist, so nothing confirms it is there.
 */
export function authorizeHidden(
  actor: Actor,
  allowed: boolean,
  organizationId: string,
  what: string,
): void {
  if (allowed) return;
  if (!can.seeInside(actor, organizationId)) throw new NotFound(what);
  authorize(actor, false);
}
