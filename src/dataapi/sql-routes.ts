import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { ActorLoader } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { ServedTables, TableStore } from '../datastore/index.js';
import type { BlobStore } from '../files/index.js';
import { ErrorSchema } from '../http/schemas.js';
import { createSqlSandbox, defaultSandboxLimits, type SandboxLimits } from './sql-sandbox.js';
import { createSqlService } from './sql-service.js';

const tags = ['data'];

const SqlBody = Type.Object(
  {
    sql: Type.String({
      minLength: 1,
      maxLength: 100_000,
      description:
        'One read-only SELECT. Name a table by its resource id in double quotes: ' +
        '`select province, sum(population) from "0b9d…-resource-uuid" group by 1`. ' +
        'Each table has the columns of its Table Schema plus `_row`, the row number in the file.',
    }),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: defaultSandboxLimits.maxRows,
        description: `Most rows to return (default and maximum ${defaultSandboxLimits.maxRows}); more rows, or rows past 16 MiB of JSON, are cut and \`truncated\` is true`,
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: defaultSandboxLimits.timeLimitMs / 1000,
        description: `Stop the query sooner than the server's limit of ${defaultSandboxLimits.timeLimitMs / 1000} s`,
      }),
    ),
  },
  { additionalProperties: false },
);

const SqlResult = Type.Object(
  {
    fields: Type.Array(
      Type.Object({
        name: Type.String(),
        type: Type.String({
          description:
            'integer, number, boolean, string, date, datetime, time, duration, array, object or any',
        }),
        dbType: Type.String({ description: "DuckDB's type of the column" }),
      }),
    ),
    items: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
      description:
        'Rows as objects: numbers as numbers, integers beyond 2^53 as strings, dates ISO 8601',
    }),
    truncated: Type.Boolean({
      description: 'Whether rows past the row cap (or 16 MiB of JSON) were left out',
    }),
  },
  { title: 'SqlResult' },
);

/**
 * `POST /api/v1/sql`: a read-only SELECT over the tables of resources the caller may read, in a
 * locked-down DuckDB (sql-sandbox.ts explains how, and why).
 */
export const sqlRoutes: FastifyPluginAsync<{
  db: Kysely<Schema>;
  servedTables: ServedTables;
  tables: TableStore;
  blobs: BlobStore;
  actorOf: ActorLoader;
  limits?: Partial<SandboxLimits>;
}> = async (base, { db, servedTables, tables, blobs, actorOf, limits }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const sandbox = createSqlSandbox({ ...defaultSandboxLimits, ...limits });
  app.addHook('onClose', async () => sandbox.close());
  const sql = createSqlService({ db, servedTables, tables, blobs, sandbox });

  app.post(
    '/sql',
    {
      schema: {
        tags,
        summary: 'Run a read-only SQL SELECT over resource tables',
        description:
          'Tables are addressed by resource id as a quoted identifier, e.g. ' +
          '`select * from "<resource-id>" limit 10`; joins and CTEs across several resources ' +
          'are fine. Only one SELECT is accepted: no table functions (read_csv, glob…), no ' +
          'settings, PRAGMA, ATTACH, COPY, INSTALL/LOAD, DDL or DML. The query runs without ' +
          'file or network access, with a memory limit (422 `QUERY_TOO_LARGE` past it) and a ' +
          'time limit (408 `QUERY_TIMEOUT`); answers past the row cap are cut and flagged ' +
          '`truncated`. A resource the caller may not read answers 404 as if it did not exist.',
        body: SqlBody,
        response: {
          200: SqlResult,
          400: ErrorSchema,
          403: ErrorSchema,
          404: ErrorSchema,
          408: ErrorSchema,
          422: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (request) =>
      sql.run(await actorOf(request), {
        sql: request.body.sql,
        ...(request.body.limit !== undefined && { limit: request.body.limit }),
        ...(request.body.timeoutSeconds !== undefined && {
          timeoutSeconds: request.body.timeoutSeconds,
        }),
      }),
  );
};
