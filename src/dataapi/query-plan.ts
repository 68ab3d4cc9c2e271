import { quoteIdentifier } from '../datastore/index.js';
import { Invalid } from '../lib/errors.js';
import { rowNumberColumn, type Column, type FieldType } from './columns.js';
import { decodeCursor } from './cursor.js';
import { filterCondition, type Condition } from './filters.js';
import { searchCondition, searchTerms } from './search.js';

/** One query of the records API or of an export, as the client asked it (already normalised). */
export interface RecordsRequest {
  select?: string[];
  filters: Array<{ parameter: string; column: string; expression: string }>;
  q?: string;
  /** `name` ascending, `-name` descending. */
  order?: string[];
  /** Absent for exports, which return every row. */
  limit?: number;
  offset?: number;
  cursor?: string;
  groupBy?: string[];
  /** `count`, `count:col`, `sum:col`, `avg:col`, `min:col`, `max:col`, `count_distinct:col`. */
  aggregates?: string[];
  total?: boolean;
}

/** A column of the answer: its name, its SQL, and the type clients are told. */
export interface Output {
  name: string;
  sql: string;
  type: FieldType;
  /** DuckDB's type where the output is a column as stored; aggregates are typed by `type`. */
  duckType?: string;
  /** An integer output whose values all lie within ±2^53 (see `Column.safeInteger`). */
  safeInteger?: boolean;
}

export interface QueryPlan {
  kind: 'rows' | 'groups';
  outputs: Output[];
  conditions: Condition[];
  groupBy: string[];
  orderBy: Array<{ sql: string; descending: boolean }>;
  /** The order is the table's stored one: DuckDB is asked for no sort. */
  storedOrder?: boolean;
  limit: number | undefined;
  offset: number;
  /** Row queries: the order as a cursor records it, and the SQL of each key (order columns, row number). */
  keyset?: { order: string[]; keys: string[] };
}

export const aggregateFunctions = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct'] as const;
type AggregateFunction = (typeof aggregateFunctions)[number];

/**
 * Checks a request against the table's columns and turns it into SQL pieces. Column names are only
 * ever taken from the schema (quoted), values only ever bound: nothing the client sends becomes
 * SQL text. Every refusal is an `Invalid` naming the parameter at fault.
 *
 * @example
 *   const plan = planQuery({ filters: [{ parameter: 'year', column: 'year', expression: 'gte:2020' }], limit: 10 }, columns);
 *   const { sql, params } = selectSql(plan, 'main_table');
 */
export function planQuery(
  request: RecordsRequest,
  columns: readonly Column[],
  table: { storedInRowOrder?: boolean } = {},
): QueryPlan {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const find = (name: string, parameter: string) => {
    const column = byName.get(name);
    if (!column) throw new Invalid(parameter, `the table has no column "${name}"`);
    return column;
  };

  const conditions: Condition[] = request.filters.map(({ parameter, column, expression }) =>
    filterCondition(find(column, parameter), expression, parameter),
  );
  if (request.q !== undefined && request.q.trim() !== '') {
    const terms = searchTerms(request.q);
    if (terms.length > 0) conditions.push(searchCondition(columns, terms));
  }
  if (request.offset !== undefined && request.offset < 0)
    throw new Invalid('offset', 'must be 0 or more');
  if (request.limit !== undefined && (request.limit < 0 || request.limit > 1000))
    throw new Invalid('limit', 'must be between 0 and 1000');

  const grouped = request.groupBy !== undefined || request.aggregates !== undefined;
  const plan = grouped
    ? planGroups(request, find)
    : planRows(request, columns, find, table.storedInRowOrder ?? false);
  plan.conditions.unshift(...conditions);
  return plan;
}

