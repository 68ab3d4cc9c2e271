import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { accountRoutes, createAccounts, type Accounts } from './accounts/index.js';
import { catalogRoutes, createCatalog, type Catalog } from './catalog/index.js';
import type { Config } from './config.js';
import type { CounterStore } from './counters/index.js';
import { loadMigrations, type Database } from './db/index.js';
import { createBlobStore, multipartPlugin, type BlobStore } from './files/index.js';
import { authPlugin, type CookieSettings } from './http/auth.js';
import { installCors } from './http/cors.js';
import { createCsrf } from './http/csrf.js';
import { installErrorHandling, sendFrameworkError } from './http/error-handler.js';
import { installGracefulClose } from './http/graceful-close.js';
import { installAccessLog, loggerOptions } from './http/logging.js';
import { installMetrics } from './http/metrics.js';
import { installNulGuard } from './http/nul-guard.js';
import { installOpenApi } from './http/openapi.js';
import { opsRoutes } from './http/ops-routes.js';
import { requestIdFor } from './http/request-id.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { renderErrorPage, webRoutes } from './web/index.js';
import { createActorLoader, createRoleDirectory } from './catalog/index.js';
import {
  createDatastoreService,
  createServedTables,
  datastoreRoutes,
  ingestOnFileStored,
  startDatastore,
  type DatastoreService,
  type ServedTables,
  type TableStore,
} from './datastore/index.js';
import type { JobQueue } from './jobs/index.js';
import { createDataApi, dataApiRoutes } from './dataapi/index.js';
import { searchRoutes } from './search/index.js';
import { sqlRoutes } from './dataapi/sql-routes.js';
import { resourceOpenApiRoutes } from './dataapi/resource-openapi-routes.js';

/** How often a node looks for replaced tables it still holds (`ServedTables.sweep`). */
const tableSweepIntervalMs = 10 * 60_000;

export interface AppDependencies {
  config: Config;
  /** Owned by the caller, who closes it after the app. */
  database: Database;
  /** Owned by the caller, who closes it after the app. */
  counters: CounterStore;
  now?: () => Date;
  /** Where log lines go; stdout when not given. */
  logStream?: DestinationStream;
}

export interface App {
  http: FastifyInstance;
  accounts: Accounts;
  catalog: Catalog;
  blobs: BlobStore;
  jobs: JobQueue;
  tables: TableStore;
  datastore: DatastoreService;
  /** The typed table behind each resource, for the data API. */
  servedTables: ServedTables;
}

