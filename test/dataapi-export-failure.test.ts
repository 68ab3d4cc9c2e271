import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { streamExport } from '../src/dataapi/exports.js';
import type { ServedTable } from '../src/datastore/index.js';
import { AppError } from '../src/lib/errors.js';

// Enough rows that DuckDB is still writing (held back by a full pipe or by an unread chunk)
// when the first bytes reach the reader.
const rowCount = 3_000_000;

const table: ServedTable = {
  resourceId: '00000000-0000-4000-8000-000000000001',
  datasetId: '00000000-0000-4000-8000-000000000002',
  ingestId: '00000000-0000-4000-8000-000000000003',
  tableName: 'population_by_village',
  schema: {
    fields: [
      { name: 'village', title: { lo: 'ບ້ານ', en: 'Village' }, type: 'string', format: 'default' },
      { name: 'population', title: { en: 'Population' }, type: 'integer', format: 'default' },
    ],
    missingValues: [''],
  },
  rowCount,
  modifiedAt: new Date('2026-01-01T00:00:00Z'),
  version: 'v1',
  parquetSha256: null,
};

/** Reads `body` to its end or its error: the bytes that came, and the error if one did. */
function readAll(body: Readable, onFirstChunk: () => void) {
  return new Promise<{ bytes: number; text: string; error?: unknown }>((resolve) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => {
      if (chunks.length === 0) onFirstChunk();
      chunks.push(chunk);
    });
    const done = (error?: unknown) => {
      const bytes = Buffer.concat(chunks);
      resolve({
        bytes: bytes.length,
        text: bytes.toString('utf8'),
        ...(error !== undefined && { error }),
      });
    };
    body.once('end', () => done());
    body.once('error', (error) => done(error));
  });
}

describe('an export whose query fails half-way', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const work = mkdtempSync(join(tmpdir(), 'khomoun-export-failure-'));

  before(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    connection = await instance.connect();
    await connection.run(
      `create table population_by_village as
       select range + 1 as _row, 'ບ້ານ ' || range as village, range % 5000 as population
       from range(${rowCount})`,
    );
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
    rmSync(work, { recursive: true, force: true });
  });

  // The piped CSV gets DuckDB's own error from its COPY; a streamed result that stops ends as
  // one that is done, so the streamed formats find out by counting (500). The workbook's first
  // bytes come late (its zip is written in large pieces): its query is stopped after a moment,
  // which may be before its first rows (408).
  const failures = [
    { format: 'csv', statuses: [408], stopAfterMs: undefined },
    { format: 'ndjson', statuses: [500], stopAfterMs: undefined },
    { format: 'json', statuses: [500], stopAfterMs: undefined },
    { format: 'xlsx', statuses: [500, 408], stopAfterMs: 300 },
  ] as const;
  for (const { format, statuses, stopAfterMs } of failures)
    it(`ends the ${format} body with an error, not as a whole file, and frees the connection`, async () => {
      let read: Awaited<ReturnType<typeof readAll>> | undefined;
      await streamExport(
        table,
        connection,
        format,
        { filters: [] },
        { workDirectory: work, sheetName: 'data' },
        async ({ body }) => {
          // The query is stopped as a deadline would stop it: when its first bytes arrive, or for
          // the workbook after a moment.
          const timer =
            stopAfterMs === undefined
              ? undefined
              : setTimeout(() => connection.interrupt(), stopAfterMs);
          read = await readAll(body, () => {
            if (timer === undefined) connection.interrupt();
          });
          clearTimeout(timer);
        },
      );
      assert.ok(read, 'the export was sent');
      if (stopAfterMs === undefined) assert.ok(read.bytes > 0, 'some rows came before the failure');
      assert.ok(
        read.error instanceof AppError &&
          (statuses as readonly number[]).includes(read.error.status),
        `the body failed with the export's error, not ${String(read.error)}`,
      );
      if (format === 'json') assert.equal(read.text.endsWith(']\n'), false);
      // Far short of every row: a client sees a broken transfer, never a file that looks whole.
      const lines = read.text.split('\n').length;
      assert.ok(lines < rowCount, `${lines} lines`);
      // The export's named pipe is gone and the connection answers the next query.
      assert.deepEqual(readdirSync(work), []);
      const reader = await connection.runAndReadAll('select count(*) from population_by_village');
      assert.equal(Number(reader.getRows()[0]?.[0]), rowCount);
    });
});