function planRows(
  request: RecordsRequest,
  columns: readonly Column[],
  find: (name: string, parameter: string) => Column,
  storedInRowOrder: boolean,
): QueryPlan {
  const selected = request.select
    ? unique(request.select, 'select').map((name) => find(name, 'select'))
    : columns;
  if (selected.length === 0) throw new Invalid('select', 'names no column');
  const order = normaliseOrder(request.order ?? []);
  const orderColumns = order.map((item) => find(item.name, 'order'));
  unique(
    order.map((item) => item.name),
    'order',
  );
  const orderBy = orderColumns.map((column, i) => ({
    sql: quoteIdentifier(column.name),
    descending: order[i]!.descending,
  }));
  orderBy.push({ sql: quoteIdentifier(rowNumberColumn), descending: false });
  const orderNames = order.map((item) => (item.descending ? `-${item.name}` : item.name));
  const plan: QueryPlan = {
    kind: 'rows',
    outputs: selected.map((column) => ({
      name: column.name,
      sql: quoteIdentifier(column.name),
      type: column.type,
      duckType: column.duckType,
      safeInteger: column.safeInteger,
    })),
    conditions: [],
    groupBy: [],
    orderBy,
    // Row order alone, from a table stored in it (`storedInRowOrder`): DuckDB reads the rows in
    // the table's own order and stops at the page's end, where sorting found the first rows of
    // every match (a filtered page of 100 rows on 10 million: 2.6 against 4.5 ms), and a whole
    // export sorted every row. The order stays for the cursor's keys.
    storedOrder: storedInRowOrder && order.length === 0,
    limit: request.limit,
    offset: request.offset ?? 0,
    keyset: {
      order: orderNames,
      keys: [
        ...orderColumns.map((column) => `CAST(${quoteIdentifier(column.name)} AS VARCHAR)`),
        `CAST(${quoteIdentifier(rowNumberColumn)} AS VARCHAR)`,
      ],
    },
  };
  if (request.cursor !== undefined) {
    if (request.offset) throw new Invalid('cursor', 'cannot be combined with offset');
    plan.conditions.push(cursorCondition(request.cursor, orderNames, orderColumns));
  }
  return plan;
}

/**
 * Rows after the cursor's row in the order (NULLs last in both directions, row number last): a
 * chain of "greater on this key, or equal and greater on the next". Keyset paging never skips or
 * repeats a row, however deep the page, even where the order column has ties.
 */
function cursorCondition(cursor: string, order: string[], columns: Column[]): Condition {
  const state = decodeCursor(cursor);
  if (state.order.join('\u0000') !== order.join('\u0000'))
    throw new Invalid('cursor', 'was made for another order; keep the order of the first page');
  const rowNumber = state.keys.at(-1)!;
  if (!/^\d{1,19}$/.test(rowNumber))
    throw new Invalid('cursor', 'is not a cursor this API gave out');
  const params: string[] = [];
  let sql = `${quoteIdentifier(rowNumberColumn)} > CAST(? AS BIGINT)`;
  const tail = [rowNumber];
  for (let i = columns.length - 1; i >= 0; i -= 1) {
    const column = columns[i]!;
    const value = state.keys[i] ?? null;
    const name = quoteIdentifier(column.name);
    const descending = order[i]!.startsWith('-');
    if (value === null) {
      sql = `(${name} IS NULL AND ${sql})`;
      continue;
    }
    const bound = `TRY_CAST(? AS ${column.duckType})`;
    const beyond = `${name} ${descending ? '<' : '>'} ${bound}`;
    sql = `(${beyond} OR ${name} IS NULL OR (${name} = ${bound} AND ${sql}))`;
    tail.unshift(value, value);
  }
  params.push(...tail);
  return { sql, params, fromCursor: true };
}

