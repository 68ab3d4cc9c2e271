import { Invalid } from '../lib/errors.js';

/**
 * Checks a statement for the read-only SQL endpoint from DuckDB's own parse tree
 * (`json_serialize_sql`), never from the text: comments, quoting and unicode escapes cannot hide
 * anything from the parser that will run the statement. The checker is the first of two walls;
 * the sandbox it hands the statement to has no file or network access of its own
 * (see sql-sandbox.ts), so a gap here still reads nothing but the caller's own tables.
 *
 * Accepted: one query (SELECT, VALUES, set operations, CTEs, recursive CTEs, subqueries, PIVOT in FROM)
 * whose tables are resources addressed by id (`"0b7c…-uuid"`) or its own CTEs. Refused: anything
 * DuckDB cannot serialise as a query (DDL, DML, ATTACH, COPY, PRAGMA, SET, INSTALL, LOAD, CALL,
 * EXPORT…), several statements, table functions (`read_csv`, `glob`…), schema- or
 * catalog-qualified tables, time travel, and scalar functions that read settings or state.
 */
export interface CheckedStatement {
  /** Resource ids the statement reads, lower-case, each once. */
  resourceIds: string[];
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const queryNodes = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);
const tableRefs = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EMPTY', 'EXPRESSION_LIST', 'PIVOT']);
/** Table references that show the catalog or internal state instead of data. */
const refusedRefs = new Set(['SHOW_REF', 'COLUMN_DATA', 'DELIM_GET', 'BOUND_REF']);

/**
 * Scalar functions that reveal the server rather than compute on data. Table functions are all
 * refused by their node type, whatever their name.
 */
const refusedFunction =
  /^(getenv|current_setting|getvariable|which_secret|version|platform|current_database|current_catalog|current_schemas?|current_query|current_user|session_user|user|pg_.*|has_.*_privilege|duckdb_.*|pragma_.*|read_.*|glob|json_(serialize|deserialize|execute)_.*|sql_auto_complete|checkpoint|force_checkpoint|nextval|currval|setval|txid_current|icu_.*|test_.*|enable_.*|disable_.*|sleep_ms|write_log|inet_.*|get_block_size|in_search_path)$/i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads DuckDB's serialised parse tree of `sql` and returns the resources it reads, or throws
 * `Invalid('sql', why)`.
 *
 * @example
 *   checkStatement(await parse('select count(*) from "3f2a…"')) // → { resourceIds: ['3f2a…'] }
 */
export function checkStatement(serialized: string): CheckedStatement {
  const tree = JSON.parse(serialized) as Json;
  if (!isObject(tree)) throw new Invalid('sql', 'the statement could not be read');
  if (tree.error === true) {
    const message = String(tree.error_message ?? 'the statement could not be read');
    throw new Invalid(
      'sql',
      message.startsWith('Only SELECT statements')
        ? 'only a single read-only SELECT statement is allowed'
        : message.replace(/\s+/g, ' ').slice(0, 300),
    );
  }
  const statements = Array.isArray(tree.statements) ? tree.statements : [];
  if (statements.length !== 1) {
    throw new Invalid('sql', `exactly one SELECT statement is allowed, found ${statements.length}`);
  }
  const cteNames = new Set<string>();
  collectCteNames(statements[0]!, cteNames);
  const resourceIds = new Set<string>();
  walk(statements[0]!, cteNames, resourceIds);
  return { resourceIds: [...resourceIds] };
}

function collectCteNames(node: Json, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectCteNames(child, names);
    return;
  }
  if (!isObject(node)) return;
  const map = isObject(node.cte_map) ? node.cte_map.map : undefined;
  if (Array.isArray(map)) {
    for (const entry of map) if (isObject(entry)) names.add(String(entry.key).toLowerCase());
  }
  for (const child of Object.values(node)) collectCteNames(child, names);
}

function walk(node: Json, cteNames: ReadonlySet<string>, resourceIds: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, cteNames, resourceIds);
    return;
  }
  if (!isObject(node)) return;
  if ('node' in node && isObject(node.node)) checkQueryNode(node.node);
  if (isObject(node.from_table)) checkTableRef(node.from_table, cteNames, resourceIds);
  if (node.class === 'FUNCTION') checkFunction(node);
  if (node.type === 'TABLE_FUNCTION') {
    const fn = isObject(node.function) ? String(node.function.function_name) : 'a table function';
    throw new Invalid('sql', `table functions such as ${fn}() are not allowed`);
  }
  if (node.type === 'BASE_TABLE') checkTableRef(node, cteNames, resourceIds);
  if (typeof node.type === 'string' && refusedRefs.has(node.type)) {
    throw new Invalid('sql', `${node.type} is not allowed`);
  }
  if (node.type === 'JOIN') {
    for (const side of [node.left, node.right]) {
      if (isObject(side)) checkTableRef(side, cteNames, resourceIds);
    }
  }
  if (node.type === 'PIVOT' && isObject(node.source)) {
    checkTableRef(node.source, cteNames, resourceIds);
  }
  for (const child of Object.values(node)) walk(child, cteNames, resourceIds);
}

function checkQueryNode(node: JsonObject): void {
  if (typeof node.type === 'string' && !queryNodes.has(node.type)) {
    throw new Invalid('sql', `${node.type} is not allowed; only SELECT queries are`);
  }
}

function checkTableRef(
  ref: JsonObject,
  cteNames: ReadonlySet<string>,
  resourceIds: Set<string>,
): void {
  const type = String(ref.type);
  if (type === 'TABLE_FUNCTION') return; // reported by walk with the function's name
  if (!tableRefs.has(type)) throw new Invalid('sql', `${type} is not allowed in FROM`);
  if (type !== 'BASE_TABLE') return;
  const name = String(ref.table_name);
  if (ref.catalog_name || ref.schema_name) {
    throw new Invalid(
      'sql',
      `"${[ref.catalog_name, ref.schema_name, name].filter(Boolean).join('.')}": tables are named by resource id alone, without a schema or database`,
    );
  }
  if (ref.at_clause !== null && ref.at_clause !== undefined) {
    throw new Invalid('sql', 'AT (time travel) is not allowed');
  }
  if (cteNames.has(name.toLowerCase())) return;
  if (!uuidPattern.test(name)) {
    throw new Invalid(
      'sql',
      `"${name.slice(0, 200)}" is not a table here: name a table by its resource id in double quotes, e.g. select * from "00000000-0000-0000-0000-000000000000"`,
    );
  }
  resourceIds.add(name.toLowerCase());
}

function checkFunction(node: JsonObject): void {
  const name = String(node.function_name);
  // The parser itself writes list and struct literals as `main.list_value(…)`.
  if ((node.schema && node.schema !== 'main') || (node.catalog && node.catalog !== 'system')) {
    throw new Invalid('sql', `${name}(): only built-in functions are allowed`);
  }
  if (refusedFunction.test(name)) throw new Invalid('sql', `the function ${name}() is not allowed`);
}
