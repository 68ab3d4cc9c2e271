import type * as DuckDB from '@duckdb/node-api';
import { createRequire } from 'node:module';

/**
 * The DuckDB package, loaded with require(): about half the time of an import(), which first
 * scans every CommonJS file of the package for its exports (55–75 ms instead of 85–175 ms here).
 * Loading blocks the event loop, and every ingest process pays it at its start.
 */
export function loadDuckDB(): typeof DuckDB {
  return createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDB;
}
