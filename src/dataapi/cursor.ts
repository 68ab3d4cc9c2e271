import { Invalid } from '../lib/errors.js';

/**
 * Where the next page starts: the order it was made for and the last row's values of the order
 * columns and row number, as base64url JSON. It is opaque to clients; a cursor that does not
 * decode, or was made for another order, is refused as a bad `cursor` parameter. An edited but
 * well-formed cursor only moves the reader elsewhere in data they may read anyway.
 */
export interface CursorState {
  /** The normalised order, e.g. `["-population", "name"]`. */
  order: string[];
  /** One value per order column then the row number, as DuckDB prints them; null for NULL. */
  keys: Array<string | null>;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ o: state.order, k: state.keys })).toString('base64url');
}

export function decodeCursor(cursor: string, parameter = 'cursor'): CursorState {
  const malformed = () => new Invalid(parameter, 'is not a cursor this API gave out');
  if (cursor.length > 20_000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof parsed !== 'object' || parsed === null) throw malformed();
  const { o, k } = parsed as { o?: unknown; k?: unknown };
  if (!Array.isArray(o) || !o.every((item) => typeof item === 'string')) throw malformed();
  if (!Array.isArray(k) || !k.every((item) => item === null || typeof item === 'string'))
    throw malformed();
  if (k.length !== o.length + 1 || k.at(-1) === null) throw malformed();
  return { order: o as string[], keys: k as Array<string | null> };
}
