import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ActorLoader } from '../catalog/index.js';
import {
  commonErrors,
  ErrorSchema,
  NullableString,
  signedIn,
  StringEnum,
} from '../http/schemas.js';
import { NotFound } from '../lib/errors.js';
import { maxEnumValues } from './constraints.js';
import { reportCodes } from './report.js';
import type { DatastoreService, FieldEdit, RerunRequest } from './service.js';
import { columnTypes } from './types/index.js';

const tags = ['datastore'];
const ResourceIdParams = Type.Object({ id: Type.String({ maxLength: 36 }) });
const NullableNumber = Type.Unsafe<number | null>({ type: ['number', 'null'] });

/**
 * A column's name as requests give it: as long as the ingest may make one from a header (a long
 * Lao label), the same wherever a name is given. Compared in NFC.
 */
const columnNameLength = { minLength: 1, maxLength: 1000 };
const ColumnName = Type.String(columnNameLength);

/**
 * An object or null, as one type array: a union's first branch (null) would be the error a
 * client sees for any mistake inside the object. Unknown keys are refused each at its own path,
 * so the error names the key (`constraints.minimun`), which `additionalProperties: false` does not.
 */
const ObjectOrNull = <T>(
  properties: Record<string, unknown>,
  options: Record<string, unknown> = {},
) =>
  Type.Unsafe<T | null>({
    type: ['object', 'null'],
    properties,
    additionalProperties: { not: {} },
    ...options,
  });

const IngestStatusSchema = Type.Object(
  {
    id: Type.String(),
    state: StringEnum(['queued', 'running', 'done', 'failed'] as const),
    attempts: Type.Integer(),
    rows: Type.Integer({ description: 'Rows read so far (all of them once done)' }),
    bytes: Type.Integer({ description: 'Bytes of the file read so far' }),
    bytesTotal: NullableNumber,
    rowsPerSecond: NullableNumber,
    queuedAt: Type.String({ format: 'date-time' }),
    startedAt: NullableString({ format: 'date-time' }),
    finishedAt: NullableString({ format: 'date-time' }),
    error: NullableString(),
    serving: Type.Boolean({ description: "Whether the data API serves this ingest's table now" }),
    options: Type.Unknown({
      description:
        'The sheet, encoding, column layout and forced types the file is read with; titles, descriptions and constraints are in the schema',
    }),
    errorTotals: Type.Unknown({ description: 'Problems found in the file, counted per code' }),
  },
  { title: 'IngestStatus' },
);