function planGroups(
  request: RecordsRequest,
  find: (name: string, parameter: string) => Column,
): QueryPlan {
  if (request.select)
    throw new Invalid(
      'select',
      'cannot be combined with group_by or agg: the answer has the grouped columns and the aggregates',
    );
  if (request.cursor !== undefined)
    throw new Invalid('cursor', 'grouped answers are paged with offset');
  const groups = unique(request.groupBy ?? [], 'group_by').map((name) => find(name, 'group_by'));
  if (groups.length > 10) throw new Invalid('group_by', 'names more than 10 columns');
  const aggregates = unique(request.aggregates ?? ['count'], 'agg').map((spec) =>
    aggregateOutput(spec, find),
  );
  if (aggregates.length > 20) throw new Invalid('agg', 'names more than 20 aggregates');
  const outputs: Output[] = [
    ...groups.map((column) => ({
      name: column.name,
      sql: quoteIdentifier(column.name),
      type: column.type,
      duckType: column.duckType,
      safeInteger: column.safeInteger,
    })),
    ...aggregates,
  ];
  const byName = new Map(outputs.map((output) => [output.name, output]));
  const order = normaliseOrder(request.order ?? groups.map((column) => column.name));
  unique(
    order.map((item) => item.name),
    'order',
  );
  const orderBy = order.map((item) => {
    const output = byName.get(item.name);
    if (!output)
      throw new Invalid(
        'order',
        `"${item.name}" is neither a group_by column nor an aggregate (${[...byName.keys()].join(', ')})`,
      );
    return { sql: output.sql, descending: item.descending };
  });
  // Ties in the client's order still need one order for offsets to page consistently.
  for (const column of groups)
    if (!order.some((item) => item.name === column.name))
      orderBy.push({ sql: quoteIdentifier(column.name), descending: false });
  return {
    kind: 'groups',
    outputs,
    conditions: [],
    groupBy: groups.map((column) => quoteIdentifier(column.name)),
    orderBy,
    limit: request.limit,
    offset: request.offset ?? 0,
  };
}

function aggregateOutput(spec: string, find: (name: string, parameter: string) => Column): Output {
  const separator = spec.indexOf(':');
  const fn = (separator === -1 ? spec : spec.slice(0, separator)).trim().toLowerCase();
  const name = separator === -1 ? undefined : spec.slice(separator + 1);
  if (!(aggregateFunctions as readonly string[]).includes(fn))
    throw new Invalid(
      'agg',
      `"${spec}": the aggregates are ${aggregateFunctions.join(', ')} (e.g. sum:population)`,
    );
  const func = fn as AggregateFunction;
  if (name === undefined) {
    if (func !== 'count')
      throw new Invalid('agg', `"${spec}": ${func} needs a column, e.g. ${func}:population`);
    return { name: 'count', sql: 'count(*)', type: 'integer' };
  }
  const column = find(name, 'agg');
  const quoted = quoteIdentifier(column.name);
  const numeric = column.type === 'integer' || column.type === 'number';
  if ((func === 'sum' || func === 'avg') && !numeric)
    throw new Invalid(
      'agg',
      `"${spec}": ${func} needs a numeric column; ${column.name} is ${column.type}`,
    );
  const alias = `${func}_${column.name}`;
  switch (func) {
    case 'count':
      return { name: alias, sql: `count(${quoted})`, type: 'integer' };
    case 'count_distinct':
      return { name: alias, sql: `count(DISTINCT ${quoted})`, type: 'integer' };
    case 'sum':
      return { name: alias, sql: `sum(${quoted})`, type: column.type };
    case 'avg':
      return { name: alias, sql: `avg(${quoted})`, type: 'number' };
    default:
      return {
        name: alias,
        sql: `${func}(${quoted})`,
        type: column.type,
        duckType: column.duckType,
        safeInteger: column.safeInteger,
      };
  }
}

function normaliseOrder(items: readonly string[]): Array<{ name: string; descending: boolean }> {
  if (items.length > 10) throw new Invalid('order', 'names more than 10 columns');
  return items.map((raw) => {
    let name = raw.trim();
    let descending = false;
    if (name.startsWith('-')) [name, descending] = [name.slice(1), true];
    else if (name.startsWith('+')) name = name.slice(1);
    const suffix = /:(asc|desc)$/i.exec(name);
    if (suffix) {
      name = name.slice(0, -suffix[0].length);
      descending = suffix[1]!.toLowerCase() === 'desc';
    }
    if (name === '') throw new Invalid('order', 'has an empty column name');
    return { name, descending };
  });
}

function unique(names: readonly string[], parameter: string): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Invalid(parameter, `names "${name}" twice`);
    seen.add(name);
  }
  return [...names];
}

