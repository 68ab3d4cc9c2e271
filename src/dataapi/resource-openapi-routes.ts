import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ActorLoader, Catalog } from '../catalog/index.js';
import type { ServedTables } from '../datastore/index.js';
import { ErrorSchema, StringEnum } from '../http/schemas.js';
import { createResourceDocs } from './resource-openapi-service.js';
import { apiKeyPlaceholder } from './resource-openapi-snippets.js';

const tags = ['data'];
const Params = Type.Object({ id: Type.String({ maxLength: 36 }) });

const CodeSampleSchema = Type.Object({
  operation: StringEnum(['records', 'export', 'sql'] as const),
  lang: Type.String({ description: 'Shell, JavaScript or Python' }),
  label: Type.String({ description: 'curl, fetch or requests' }),
  source: Type.String(),
});

/**
 * The documentation of each resource's own data API: `GET /resources/{id}/openapi.json`
 * (OpenAPI 3.1, with real examples and code samples), `GET /resources/{id}/snippets` (the code
 * samples alone), and `GET /resources/{id}/docs`, which opens the document in the API explorer
 * at /api/docs (Swagger UI's `?url=`).
 */
export const resourceOpenApiRoutes: FastifyPluginAsync<{
  catalog: Catalog;
  servedTables: ServedTables;
  actorOf: ActorLoader;
  publicUrl: string;
}> = async (base, { catalog, servedTables, actorOf, publicUrl }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const docs = createResourceDocs({ catalog, servedTables, publicUrl });

  app.get(
    '/resources/:id/openapi.json',
    {
      schema: {
        tags,
        summary: "The OpenAPI 3.1 document of this resource's data API",
        description:
          'Generated from the table schema: a query parameter per column, the row schema, ' +
          'examples that are real answers for the first rows, and code samples ' +
          `(\`x-codeSamples\`) with the placeholder \`${apiKeyPlaceholder}\`. Open it in the ` +
          'explorer with `/api/docs/?url=/api/v1/resources/{id}/openapi.json`.',
        params: Params,
        response: {
          200: Type.Object({}, { additionalProperties: true, title: 'OpenApiDocument' }),
          404: ErrorSchema,
        },
      },
    },
    async (request) => docs.document(await actorOf(request), request.params.id),
  );

  app.get(
    '/resources/:id/snippets',
    {
      schema: {
        tags,
        summary: 'Ready-to-copy calls of this resource (curl, JavaScript fetch, Python requests)',
        params: Params,
        response: {
          200: Type.Object({
            placeholder: Type.String({ description: 'Replace it with your API key' }),
            items: Type.Array(CodeSampleSchema),
          }),
          404: ErrorSchema,
        },
      },
    },
    async (request) => ({
      placeholder: apiKeyPlaceholder,
      items: await docs.snippets(await actorOf(request), request.params.id),
    }),
  );

  app.get(
    '/resources/:id/docs',
    {
      schema: {
        tags,
        summary: "Open this resource's document in the API explorer",
        params: Params,
        response: { 302: Type.Null(), 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      // Checked first, so the explorer is not sent to a document the caller cannot read.
      await servedTables.find(await actorOf(request), request.params.id);
      const document = `/api/v1/resources/${request.params.id}/openapi.json`;
      return reply.redirect(`/api/docs/?url=${encodeURIComponent(document)}`, 302);
    },
  );
};
