/**
 * Records keyed by names that come from outside (a file's column headers, a request's keys): a
 * header may say `constructor`, `toString` or `__proto__`, which plain `record[name]` reads from
 * Object.prototype (a function, or the prototype itself) and `record[name] = value` turns into a
 * change of the record's prototype, lost when it is stored as JSON.
 */

/**
 * The value `record` holds under `key` itself, never one it inherits.
 *
 * @example ownValue({}, 'constructor') // undefined, not Object
 */
export function ownValue<T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Sets `key` of `record` to `value` as its own property, `__proto__` included.
 *
 * @example setOwnValue(types, '__proto__', { type: 'text' }) // JSON.stringify keeps it
 */
export function setOwnValue<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
