import { Type, type Static } from 'typebox';
import { StringEnum } from '../http/schemas.js';

/**
 * The records query, one family of schemas for its three spellings: the query string of GET, the
 * JSON body of POST, and the query string of exports. Lists are a comma-separated string or an
 * array (repeated parameters, or a JSON array whose items may themselves hold commas).
 */
const List = (description: string) =>
  Type.Union(
    [
      Type.String({ maxLength: 10_000 }),
      Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000 }),
    ],
    {
      description,
    },
  );

export const recordFormats = ['json', 'csv', 'xml'] as const;

const filterFields = {
  select: Type.Optional(List('Columns to return, e.g. `select=province,population`')),
  q: Type.Optional(
    Type.String({
      maxLength: 500,
      description:
        'Words that must all appear in some text column of a row; Lao spellings are folded (DESIGN §6)',
    }),
  ),
  order: Type.Optional(
    List(
      'Sort columns, e.g. `order=province,-population` (`-name` or `name:desc` for descending); ties follow the source row order',
    ),
  ),
  group_by: Type.Optional(List('Columns to group by; the answer has one row per group')),
  agg: Type.Optional(
    List(
      'Aggregates: `count`, `count:col`, `sum:col`, `avg:col`, `min:col`, `max:col`, `count_distinct:col`; named like `sum_col`',
    ),
  ),
};

const pageFields = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'Rows per page (default 100, at most 1,000)',
    }),
  ),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 100_000_000,
      description: 'Rows to skip; prefer `cursor` for deep pages',
    }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 20_000, description: 'The `next` cursor of the previous page' }),
  ),
  total: Type.Optional(
    Type.Boolean({ description: 'Count every matching row (or group) in `total`' }),
  ),
  format: Type.Optional(StringEnum(recordFormats, { description: 'json (default), csv or xml' })),
};

/** DATA.GO.KR names, mapped onto the native ones. */
const aliasFields = {
  pageNo: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: 'DATA.GO.KR: page number from 1 (with numOfRows)',
    }),
  ),
  numOfRows: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, description: 'DATA.GO.KR: rows per page (= limit)' }),
  ),
  serviceKey: Type.Optional(
    Type.String({
      maxLength: 500,
      description: 'DATA.GO.KR: your API key (same as `Authorization: Bearer`)',
    }),
  ),
  type: Type.Optional(
    StringEnum(['json', 'xml'] as const, { description: 'DATA.GO.KR: json or xml (= format)' }),
  ),
};

const FilterValue = Type.Union([
  Type.String({ maxLength: 100_000 }),
  Type.Array(Type.String({ maxLength: 100_000 }), { maxItems: 100 }),
]);

const filterDescription =
  'Any other parameter filters the column of that name: `col=eq:v` (or `col=v`), `neq:`, `lt:`, `lte:`, `gt:`, `gte:`, `in:a,b`, `like:pat*` (`*` is any text, case ignored), `null`, `notnull`; repeat a column to combine filters with AND';

export const RecordsQuery = Type.Object(
  { ...filterFields, ...pageFields, ...aliasFields },
  { additionalProperties: FilterValue, description: filterDescription },
);
export type RecordsQuery = Static<typeof RecordsQuery>;

export const RecordsBody = Type.Object(
  {
    ...filterFields,
    ...pageFields,
    filters: Type.Optional(
      Type.Record(Type.String({ maxLength: 1000 }), FilterValue, {
        description: 'Column → filter, as in the query string: `{"year": ["gte:2015", "lt:2020"]}`',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RecordsBody = Static<typeof RecordsBody>;

export const exportFormats = ['csv', 'json', 'ndjson', 'xlsx', 'parquet', 'geojson'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const ExportQuery = Type.Object(
  { ...filterFields, serviceKey: aliasFields.serviceKey },
  { additionalProperties: FilterValue, description: filterDescription },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const RecordsParams = Type.Object({ id: Type.String({ maxLength: 36 }) });
export const ExportParams = Type.Object({
  id: Type.String({ maxLength: 36 }),
  format: StringEnum(exportFormats),
});

const FieldSchema = Type.Object({
  name: Type.String(),
  type: Type.String({
    description: 'Table Schema type: integer, number, boolean, date, datetime, time, string, any',
  }),
  title: Type.Optional(
    Type.Object({ lo: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
  ),
});

export const RecordsAnswer = Type.Object(
  {
    fields: Type.Array(FieldSchema),
    items: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    total: Type.Optional(Type.Integer()),
    next: Type.Optional(
      Type.String({
        description: 'GET: the URL of the next page; POST: the cursor (or offset) to send next',
      }),
    ),
  },
  { title: 'Records' },
);
