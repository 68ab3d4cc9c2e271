import type { Column } from './columns.js';

// The pieces of a resource's OpenAPI document (resource-openapi.ts) that follow from its columns
// and from the records endpoint's parameters (request.ts, values.ts): parameters, schemas, answers.

type Json = Record<string, unknown>;

export const operatorHelp =
  '`eq:v` (or just `v`), `neq:v`, `lt:v`, `lte:v`, `gt:v`, `gte:v`, `in:a,b` (a comma inside a value is `\\,`), ' +
  '`like:pat*` (text only; `*` is any text, case ignored), `null`, `notnull`. Repeat the parameter to combine filters (AND).';

/** The JSON Schema of a column's values in answers (render-sql.ts decides them). */
/**
 * Publisher text (titles, column names) as it goes into a Markdown `description`: API explorers
 * render Markdown with its HTML, so a column named `<img onerror=…>` would be markup there.
 */
export function markdownText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function valueSchema(column: Column): Json {
  switch (column.type) {
    case 'integer':
      return column.safeInteger
        ? { type: ['integer', 'null'] }
        : {
            type: ['integer', 'string', 'null'],
            description: 'Beyond ±2^53 the value is a string, so no digit is lost',
          };
    case 'number':
      return { type: ['number', 'null'] };
    case 'boolean':
      return { type: ['boolean', 'null'] };
    case 'date':
      return { type: ['string', 'null'], format: 'date' };
    case 'datetime':
      return /WITH TIME ZONE/.test(column.duckType)
        ? { type: ['string', 'null'], format: 'date-time' }
        : {
            type: ['string', 'null'],
            description: 'ISO 8601 local date and time, e.g. 2024-01-31T08:00:00',
          };
    case 'time':
      return { type: ['string', 'null'], description: 'HH:MM:SS' };
    case 'string':
      return { type: ['string', 'null'] };
    default:
      return {};
  }
}

export function rowSchema(columns: readonly Column[], samples: ReadonlyMap<string, string>): Json {
  return {
    type: 'object',
    description:
      'One row; an answer holds the selected columns (or the groups and their aggregates)',
    properties: Object.fromEntries(
      columns.map((column) => {
        const value = valueSchema(column);
        const described = markdownText(
          [column.title?.lo, column.title?.en].filter(Boolean).join(' / '),
        );
        return [
          column.name,
          {
            ...value,
            title: column.title?.en || column.title?.lo || column.name,
            ...(column.title?.lo && { 'x-title-lo': column.title.lo }),
            ...(described && !value.description && { description: described }),
            ...(samples.has(column.name) && {
              examples: [sampleAsJson(column, samples.get(column.name)!)],
            }),
          },
        ];
      }),
    ),
  };
}

function sampleAsJson(column: Column, text: string): unknown {
  if (
    (column.type === 'integer' || column.type === 'number') &&
    Number.isSafeInteger(Math.trunc(Number(text)))
  )
    return Number(text);
  if (column.type === 'boolean') return text === 'true';
  return text;
}

export function columnParameter(column: Column, samples: ReadonlyMap<string, string>): Json {
  const title = markdownText([column.title?.lo, column.title?.en].filter(Boolean).join(' / '));
  const sample = samples.get(column.name);
  return {
    name: column.name,
    in: 'query',
    required: false,
    description: `${title ? `${title}. ` : ''}Filter on this ${column.type} column (DuckDB ${column.duckType}): ${operatorHelp}`,
    ...(column.title?.lo && { 'x-title-lo': column.title.lo }),
    schema: filterSchema(column),
    ...(sample !== undefined && { example: `eq:${sample}` }),
  };
}

/** Values the records endpoint accepts for a column of each type (src/dataapi/values.ts). */
const valuePatterns: Partial<Record<Column['type'], string>> = {
  integer: '[+-]?\\d{1,38}',
  number: '[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,3})?',
  boolean: '(true|false|True|False|TRUE|FALSE|1|0|yes|no)',
  date: '\\d{4}-\\d{2}-\\d{2}',
  datetime:
    '\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?)?',
  time: '\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?',
};