const ReportSchema = Type.Object(
  {
    valid: Type.Boolean(),
    stats: Type.Object({ rows: Type.Integer(), fields: Type.Integer(), errors: Type.Integer() }),
    totals: Type.Record(Type.String(), Type.Integer()),
    errors: Type.Array(
      Type.Object({
        code: StringEnum(reportCodes),
        rowNumber: Type.Optional(Type.Integer()),
        fieldNumber: Type.Optional(Type.Integer()),
        fieldName: Type.Optional(Type.String()),
        cell: Type.Optional(Type.String()),
        message: Type.String(),
      }),
    ),
    decisions: Type.Array(
      Type.Object({
        topic: Type.String(),
        value: Type.String(),
        reason: Type.String(),
        fieldName: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'ValidationReport' },
);

const TableSchemaSchema = Type.Object(
  {
    fields: Type.Array(
      Type.Object({
        name: Type.String(),
        title: Type.Object({ lo: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
        description: Type.Optional(
          Type.Object({ lo: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
        ),
        type: Type.String(),
        format: Type.String({
          description:
            'default, any, or for dates a strptime pattern such as %d/%m/%Y: how the file writes the values',
        }),
        decimalChar: Type.Optional(
          Type.Literal(',', { description: 'numbers use a decimal comma' }),
        ),
        bareNumber: Type.Optional(Type.Literal(false, { description: 'numbers carry a % sign' })),
        constraints: Type.Optional(Type.Unknown()),
      }),
    ),
    missingValues: Type.Array(Type.String()),
  },
  {
    title: 'TableSchema',
    description: 'A Frictionless Table Schema with titles in Lao and English',
  },
);

const TypeOverrideFields = {
  type: StringEnum(columnTypes),
  format: Type.Optional(StringEnum(['decimal-dot', 'decimal-comma', 'dmy', 'mdy'] as const)),
};

const RerunBody = Type.Object(
  {
    // One type array, not a union: with coercion on, a union's integer branch turned the sheet
    // named "1" into sheet number 1, and its string branch stored -1 as the name "-1".
    sheet: Type.Optional(
      Type.Unsafe<number | string>({
        type: ['integer', 'string'],
        minimum: 0,
        maximum: 1000,
        minLength: 1,
        maxLength: 200,
        description: 'A number chooses a sheet by position (from 0), a string by name',
      }),
    ),
    encoding: Type.Optional(Type.String({ maxLength: 40, pattern: '^[A-Za-z0-9_.:-]+$' })),
    fixedWidth: Type.Optional(
      Type.Object(
        {
          fields: Type.Array(
            Type.Object(
              {
                name: ColumnName,
                start: Type.Integer({ minimum: 1, maximum: 100_000 }),
                width: Type.Integer({ minimum: 1, maximum: 100_000 }),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 2000 },
          ),
          skipLines: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
        },
        {
          additionalProperties: false,
          description: 'Column layout of a fixed-width text file (1-based start, width)',
        },
      ),
    ),
    types: Type.Optional(
      Type.Unsafe<Record<string, { type: (typeof columnTypes)[number]; format?: string } | null>>({
        type: 'object',
        propertyNames: columnNameLength,
        additionalProperties: ObjectOrNull(TypeOverrideFields, { required: ['type'] }),
        description:
          'Column name → forced type; null goes back to the detected type. Columns not named keep their previous override.',
      }),
    ),
  },
  { additionalProperties: false },
);

const TextEdit = Type.Object(
  {
    lo: Type.Optional(Type.String({ maxLength: 2000 })),
    en: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

/** A bound: a number, or an ISO 8601 date, date-time or time for such a column. */
const Bound = Type.Unsafe<number | string>({ type: ['number', 'string'], maxLength: 40 });

const ConstraintsSchema = ObjectOrNull(
  {
    required: Type.Optional(Type.Boolean()),
    unique: Type.Optional(Type.Boolean()),
    minimum: Type.Optional(Bound),
    maximum: Type.Optional(Bound),
    minLength: Type.Optional(Type.Integer({ minimum: 0 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 0 })),
    pattern: Type.Optional(Type.String({ maxLength: 500 })),
    enum: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: maxEnumValues })),
  },
  { description: 'Frictionless constraints; null removes them' },
);

const SchemaEditBody = Type.Object(
  {
    fields: Type.Array(
      Type.Object(
        {
          name: ColumnName,
          title: Type.Optional(TextEdit),
          description: Type.Optional(TextEdit),
          type: Type.Optional(StringEnum(columnTypes)),
          format: Type.Optional(
            StringEnum(['decimal-dot', 'decimal-comma', 'dmy', 'mdy'] as const),
          ),
          constraints: Type.Optional(ConstraintsSchema),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

/** Ingest progress, validation reports and table schemas of resources, under /api/v1. */
export const datastoreRoutes: FastifyPluginAsync<{
  datastore: DatastoreService;
  actorOf: ActorLoader;
}> = async (base, { datastore, actorOf }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/resources/:id/ingest',
    {
      schema: {
        tags,
        summary: "Progress of reading the resource's file into a table",
        params: ResourceIdParams,
        response: { 200: IngestStatusSchema, 404: ErrorSchema },
      },
    },
    async (request) => datastore.status(await actorOf(request), request.params.id),
  );

  app.post(
    '/resources/:id/ingest',
    {
      schema: {
        tags,
        summary: 'Read the file again, choosing the sheet, the encoding or column types',
        security: signedIn,
        params: ResourceIdParams,
        body: RerunBody,
        response: { 202: IngestStatusSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const status = await datastore.rerun(
        await actorOf(request),
        request.params.id,
        request.body as RerunRequest,
      );
      reply.status(202);
      return status;
    },
  );

  app.get(
    '/resources/:id/ingest/report',
    {
      schema: {
        tags,
        summary: 'The validation report of the newest ingest (Frictionless error codes)',
        params: ResourceIdParams,
        response: { 200: ReportSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const report = await datastore.report(await actorOf(request), request.params.id);
      if (!report) throw new NotFound('Report');
      return report;
    },
  );

  app.get(
    '/resources/:id/schema',
    {
      schema: {
        tags,
        summary: "The resource table's columns as a Table Schema",
        params: ResourceIdParams,
        response: { 200: TableSchemaSchema, 404: ErrorSchema },
      },
    },
    async (request) => datastore.tableSchema(await actorOf(request), request.params.id),
  );

  app.patch(
    '/resources/:id/schema',
    {
      schema: {
        tags,
        summary: "Edit the table's columns: titles and descriptions, types, constraints",
        description:
          'Titles and descriptions change at once. A new type or new constraints read the file again: the answer carries the queued ingest, and the current table serves until it succeeds. Constraint breaches are reported as constraint-error; the data is kept as it is.',
        security: signedIn,
        params: ResourceIdParams,
        body: SchemaEditBody,
        response: {
          200: Type.Object({
            schema: TableSchemaSchema,
            ingest: Type.Union([Type.Null(), IngestStatusSchema]),
          }),
          ...commonErrors,
          409: ErrorSchema,
        },
      },
    },
    async (request) =>
      datastore.editSchema(
        await actorOf(request),
        request.params.id,
        (request.body as { fields: FieldEdit[] }).fields,
      ),
  );
};
