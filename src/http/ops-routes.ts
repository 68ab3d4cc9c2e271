import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { isMigrated, type Database } from '../db/index.js';

const Status = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/** Liveness and readiness for load balancers and orchestrators. */
export const opsRoutes: FastifyPluginAsync<{
  database: Database;
  latestMigration: number;
}> = async (app, { database, latestMigration }) => {
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: Status } }, config: { skipAuth: true } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { hide: true, response: { 200: Status, 503: Status } }, config: { skipAuth: true } },
    async (request, reply) => {
      let database_: string;
      try {
        database_ = (await isMigrated(database, latestMigration)) ? 'ok' : 'migrations pending';
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        database_ = 'unreachable';
      }
      const ready = database_ === 'ok';
      reply.status(ready ? 200 : 503).header('cache-control', 'no-store');
      return { status: ready ? 'ready' : 'not ready', checks: { database: database_ } };
    },
  );
};
