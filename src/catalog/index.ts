import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import type { BlobStore } from '../files/index.js';
import { createActorLoader, type RoleDirectory } from './actor.js';
import { datasetRoutes } from './datasets/routes.js';
import { createDatasetService } from './datasets/service.js';
import { organizationRoutes } from './organizations/routes.js';
import { createOrganizationService } from './organizations/service.js';
import { resourceRoutes } from './resources/routes.js';
import { createResourceService, type FileStoredHook } from './resources/service.js';
import { vocabularyRoutes } from './vocabularies/routes.js';

export {
  loadActor,
  createActorLoader,
  createRoleDirectory,
  type ActorLoader,
  type RoleDirectory,
} from './actor.js';
export { can, authorize, authorizeHidden, anonymous, type Actor } from './policy.js';
export type { OrganizationService } from './organizations/service.js';
export type { DatasetService, DatasetView } from './datasets/service.js';
export type { ResourceService, FileStoredHook } from './resources/service.js';
export { insertLicence as addLicence } from './vocabularies/queries.js';
// The catalog's visibility rule as SQL over rows aliased `d`, for search to apply as is.
export {
  insiderCondition,
  visibleCondition,
  type Viewer,
  type StoredRevision,
} from './datasets/queries.js';
export { shownResourceFile, type ShownFile } from './resources/queries.js';
export { isSysadmin, viewerOf } from './policy.js';

/** The catalog's services, for the API routes and for whatever else writes (demo seeding, CLI). */
export function createCatalog(
  db: Kysely<Schema>,
  blobs: BlobStore,
  now?: () => Date,
  hooks: { fileStored?: FileStoredHook } = {},
) {
  const organizations = createOrganizationService(db);
  const datasets = createDatasetService(db, organizations, now);
  const resources = createResourceService(db, datasets, blobs, now, hooks.fileStored);
  return { organizations, datasets, resources };
}

export type Catalog = ReturnType<typeof createCatalog>;

/** The catalog's API under /api/v1. */
export const catalogRoutes: FastifyPluginAsync<{
  db: Kysely<Schema>;
  catalog: Catalog;
  blobs: BlobStore;
  uploadMaxBytes: number;
  roles?: RoleDirectory;
}> = async (app, { db, catalog, blobs, uploadMaxBytes, roles }) => {
  const actorOf = createActorLoader(db, roles);
  const { organizations, datasets, resources } = catalog;
  await app.register(organizationRoutes, { organizations, actorOf });
  await app.register(datasetRoutes, { datasets, actorOf });
  await app.register(resourceRoutes, { datasets, resources, blobs, uploadMaxBytes, actorOf });
  await app.register(vocabularyRoutes, { db, actorOf });
};
