import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * Cross-origin reads of the API: an app on another site calls it from the browser with its own
 * API key (`Authorization: Bearer`), as DATA.GO.KR's keys are used. Any origin, never with
 * cookies: a browser session stays on this site, and its forms keep their CSRF tokens. Pages,
 * the metrics and everything outside /api/ answer no other origin.
 */
const apiCors: FastifyCorsOptions = {
  origin: '*',
  credentials: false,
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Range'],
  exposedHeaders: [
    'ETag',
    'Link',
    'Location',
    'Content-Disposition',
    'Content-Range',
    'Accept-Ranges',
    'Retry-After',
    'X-Request-Id',
  ],
  // A day: browsers cap it lower anyway (Chromium at two hours).
  maxAge: 86_400,
};

export async function installCors(app: FastifyInstance): Promise<void> {
  await app.register(cors, {
    delegator: (request, callback) =>
      callback(null, request.url.startsWith('/api/') ? apiCors : { origin: false }),
  });
}