/** `from` is the table, quoted. Projection defaults to the outputs (plus the cursor keys of row pages). */
export function selectSql(
  plan: QueryPlan,
  from: string,
  options: { projection?: string[]; withKeys?: boolean; rowsToRead?: number } = {},
): { sql: string; params: string[] } {
  const projection = options.projection ?? [
    ...plan.outputs.map((output) => `${output.sql} AS ${quoteIdentifier(output.name)}`),
    ...(options.withKeys && plan.keyset ? plan.keyset.keys : []),
  ];
  const parts = [`SELECT ${projection.join(', ')} FROM ${from}`];
  const params: string[] = [];
  if (plan.conditions.length > 0) {
    parts.push(`WHERE ${plan.conditions.map((condition) => `(${condition.sql})`).join(' AND ')}`);
    for (const condition of plan.conditions) params.push(...condition.params);
  }
  if (plan.groupBy.length > 0) parts.push(`GROUP BY ${plan.groupBy.join(', ')}`);
  if (plan.orderBy.length > 0 && !plan.storedOrder)
    parts.push(
      `ORDER BY ${plan.orderBy.map((item) => `${item.sql} ${item.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}`,
    );
  const limit = options.rowsToRead ?? plan.limit;
  if (limit !== undefined) parts.push(`LIMIT ${limit}`);
  if (plan.offset > 0) parts.push(`OFFSET ${plan.offset}`);
  return { sql: parts.join(' '), params };
}

/** How many rows (or groups) match, ignoring limit, offset and cursor. */
export function countSql(plan: QueryPlan, from: string): { sql: string; params: string[] } {
  const conditions = plan.conditions.filter((condition) => !condition.fromCursor);
  const where =
    conditions.length > 0
      ? ` WHERE ${conditions.map((condition) => `(${condition.sql})`).join(' AND ')}`
      : '';
  const params = conditions.flatMap((condition) => condition.params);
  if (plan.kind === 'rows') return { sql: `SELECT count(*) FROM ${from}${where}`, params };
  if (plan.groupBy.length === 0) return { sql: 'SELECT 1', params: [] };
  return {
    sql: `SELECT count(*) FROM (SELECT 1 FROM ${from}${where} GROUP BY ${plan.groupBy.join(', ')})`,
    params,
  };
}

/**
 * How many rows a page query reads: its limit, one more to know whether a next page exists, and
 * for pages in row order never fewer than `shortRowOrderedPage`. For a LIMIT of 50 or less DuckDB
 * finds the row ids of the top rows first, then fetches their columns with a join that scans the
 * whole table again (late materialization): a filtered page of 10 rows took 12 ms against 3 ms
 * for 100 on 10,000,000 rows. In row order the top-N already skips the row groups past its
 * bound, so the longer read costs nothing; in other orders the join does save work and is kept.
 */
function rowsToRead(plan: QueryPlan, options: { extraRow?: boolean }): number {
  const rows = plan.limit! + (options.extraRow ? 1 : 0);
  const rowOrdered = plan.kind === 'rows' && plan.orderBy.length === 1 && !plan.storedOrder;
  return rowOrdered && rows > 0 ? Math.max(rows, shortRowOrderedPage) : rows;
}

const shortRowOrderedPage = 51;

/**
 * A page of the answer. DuckDB would compute the projection (a JSON object or CSV line per row)
 * for every row before sorting, so the page is cut from plain values first and only its rows
 * are rendered: `render` gets the outputs renamed to the inner query's columns. Row pages end
 * with the cursor keys (order columns, then the row number) as text.
 */
export function pageSql(
  plan: QueryPlan,
  from: string,
  render: (outputs: Output[]) => string[],
  options: { extraRow?: boolean } = {},
): { sql: string; params: string[] } {
  const inner = selectSql(plan, from, {
    projection: [
      ...plan.outputs.map((output, i) => `${output.sql} AS "o${i}"`),
      ...plan.orderBy.map((item, j) => `${item.sql} AS "s${j}"`),
    ],
    ...(plan.limit !== undefined && { rowsToRead: rowsToRead(plan, options) }),
  });
  const renamed = plan.outputs.map((output, i) => ({ ...output, sql: `"o${i}"` }));
  const keys = plan.keyset ? plan.orderBy.map((_, j) => `CAST("s${j}" AS VARCHAR)`) : [];
  // No second ORDER BY: DuckDB keeps the order an ORDER BY (or, without one, the table's stored
  // order) produces through the projections above it, and sorting the page again cost a tenth of
  // a filtered page's time. The cursor test checks the order.
  return {
    sql: `SELECT ${[...render(renamed), ...keys].join(', ')} FROM (${inner.sql}) AS page`,
    params: inner.params,
  };
}
