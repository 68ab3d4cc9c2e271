import { quoteIdentifier } from '../datastore/index.js';
import { Invalid } from '../lib/errors.js';
import type { Column } from './columns.js';
import { castParameter, comparable, parseValue } from './values.js';

/** A piece of a WHERE clause and the values bound to its `?`s, in order. */
export interface Condition {
  sql: string;
  params: string[];
  /** The cursor's condition: not part of what `total` counts. */
  fromCursor?: boolean;
}

export const filterOperators = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'null',
  'notnull',
] as const;

const comparisons: Record<string, string> = {
  eq: '=',
  // Everything but the value, NULLs included: what "not equal to v" means to most people.
  neq: 'IS DISTINCT FROM',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};

const operatorPrefix = /^(eq|neq|lt|lte|gt|gte|in|like|null|notnull)(?::|$)/;

/**
 * One filter of the records API: `op:value` (`eq`, `neq`, `lt`, `lte`, `gt`, `gte`), `in:a,b`
 * (a comma inside a value is written `\,`), `like:pat*` (`*` is any run of characters; the match
 * ignores case), `null` or `notnull`. A value without a known operator is `eq`; to look for the
 * text "null" or "lt:3" write `eq:null`, `eq:lt:3`.
 */
export function filterCondition(column: Column, expression: string, parameter: string): Condition {
  const match = operatorPrefix.exec(expression);
  // On a text column `note:x` is a value to look for; elsewhere a word and a colon can only be
  // a misspelt operator, which would otherwise be told "not an integer".
  const unknown = match ? undefined : /^([A-Za-z_]+):/.exec(expression)?.[1];
  if (unknown !== undefined && column.type !== 'string' && column.type !== 'any')
    throw new Invalid(
      parameter,
      `unknown operator "${unknown}": use ${filterOperators.join(', ')}, or eq: before a value`,
    );
  const operator = match?.[1] ?? 'eq';
  const value = match ? expression.slice(match[0].length) : expression;
  const quoted = quoteIdentifier(column.name);
  const subject = comparable(column, quoted);
  switch (operator) {
    case 'null':
    case 'notnull':
      if (value !== '') throw new Invalid(parameter, `${operator} takes no value`);
      return { sql: `${quoted} IS ${operator === 'null' ? '' : 'NOT '}NULL`, params: [] };
    case 'in': {
      const values = splitList(value).map((item) => parseValue(column, item, parameter));
      if (values.length === 0) throw new Invalid(parameter, 'in: needs at least one value');
      if (values.length > 1000) throw new Invalid(parameter, 'in: takes at most 1,000 values');
      return {
        sql: `${subject} IN (${values.map(() => castParameter(column)).join(', ')})`,
        params: values,
      };
    }
    case 'like': {
      if (column.type !== 'string' && column.type !== 'any')
        throw new Invalid(
          parameter,
          `like: works on text columns; ${column.name} is ${column.type}`,
        );
      if (value.length > 1000)
        throw new Invalid(parameter, 'like: pattern longer than 1,000 characters');
      return { sql: `${subject} ILIKE ? ESCAPE '\\'`, params: [likePattern(value)] };
    }
    default:
      return {
        sql: `${subject} ${comparisons[operator]} ${castParameter(column)}`,
        params: [parseValue(column, value, parameter)],
      };
  }
}

/** `*` is the wildcard; SQL's own `%`, `_` and `\` are taken literally. */
export function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}

function splitList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === ',') {
      current += ',';
      i += 1;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  if (items.length === 1 && items[0] === '') return [];
  return items;
}
