import { Invalid } from '../lib/errors.js';
import type { RecordsRequest } from './query-plan.js';
import type { ExportQuery, RecordsBody, RecordsQuery } from './schemas.js';

export const defaultLimit = 100;

/**
 * Query-string names that are parameters, not column filters (a column so named is filtered
 * through POST `filters`). The resource's OpenAPI document lists them too.
 */
export const reservedParameters: ReadonlySet<string> = new Set([
  'select',
  'q',
  'order',
  'group_by',
  'agg',
  'limit',
  'offset',
  'cursor',
  'total',
  'format',
  'pageNo',
  'numOfRows',
  'serviceKey',
  'type',
]);

export type RecordsFormat = 'json' | 'csv' | 'xml';

export interface NormalisedRecords {
  request: RecordsRequest;
  format: RecordsFormat;
  /** DATA.GO.KR paging was used: the XML answer reports pageNo and numOfRows. */
  page: { pageNo: number; numOfRows: number } | undefined;
}

/** GET /records: the native parameters, the DATA.GO.KR aliases, every other parameter a filter. */
export function recordsFromQuery(query: RecordsQuery): NormalisedRecords {
  if (query.numOfRows !== undefined && query.limit !== undefined)
    throw new Invalid('numOfRows', 'use limit or numOfRows, not both');
  if (query.pageNo !== undefined && (query.offset !== undefined || query.cursor !== undefined))
    throw new Invalid('pageNo', 'use pageNo, offset or cursor, not several');
  if (query.type !== undefined && query.format !== undefined && query.type !== query.format)
    throw new Invalid('type', 'use format or type, not both');
  const limit = query.numOfRows ?? query.limit ?? defaultLimit;
  const pageNo = query.pageNo ?? 1;
  const offset = query.pageNo !== undefined ? (pageNo - 1) * limit : query.offset;
  if (offset !== undefined && offset > 100_000_000)
    throw new Invalid('pageNo', 'goes past 100,000,000 rows; use the cursor for deep pages');
  const paging = query.pageNo !== undefined || query.numOfRows !== undefined;
  return {
    request: {
      ...filterPart(query, filtersOfQuery(query)),
      limit,
      ...(offset !== undefined && { offset }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
      ...(query.total !== undefined && { total: query.total }),
    },
    format: query.format ?? query.type ?? 'json',
    page: paging ? { pageNo, numOfRows: limit } : undefined,
  };
}

/** POST /records: the same query as a JSON body. */
export function recordsFromBody(body: RecordsBody): NormalisedRecords {
  const filters = Object.entries(body.filters ?? {}).flatMap(([column, value]) =>
    (Array.isArray(value) ? value : [value]).map((expression) => ({
      parameter: `filters.${column}`,
      column,
      expression,
    })),
  );
  return {
    request: {
      ...filterPart(body, filters),
      limit: body.limit ?? defaultLimit,
      ...(body.offset !== undefined && { offset: body.offset }),
      ...(body.cursor !== undefined && { cursor: body.cursor }),
      ...(body.total !== undefined && { total: body.total }),
    },
    format: body.format ?? 'json',
    page: undefined,
  };
}

/** GET /export.{format}: filters, search, selection, order and grouping; every row, no pages. */
export function exportFromQuery(query: ExportQuery): RecordsRequest {
  for (const name of [
    'limit',
    'offset',
    'cursor',
    'total',
    'format',
    'pageNo',
    'numOfRows',
    'type',
  ])
    if (name in query)
      throw new Invalid(name, 'exports hold every matching row; page through /records instead');
  return filterPart(query, filtersOfQuery(query));
}

function filtersOfQuery(query: Record<string, unknown>): RecordsRequest['filters'] {
  const filters: RecordsRequest['filters'] = [];
  for (const [key, value] of Object.entries(query)) {
    if (reservedParameters.has(key)) continue;
    for (const expression of Array.isArray(value) ? value : [value])
      filters.push({ parameter: key, column: key, expression: String(expression) });
  }
  return filters;
}

type FilterFields = Pick<RecordsBody, 'select' | 'q' | 'order' | 'group_by' | 'agg'>;

function filterPart(fields: FilterFields, filters: RecordsRequest['filters']): RecordsRequest {
  const select = listOf(fields.select);
  const order = listOf(fields.order);
  const groupBy = listOf(fields.group_by);
  const aggregates = listOf(fields.agg);
  return {
    filters,
    ...(select && { select }),
    ...(fields.q !== undefined && { q: fields.q }),
    ...(order && { order }),
    ...(groupBy && { groupBy }),
    ...(aggregates && { aggregates }),
  };
}

/** A comma-separated string, or an array taken item by item (so names may hold commas). */
function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : value.split(',');
  const names = items.map((item) => item.trim()).filter((item) => item !== '');
  return names.length > 0 ? names : undefined;
}
