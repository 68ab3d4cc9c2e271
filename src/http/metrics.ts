import type {} from '@fastify/swagger';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ConnectionStats } from '../db/index.js';
import { Unauthenticated } from '../lib/errors.js';

/**
 * Prometheus metrics on a registry of this app's own (two apps in one test process must not
 * share counters): request durations per route and status, event-loop lag and the rest of
 * Node's defaults, and the database connections.
 */
export function installMetrics(
  app: FastifyInstance,
  options: { connectionStats: () => ConnectionStats; metricsToken: string | undefined },
): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'khomoun_db_connections',
    help: 'Catalog database connections by state (PGlite has exactly one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = options.connectionStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so that ids do not explode the number of series.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get(
    '/metrics',
    { schema: { hide: true }, config: { skipAuth: true } },
    async (request, reply) => {
      if (options.metricsToken !== undefined)
        checkMetricsToken(request.headers.authorization, options.metricsToken);
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}

function checkMetricsToken(header: string | undefined, expected: string): void {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new Unauthenticated('Metrics need the METRICS_TOKEN as a Bearer token');
  }
}
