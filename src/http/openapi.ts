import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/**
 * The OpenAPI 3.1 document is generated from the routes' TypeBox schemas (the single source of
 * validation and docs) and served at /api/v1/openapi.json, with a browsable UI at /api/docs.
 */
export async function installOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Khomoun API',
        description:
          'Open government data of Lao PDR (ຂໍ້ມູນ). Authenticate with an API token as ' +
          '`Authorization: Bearer <token>` or `X-API-Key: <token>`. Errors always have the shape ' +
          '`{"error": {"code", "message", "details", "request_id"}}`.',
        version: '1',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          session: { type: 'apiKey', in: 'cookie', name: 'khomoun_session' },
        },
      },
    },
  });
  // `?url=/api/v1/resources/<id>/openapi.json` opens a resource's own document (the CSP keeps
  // the UI to this origin's documents). The plugin passes `queryConfigEnabled` on to Swagger UI
  // but its types lack it, hence the variable.
  const uiConfig = { url: '/api/v1/openapi.json', deepLinking: true, queryConfigEnabled: true };
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig,
    staticCSP: true,
  });
  app.get(
    '/api/v1/openapi.json',
    { schema: { hide: true }, config: { skipAuth: true } },
    async () => app.swagger(),
  );
}