/** Builds the whole HTTP application; used by `khomoun serve` and by tests through `inject`. */
export async function buildApp({
  config,
  database,
  counters,
  now,
  logStream,
}: AppDependencies): Promise<App> {
  const http = Fastify({
    logger: { ...loggerOptions(config.logLevel), ...(logStream && { stream: logStream }) },
    genReqId: requestIdFor,
    // installAccessLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // A search may be 10,000 characters long: in Lao script that is 90 KB of percent-encoded URL,
    // past Node's default of 16 KB for a request's head, which refused it (431) with no body
    // before any validation could name the limit.
    http: { maxHeaderSize: 128 * 1024 },
    // A URL that does not decode (`/datasets/%FF`) fails before routing: it too gets the uniform
    // error body.
    frameworkErrors: sendFrameworkError,
    // Typed query values ("true", "10") are coerced by the schema; extra fields are refused.
    // allowUnionTypes: a type array (an integer or a string) is coerced to neither, as a union is.
    ajv: {
      customOptions: {
        coerceTypes: 'array',
        removeAdditional: false,
        allErrors: false,
        allowUnionTypes: true,
      },
    },
  });
  http.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  installAccessLog(http);
  installGracefulClose(http);

  const accounts = createAccounts({
    db: database.db,
    counters,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
    tokenCacheSeconds: config.tokenCacheSeconds,
    ...(now && { now }),
  });
  http.addHook('onClose', async () => {
    await accounts.close();
  });

  const cookies: CookieSettings = {
    secure: config.cookieSecure,
    maxAgeSeconds: config.sessionMaxAgeSeconds,
  };
  const csrf = createCsrf(config.sessionSecret, config.cookieSecure);

  installErrorHandling(http, renderErrorPage);
  installSecurityHeaders(http);
  installNulGuard(http);
  await installCors(http);
  await http.register(cookie);
  await http.register(formbody, { bodyLimit: config.bodyLimitBytes });
  installMetrics(http, {
    connectionStats: () => database.connectionStats(),
    metricsToken: config.metricsToken,
  });
  await installOpenApi(http, config.publicUrl);
  await http.register(authPlugin, { accounts, cookies });
  await http.register(csrf.plugin);

  const latestMigration = (await loadMigrations()).length;
  await http.register(opsRoutes, { database, latestMigration });
  await http.register(accountRoutes, { prefix: '/api/v1', accounts });
  // Owned by the app: uploads in flight finish before it closes.
  const blobs = await createBlobStore(config);
  http.addHook('onClose', async () => {
    await blobs.close();
  });
  const clock = now ?? (() => new Date());
  const {
    jobs,
    tables,
    stop: stopDatastore,
  } = await startDatastore({
    config,
    database,
    blobs,
    workers: config.ingestWorkers,
    serves: true,
    log: http.log,
    now: clock,
  });
  http.addHook('onClose', stopDatastore);
  const catalog = createCatalog(database.db, blobs, now, {
    fileStored: ingestOnFileStored(jobs),
  });
  const datastore = createDatastoreService({ db: database.db, catalog, jobs, tables, now: clock });
  const servedTables = createServedTables({ db: database.db, tables, blobs });
  // Replaced tables this node loaded but no drop job reached (another node took it) go when idle.
  const sweeper = setInterval(() => {
    servedTables
      .sweep()
      .then((dropped) => {
        if (dropped.length > 0)
          http.log.info({ dropped }, 'dropped idle tables no resource serves');
      })
      .catch((error: unknown) => http.log.warn({ err: error }, 'sweeping idle tables failed'));
  }, tableSweepIntervalMs);
  sweeper.unref();
  http.addHook('onClose', async () => clearInterval(sweeper));
  const roles = createRoleDirectory(database.db);
  // Lookups are remembered only while the database reports their changes (migration 0009).
  await Promise.all([servedTables.followChanges(database), roles.followChanges(database)]).catch(
    (error: unknown) => {
      http.log.warn({ err: error }, 'not following catalog changes: every lookup reads it');
    },
  );
  await http.register(multipartPlugin);
  await http.register(catalogRoutes, {
    prefix: '/api/v1',
    db: database.db,
    catalog,
    blobs,
    uploadMaxBytes: config.uploadMaxBytes,
    roles,
  });
  await http.register(datastoreRoutes, {
    prefix: '/api/v1',
    datastore,
    actorOf: createActorLoader(database.db, roles),
  });
  await http.register(resourceOpenApiRoutes, {
    prefix: '/api/v1',
    catalog,
    servedTables,
    actorOf: createActorLoader(database.db, roles),
    publicUrl: config.publicUrl,
  });
  await http.register(sqlRoutes, {
    prefix: '/api/v1',
    db: database.db,
    servedTables,
    tables,
    blobs,
    actorOf: createActorLoader(database.db, roles),
  });
  await http.register(searchRoutes, {
    prefix: '/api/v1',
    db: database.db,
    withSettings: database.withSettings,
  });
  await http.register(dataApiRoutes, {
    prefix: '/api/v1',
    dataApi: createDataApi({
      servedTables,
      catalog,
      exportDirectory: join(tables.directory, 'exports'),
    }),
    actorOf: createActorLoader(database.db, roles),
    publicUrl: config.publicUrl,
  });
  await http.register(webRoutes, { accounts, csrf, cookies });

  return { http, accounts, catalog, blobs, jobs, tables, datastore, servedTables };
}
