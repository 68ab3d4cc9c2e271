import type { Column } from './columns.js';
import {
  columnParameter,
  errorResponses,
  markdownText,
  operatorHelp,
  pageParameters,
  recordsBodySchema,
  rowSchema,
  shapingParameters,
} from './resource-openapi-parts.js';
import type { CodeSample } from './resource-openapi-snippets.js';
import { reservedParameters } from './request.js';
import { exportFormats } from './schemas.js';

/**
 * The OpenAPI 3.1 document of one resource's data API, written for its very table: one query
 * parameter per column with the column's type, the row schema with a property per column, and
 * examples that are real answers of the records endpoint (see resource-openapi-service.ts), each
 * with the query that produced it in `x-query`, so a reader (or a test) can replay it.
 */
export interface ResourceDocInput {
  publicUrl: string;
  resourceId: string;
  /** The ingest the table came from: the document's version. */
  version: string;
  datasetTitle: Text;
  resourceTitle: Text;
  columns: readonly Column[];
  examples: readonly RecordsExample[];
  /** An example value for each column, from the table's first rows. */
  sampleValues: ReadonlyMap<string, string>;
  samples: readonly CodeSample[];
  sql: string;
}

export interface RecordsExample {
  name: string;
  summary: string;
  /** The GET query string parameters that give `answer`. */
  query: Record<string, string>;
  answer: unknown;
}

type Text = { lo?: string | null; en?: string | null };
type Json = Record<string, unknown>;

const exportTypes: Record<(typeof exportFormats)[number], string> = {
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
  geojson: 'application/geo+json',
};