/** A filter of a column as a JSON Schema: `op:value` with the value written as the column's type. */
function filterSchema(column: Column): Json {
  const value = valuePatterns[column.type];
  return {
    type: 'string',
    'x-column-type': column.type,
    ...(value && {
      pattern: `^(((eq|neq|lt|lte|gt|gte):)?${value}|in:${value}(,${value})*|null|notnull)$`,
    }),
  };
}

export function shapingParameters(columns: readonly Column[]): Json[] {
  const names = markdownText(columns.map((column) => column.name).join(', '));
  return [
    {
      name: 'select',
      in: 'query',
      schema: { type: 'string' },
      description: `Columns to return, comma-separated: ${names}`,
    },
    {
      name: 'q',
      in: 'query',
      schema: { type: 'string', maxLength: 500 },
      description:
        'Words that must all appear in some text column of a row; Lao spellings are folded',
    },
    {
      name: 'order',
      in: 'query',
      schema: { type: 'string' },
      description:
        'Sort columns, comma-separated; `-name` or `name:desc` sorts descending. Ties keep the file order',
    },
    {
      name: 'group_by',
      in: 'query',
      schema: { type: 'string' },
      description: 'Columns to group by, comma-separated',
    },
    {
      name: 'agg',
      in: 'query',
      schema: { type: 'string' },
      description:
        'Aggregates, comma-separated: `count`, `count:col`, `sum:col`, `avg:col`, `min:col`, `max:col`, `count_distinct:col` (answer columns are named like `sum_col`)',
    },
  ];
}

export function pageParameters(): Json[] {
  return [
    {
      name: 'limit',
      in: 'query',
      schema: { type: 'integer', minimum: 0, maximum: 1000, default: 100 },
      description: 'Rows per page',
    },
    {
      name: 'offset',
      in: 'query',
      schema: { type: 'integer', minimum: 0 },
      description: 'Rows to skip; prefer `cursor` for deep pages',
    },
    {
      name: 'cursor',
      in: 'query',
      schema: { type: 'string' },
      description: 'From `next` of the previous page (opaque)',
    },
    {
      name: 'total',
      in: 'query',
      schema: { type: 'boolean' },
      description: 'Also count every matching row in `total`',
    },
    {
      name: 'format',
      in: 'query',
      schema: { type: 'string', enum: ['json', 'csv', 'xml'] },
      description: 'Answer format',
    },
    {
      name: 'pageNo',
      in: 'query',
      schema: { type: 'integer', minimum: 1 },
      description: 'DATA.GO.KR: page number (with numOfRows)',
    },
    {
      name: 'numOfRows',
      in: 'query',
      schema: { type: 'integer', minimum: 1, maximum: 1000 },
      description: 'DATA.GO.KR: rows per page',
    },
    {
      name: 'serviceKey',
      in: 'query',
      schema: { type: 'string' },
      description: 'DATA.GO.KR: your API key, instead of the header',
    },
    {
      name: 'type',
      in: 'query',
      schema: { type: 'string', enum: ['json', 'xml'] },
      description: 'DATA.GO.KR: answer format',
    },
  ];
}

export function recordsBodySchema(): Json {
  const list = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      select: list,
      q: { type: 'string' },
      order: list,
      group_by: list,
      agg: list,
      limit: { type: 'integer', minimum: 0, maximum: 1000 },
      offset: { type: 'integer', minimum: 0 },
      cursor: { type: 'string' },
      total: { type: 'boolean' },
      format: { type: 'string', enum: ['json', 'csv', 'xml'] },
      filters: {
        type: 'object',
        description: 'Column → filter (or list of filters), as in the query string',
        additionalProperties: list,
      },
    },
  };
}

export function errorResponses(statuses: string[]): Json {
  const descriptions: Record<string, string> = {
    '400': 'A parameter is wrong; `details` names it',
    '401': 'The key is not valid',
    '404': 'No such resource, or not visible to the caller',
    '408': 'The query ran past its time limit',
    '422': 'The query needed more memory than allowed',
    '429': 'Too many requests; see Retry-After',
    '503': 'Queries running at the same time used the memory for queries; retry after Retry-After',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
}
