import { finished } from 'node:stream/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ActorLoader } from '../catalog/index.js';
import { attachmentDisposition } from '../files/index.js';
import { commonErrors, ErrorSchema } from '../http/schemas.js';
import { cacheControlFor, type Conditional, type Validators } from './caching.js';
import type { NextPage } from './records.js';
import { exportFromQuery, recordsFromBody, recordsFromQuery } from './request.js';
import {
  ExportParams,
  ExportQuery,
  RecordsAnswer,
  RecordsBody,
  RecordsParams,
  RecordsQuery,
} from './schemas.js';
import type { DataApi } from './service.js';

const tags = ['data'];
const errors = { ...commonErrors, 408: ErrorSchema, 422: ErrorSchema };
const cachedAnswer = {
  200: RecordsAnswer,
  304: { type: 'null', description: 'Not modified' },
  ...errors,
};

/** `/api/v1/resources/{id}/records` and `/export.{format}`: the typed table of a resource, queried. */
export const dataApiRoutes: FastifyPluginAsync<{
  dataApi: DataApi;
  actorOf: ActorLoader;
  /** The public base URL, for `next` links. */
  publicUrl: string;
}> = async (base, { dataApi, actorOf, publicUrl }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/resources/:id/records',
    {
      schema: {
        tags,
        summary: "Query the resource's table: filters, search, order, pages, groups",
        description:
          'Filters go in parameters named after columns. `next` is the URL of the following page (a keyset cursor: no row is skipped or repeated). DATA.GO.KR names (pageNo, numOfRows, serviceKey, type) work too.',
        params: RecordsParams,
        querystring: RecordsQuery,
        response: cachedAnswer,
      },
    },
    async (request, reply) => {
      const query = recordsFromQuery(request.query);
      const result = await dataApi.records(await actorOf(request), request.params.id, query, {
        conditional: conditionalOf(request),
        cacheKey: request.url,
        nextLink: (next) => nextUrl(publicUrl, request.url, next),
      });
      setValidators(request, reply, result.validators);
      if (result.notModified) return reply.code(304).send();
      return reply.type(result.answer.contentType).send(result.answer.body);
    },
  );

  app.post(
    '/resources/:id/records',
    {
      schema: {
        tags,
        summary: 'The same query as a JSON body, for long filter lists',
        description:
          '`next` is the cursor to send in the next body (grouped answers give `next_offset`).',
        params: RecordsParams,
        body: RecordsBody,
        response: cachedAnswer,
      },
    },
    async (request, reply) => {
      const query = recordsFromBody(request.body);
      const result = await dataApi.records(await actorOf(request), request.params.id, query, {
        conditional: conditionalOf(request),
        cacheKey: null,
        nextLink: (next) => ('cursor' in next ? next.cursor : next.offset),
      });
      setValidators(request, reply, result.validators);
      if (result.notModified) return reply.code(304).send();
      return reply.type(result.answer.contentType).send(result.answer.body);
    },
  );

  app.get(
    '/resources/:id/export.:format',
    {
      schema: {
        tags,
        summary: 'Every matching row as one file: csv, json, ndjson, xlsx, parquet or geojson',
        description:
          'Takes the filters, `q`, `select`, `order`, `group_by` and `agg` of /records; no row cap. geojson needs a `geometry` column (tables read from GeoJSON have one).',
        params: ExportParams,
        querystring: ExportQuery,
        response: {
          200: { description: 'The file', type: 'string' },
          304: { type: 'null' },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      await dataApi.export(
        await actorOf(request),
        request.params.id,
        request.params.format,
        exportFromQuery(request.query),
        conditionalOf(request),
        async ({ validators, fileName }, answer) => {
          setValidators(request, reply, validators);
          // The file is a stream, which the typed reply (JSON schemas per status) does not model.
          const raw = reply as FastifyReply;
          if (!answer) {
            await raw.code(304).send();
            return;
          }
          reply.header('content-disposition', attachmentDisposition(fileName));
          reply.type(answer.contentType);
          if (answer.contentLength !== undefined)
            reply.header('content-length', answer.contentLength);
          void raw.send(answer.body);
          // The DuckDB connection stays with this export until the last byte is out.
          await finished(reply.raw).catch(() => undefined);
        },
      );
      return reply;
    },
  );
};

function conditionalOf(request: FastifyRequest): Conditional {
  const { 'if-none-match': ifNoneMatch, 'if-modified-since': ifModifiedSince } = request.headers;
  return {
    ...(ifNoneMatch !== undefined && { ifNoneMatch }),
    ...(ifModifiedSince !== undefined && { ifModifiedSince }),
  };
}

function setValidators(request: FastifyRequest, reply: FastifyReply, validators: Validators): void {
  reply.header('etag', validators.etag);
  reply.header('last-modified', validators.lastModified);
  reply.header('cache-control', cacheControlFor(request.auth !== null));
  reply.header('vary', 'Authorization, X-API-Key, Cookie');
}

/** The request's own URL with the page moved on: a cursor, or the next offset (or pageNo). */
export function nextUrl(publicUrl: string, requestUrl: string, next: NextPage): string {
  const url = new URL(requestUrl, `${publicUrl}/`);
  const params = url.searchParams;
  if ('cursor' in next) {
    params.delete('offset');
    params.delete('pageNo');
    params.set('cursor', next.cursor);
  } else if (params.has('pageNo')) {
    params.set('pageNo', String(Number(params.get('pageNo')) + 1));
  } else params.set('offset', String(next.offset));
  return `${publicUrl}${url.pathname}${url.search}`;
}