export function resourceOpenApi(input: ResourceDocInput): Json {
  const base = `/api/v1/resources/${input.resourceId}`;
  const filterable = input.columns.filter((column) => !reservedParameters.has(column.name));
  const columnParameters = filterable.map((column) => columnParameter(column, input.sampleValues));
  const shaping = shapingParameters(input.columns);
  const errors = errorResponses(['400', '401', '404', '408', '422', '429', '503']);
  const title = both(input.resourceTitle) || input.resourceId;
  const dataset = both(input.datasetTitle);
  const samplesOf = (operation: CodeSample['operation']) =>
    input.samples
      .filter((sample) => sample.operation === operation)
      .map(({ lang, label, source }) => ({ lang, label, source }));

  return {
    openapi: '3.1.0',
    info: {
      title: `${title} — data API`,
      'x-title-lo': `${input.resourceTitle.lo || title} — API ຂໍ້ມູນ`,
      version: input.version,
      description: [
        `ການເອີ້ນໃຊ້ຂໍ້ມູນຂອງຕາຕະລາງ «${markdownText(input.resourceTitle.lo || title)}»${dataset ? ` (ຊຸດຂໍ້ມູນ «${markdownText(input.datasetTitle.lo || dataset)}»)` : ''}.`,
        '',
        `The table of «${markdownText(input.resourceTitle.en || title)}»${dataset ? ` in the dataset «${markdownText(input.datasetTitle.en || dataset)}»` : ''}, ` +
          `${input.columns.length} columns. Query it with \`records\`, download it with \`export.{format}\`, ` +
          `or use SQL at \`POST /api/v1/sql\` with the table named \`"${input.resourceId}"\`.`,
        '',
        'Send your key as `Authorization: Bearer YOUR_API_KEY` (or `X-API-Key`); public data can also be read without one.',
      ].join('\n'),
    },
    servers: [{ url: input.publicUrl }],
    security: [{}, { bearerAuth: [] }, { apiKey: [] }],
    paths: {
      [`${base}/records`]: {
        get: {
          operationId: 'getRecords',
          summary: 'Query the table: filters, search, order, pages, groups',
          'x-summary-lo': 'ຄົ້ນຫາ ແລະ ກັ່ນຕອງແຖວຂອງຕາຕະລາງ',
          description:
            'One query parameter per column filters that column: ' +
            operatorHelp +
            (filterable.length < input.columns.length
              ? ` Columns named like a parameter (${input.columns
                  .filter((column) => reservedParameters.has(column.name))
                  .map((column) => markdownText(column.name))
                  .join(', ')}) are filtered with the POST form's \`filters\`.`
              : ''),
          parameters: [...shaping, ...pageParameters(), ...columnParameters],
          responses: {
            '200': {
              description: 'A page of rows (or groups)',
              headers: {
                ETag: { schema: { type: 'string' } },
                'Last-Modified': { schema: { type: 'string' } },
              },
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/Records' },
                  examples: Object.fromEntries(
                    input.examples.map((example) => [
                      example.name,
                      {
                        summary: example.summary,
                        description: `GET ${base}/records?${new URLSearchParams(example.query).toString()}`,
                        value: example.answer,
                        'x-query': example.query,
                      },
                    ]),
                  ),
                },
                'text/csv': { schema: { type: 'string' } },
                'application/xml': { schema: { type: 'string' } },
              },
            },
            '304': { description: 'Not modified since the ETag sent in If-None-Match' },
            ...errors,
          },
          'x-codeSamples': samplesOf('records'),
        },
        post: {
          operationId: 'postRecords',
          summary: 'The same query as a JSON body, for long queries',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/RecordsBody' },
                examples: Object.fromEntries(
                  input.examples.map((example) => [
                    example.name,
                    { summary: example.summary, value: bodyOf(example.query, input.columns) },
                  ]),
                ),
              },
            },
          },
          responses: {
            '200': {
              description: 'A page of rows (or groups); `next` is the cursor to send next',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Records' } } },
            },
            ...errors,
          },
        },
      },
      ...Object.fromEntries(
        exportFormats.map((format) => [
          `${base}/export.${format}`,
          {
            get: {
              operationId: `export${format[0]!.toUpperCase()}${format.slice(1)}`,
              summary: `Download every matching row as ${format.toUpperCase()}`,
              'x-summary-lo': `ດາວໂຫຼດທຸກແຖວເປັນ ${format.toUpperCase()}`,
              description: `No row cap; the same filters as \`records\`. ${operatorHelp}`,
              parameters: [...shaping, ...columnParameters],
              responses: {
                '200': {
                  description: `The rows as ${format.toUpperCase()}, streamed`,
                  content: {
                    [exportTypes[format]]: { schema: { type: 'string', format: 'binary' } },
                  },
                },
                ...errorResponses(['400', '401', '404', '429', '503']),
              },
              ...(format === 'csv' && { 'x-codeSamples': samplesOf('export') }),
            },
          },
        ]),
      ),
      '/api/v1/sql': {
        post: {
          operationId: 'sql',
          summary: 'A read-only SQL SELECT; this table is named by its resource id',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['sql'],
                  properties: {
                    sql: { type: 'string' },
                    limit: { type: 'integer', minimum: 1 },
                    timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
                  },
                },
                example: { sql: input.sql },
              },
            },
          },
          responses: {
            '200': {
              description: 'Typed rows; `truncated` when the row cap cut the answer',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/SqlResult' } },
              },
            },
            ...errors,
          },
          'x-codeSamples': samplesOf('sql'),
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'Your API key as a bearer token',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Row: rowSchema(input.columns, input.sampleValues),
        Field: {
          type: 'object',
          required: ['name', 'type'],
          properties: {
            name: { type: 'string' },
            type: { type: 'string' },
            title: {
              type: 'object',
              properties: { lo: { type: 'string' }, en: { type: 'string' } },
            },
          },
        },
        Records: {
          type: 'object',
          required: ['fields', 'items'],
          properties: {
            fields: { type: 'array', items: { $ref: '#/components/schemas/Field' } },
            items: { type: 'array', items: { $ref: '#/components/schemas/Row' } },
            total: {
              type: 'integer',
              description: 'Every matching row (or group), with `total=true`',
            },
            next: {
              type: 'string',
              description: 'GET: the URL of the next page; POST: its cursor',
            },
            next_offset: {
              type: 'integer',
              description: 'Grouped answers: the offset of the next page',
            },
          },
        },
        RecordsBody: recordsBodySchema(),
        SqlResult: {
          type: 'object',
          required: ['fields', 'items', 'truncated'],
          properties: {
            fields: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  type: { type: 'string' },
                  dbType: { type: 'string' },
                },
              },
            },
            items: { type: 'array', items: { type: 'object' } },
            truncated: { type: 'boolean' },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: {},
                request_id: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}

/** "ລາວ / English", or whichever exists. */
function both(text: Text): string {
  return [text.lo, text.en].filter((part) => part && part.trim() !== '').join(' / ');
}

/** The POST form of a GET query: parameters stay, column filters move into `filters`. */
function bodyOf(query: Record<string, string>, columns: readonly Column[]): Json {
  const names = new Set(columns.map((column) => column.name));
  const body: Json = {};
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (reservedParameters.has(name) || !names.has(name)) {
      body[name] = ['limit', 'offset'].includes(name)
        ? Number(value)
        : name === 'total'
          ? value === 'true'
          : value;
    } else filters[name] = value;
  }
  if (Object.keys(filters).length > 0) body.filters = filters;
  return body;
}
