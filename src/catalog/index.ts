import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { createActorLoader } from './actor.js';
import { datasetRoutes } from './datasets/routes.js';
import { createDatasetService } from './datasets/service.js';
import { organizationRoutes } from './organizations/routes.js';
import { createOrganizationService } from './organizations/service.js';
import { vocabularyRoutes } from './vocabularies/routes.js';

export { loadActor, createActorLoader, type ActorLoader } from './actor.js';
export { can, authorize, authorizeHidden, anonymous, type Actor } from './policy.js';
export { createOrganizationService, type OrganizationService } from './organizations/service.js';
export { createDatasetService, type DatasetService } from './datasets/service.js';

/** The catalog's API under /api/v1. */
export const catalogRoutes: FastifyPluginAsync<{ db: Kysely<Schema> }> = async (app, { db }) => {
  const actorOf = createActorLoader(db);
  const organizations = createOrganizationService(db);
  const datasets = createDatasetService(db, organizations);
  await app.register(organizationRoutes, { organizations, actorOf });
  await app.register(datasetRoutes, { datasets, actorOf });
  await app.register(vocabularyRoutes, { db, actorOf });
};
