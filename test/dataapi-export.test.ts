import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { errorOf } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';
import { startDataApiApp, typedCsv, type DataApiFixture } from './dataapi-records-support.js';

type Item = Record<string, unknown>;

const geojson = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: 'ວັດພະແກ້ວ', visitors: 1200 },
      geometry: { type: 'Point', coordinates: [102.6117, 17.9625] },
    },
    {
      type: 'Feature',
      properties: { name: 'Pha That Luang', visitors: 5400 },
      geometry: { type: 'Point', coordinates: [102.6356, 17.9761] },
    },
    {
      type: 'Feature',
      properties: { name: 'Nam Ngum', visitors: 80 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [102.5, 18.5],
            [102.7, 18.5],
            [102.7, 18.7],
            [102.5, 18.5],
          ],
        ],
      },
    },
  ],
});

const manyRows = [
  'n,label',
  ...Array.from({ length: 5000 }, (_, i) => `${i + 1},"label, ${i + 1}"`),
].join('\n');

for (const engine of testEngines()) {
  describe(`data API exports on ${engine.name}`, () => {
    let f: DataApiFixture;
    let typed: string;
    let places: string;
    let many: string;
    let records: Item[];
    const work = mkdtempSync(join(tmpdir(), 'khomoun-export-test-'));
    const exported = (id: string, path: string, headers: Record<string, string> = {}) =>
      f.call(null, 'GET', `/api/v1/resources/${id}/${path}`, undefined, headers);

    before(async () => {
      f = await startDataApiApp(engine);
      typed = await f.publishTable('ສະຖິຕິ ແຂວງ.csv', typedCsv);
      places = await f.publishTable('places.geojson', geojson);
      many = await f.publishTable('many.csv', manyRows);
      records = (await f.call(null, 'GET', `/api/v1/resources/${typed}/records`)).json().items;
    });
    after(async () => {
      await f.app.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('exports CSV that parses back to the records, named after the file in Lao and ASCII', async () => {
      const response = await exported(typed, 'export.csv');
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv/);
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="file.csv"; filename*=UTF-8''${encodeURIComponent('ສະຖິຕິ ແຂວງ')}.csv`,
      );
      const parsed = Papa.parse<Record<string, string>>(response.body, {
        header: true,
        skipEmptyLines: true,
      });
      assert.deepEqual(parsed.errors, []);
      assert.equal(parsed.data.length, records.length);
      for (const [i, row] of parsed.data.entries()) {
        const expected = Object.fromEntries(
          Object.entries(records[i]!).map(([key, value]) => [
            key,
            value === null ? '' : String(value),
          ]),
        );
        assert.deepEqual(row, expected, `row ${i}`);
      }
    });

    it('exports JSON and NDJSON equal to the records', async () => {
      const json = await exported(typed, 'export.json');
      assert.equal(json.statusCode, 200, json.body);
      assert.deepEqual(JSON.parse(json.body), records);
      const ndjson = await exported(typed, 'export.ndjson');
      assert.match(String(ndjson.headers['content-type']), /^application\/x-ndjson/);
      const lines = ndjson.body
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Item);
      assert.deepEqual(lines, records);
      const none = await exported(typed, 'export.json?id=gt:100');
      assert.deepEqual(JSON.parse(none.body), []);
      assert.equal((await exported(typed, 'export.ndjson?id=gt:100')).body, '');
    });

    it('exports XLSX that exceljs reads back with typed cells', async () => {
      const response = await exported(
        typed,
        'export.xlsx?select=id,name,population,density,active,founded,opens,big',
      );
      assert.equal(response.statusCode, 200, response.body);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      assert.equal(sheet.name, 'ສະຖິຕິ ແຂວງ');
      const rows: unknown[][] = [];
      sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      assert.deepEqual(rows[0], [
        'id',
        'name',
        'population',
        'density',
        'active',
        'founded',
        'opens',
        'big',
      ]);
      assert.equal(rows.length, records.length + 1);
      const first = rows[1]!;
      assert.deepEqual(first.slice(0, 5), [1, 'ນະຄອນຫຼວງວຽງຈັນ', 820940, 209.5, true]);
      assert.equal((first[5] as Date).toISOString().slice(0, 10), '2015-03-01');
      assert.equal(first[6], '08:30:00');
      assert.equal(first[7], '-9007199254740995', 'integers Excel would round are text');
      assert.equal(rows[5]![2], undefined, 'an empty cell stays empty');
    });

    it('exports Parquet with its length, which DuckDB reads back', async () => {
      const response = await exported(typed, 'export.parquet?order=-id');
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(Number(response.headers['content-length']), response.rawPayload.length);
      const path = join(work, 'back.parquet');
      writeFileSync(path, response.rawPayload);
      const rows = await f.app.tables.withConnection(async (c) => {
        const reader = await c.runAndReadAll(`select * from read_parquet('${path}') order by id`);
        return reader.getRowObjectsJson();
      });
      assert.equal(rows.length, records.length);
      assert.deepEqual(
        rows.map((row) => [row['id'], row['name'], row['density'], row['founded'], row['big']]),
        records.map((item) => [
          String(item['id']),
          item['name'],
          item['density'] === null ? null : String(item['density']),
          item['founded'],
          item['big'] === null ? null : String(item['big']),
        ]),
      );
      const directory = join(f.app.config.dataDir, 'tables', 'exports');
      const { readdirSync } = await import('node:fs');
      // The file is removed once the response has ended, which the client may see first.
      for (let i = 0; i < 50 && readdirSync(directory).length > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(readdirSync(directory), [], 'the temporary file is gone');
    });

    it('exports GeoJSON from a table read from GeoJSON, and refuses it elsewhere', async () => {
      const response = await exported(places, 'export.geojson?order=-visitors');
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/geo\+json/);
      const collection = JSON.parse(response.body);
      const original = JSON.parse(geojson);
      assert.equal(collection.type, 'FeatureCollection');
      assert.deepEqual(
        collection.features.map((feature: { properties: Item }) => feature.properties),
        [
          { name: 'Pha That Luang', visitors: 5400 },
          { name: 'ວັດພະແກ້ວ', visitors: 1200 },
          { name: 'Nam Ngum', visitors: 80 },
        ],
      );
      assert.deepEqual(
        collection.features.map((feature: { geometry: unknown }) => feature.geometry),
        [
          original.features[1].geometry,
          original.features[0].geometry,
          original.features[2].geometry,
        ],
      );
      const refused = await exported(typed, 'export.geojson');
      assert.equal(refused.statusCode, 400);
      assert.match(errorOf(refused).message, /geometry/);
    });

    it('applies filters, search, order and groups to exports, streams every row, and revalidates', async () => {
      const filtered = await exported(typed, 'export.json?province=LA01&select=id');
      assert.deepEqual(JSON.parse(filtered.body), [{ id: 1 }, { id: 5 }]);
      const searched = await exported(
        typed,
        `export.json?q=${encodeURIComponent('ຫລວງ')}&select=id&order=-id`,
      );
      assert.deepEqual(JSON.parse(searched.body), [{ id: 4 }, { id: 3 }, { id: 1 }]);
      const grouped = await exported(typed, 'export.csv?group_by=active&agg=count');
      assert.equal(grouped.body, 'active,count\nfalse,2\ntrue,3\n,1\n');
      // The streamed formats count what they sent against the query (exports.ts, checkWhole):
      // groups, one aggregate row, and rows past an offset-free filter all add up.
      const groupedJson = await exported(typed, 'export.ndjson?group_by=active&agg=count');
      assert.equal(groupedJson.statusCode, 200, groupedJson.body);
      assert.equal(groupedJson.body.trim().split('\n').length, 3);
      const totals = await exported(typed, 'export.json?province=LA01&agg=count,max:id');
      assert.deepEqual(JSON.parse(totals.body), [{ count: 2, max_id: 5 }]);

      const all = await exported(many, 'export.csv');
      const parsed = Papa.parse<string[]>(all.body, { skipEmptyLines: true });
      assert.equal(parsed.data.length, 5001, 'every row, past any page size');
      assert.deepEqual(parsed.data[5000], ['5000', 'label, 5000']);

      const etag = String(all.headers['etag']);
      const again = await exported(many, 'export.csv', { 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.notEqual((await exported(many, 'export.json')).headers['etag'], etag);
    });

    it('exports a table of several row groups in row order, sorted only where stored otherwise', async () => {
      // 300,000 rows: three of DuckDB's row groups, read by both of its threads.
      const count = 300_000;
      const csv = ['n,label', ...Array.from({ length: count }, (_, i) => `${i + 1},ລາວ ${i + 1}`)];
      const ingested = await f.publishTable('long.csv', csv.join('\n'));
      const shuffled = await f.publishTable('shuffled.csv', csv.slice(0, 3001).join('\n'));
      const tableOf = async (resourceId: string) =>
        (
          await f.app.database.db
            .selectFrom('datastore_ingests')
            .select('table_name')
            .where('resource_id', '=', resourceId)
            .where('state', '=', 'done')
            .executeTakeFirstOrThrow()
        ).table_name!;
      const [ingestedTable, shuffledTable] = [await tableOf(ingested), await tableOf(shuffled)];
      const inRowOrder = await f.app.tables.withConnection(async (c) => {
        // Stored out of order before anything reads it, as a table loaded on many threads may be.
        await c.run(
          `create or replace table "${shuffledTable}" as select * from "${shuffledTable}" order by hash(_row)`,
        );
        const reader = await c.runAndReadAll(
          `select (select min(_row - rowid) = max(_row - rowid) from "${ingestedTable}"),
                  (select min(_row - rowid) = max(_row - rowid) from "${shuffledTable}")`,
        );
        return reader.getRows()[0];
      });
      assert.deepEqual(inRowOrder, [true, false], 'an ingest stores rows in row order');

      const numbersOf = (body: string) =>
        body
          .trimEnd()
          .split('\n')
          .slice(1)
          .map((line) => Number(line.slice(0, line.indexOf(','))));
      const expected = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
      const long = await exported(ingested, 'export.csv');
      assert.equal(long.statusCode, 200);
      assert.deepEqual(numbersOf(long.body), expected(count));
      const longLines = await exported(ingested, 'export.ndjson?select=n');
      assert.deepEqual(
        longLines.body
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { n: number }).n),
        expected(count),
      );
      // Pages of the same tables: the rows read in stored order must be the rows in row order.
      const page = async (id: string, query: string) => {
        const answer = await f.call(null, 'GET', `/api/v1/resources/${id}/records?${query}`);
        assert.equal(answer.statusCode, 200, answer.body);
        const json = answer.json() as { items: Array<{ n: number }>; next?: string };
        return { numbers: json.items.map((item) => item.n), next: json.next };
      };
      const across = await page(ingested, 'select=n&offset=122870&limit=20');
      assert.deepEqual(
        across.numbers,
        expected(20).map((n) => n + 122870),
      );
      const rare = await page(ingested, 'select=n&n=gt:250000&limit=5');
      assert.deepEqual(rare.numbers, [250001, 250002, 250003, 250004, 250005]);
      const seen: number[] = [];
      let url: string | undefined = 'select=n&n=gt:245000&limit=1000';
      for (let i = 0; i < 3 && url; i += 1) {
        const next = await page(ingested, url);
        seen.push(...next.numbers);
        url = next.next ? new URL(next.next, 'http://x').search.slice(1) : undefined;
      }
      assert.deepEqual(
        seen,
        expected(3000).map((n) => n + 245000),
        'cursor pages in row order',
      );
      const shuffledPage = await page(shuffled, 'select=n&offset=100&limit=10');
      assert.deepEqual(
        shuffledPage.numbers,
        expected(10).map((n) => n + 100),
      );

      const sorted = await exported(shuffled, 'export.csv');
      assert.deepEqual(numbersOf(sorted.body), expected(3000));
      const filtered = await exported(shuffled, 'export.csv?n=gt:2990');
      assert.deepEqual(
        numbersOf(filtered.body),
        expected(10).map((n) => n + 2990),
      );
    });

    it('answers many CSV exports at once alike, piped from DuckDB or streamed by chunks', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => exported(many, 'export.csv?n=gt:10')),
      );
      const [first] = answers;
      assert.equal(Papa.parse(first!.body, { skipEmptyLines: true }).data.length, 4991);
      for (const answer of answers) {
        assert.equal(answer.statusCode, 200);
        assert.equal(answer.body, first!.body);
      }
    });

    it('stops the query when a client leaves mid-export, and keeps answering others', async () => {
      const address = await f.app.http.listen({ host: '127.0.0.1', port: 0 });
      const { get } = await import('node:http');
      for (let i = 0; i < 6; i += 1) {
        await new Promise<void>((resolve, reject) => {
          const request = get(`${address}/api/v1/resources/${many}/export.csv`, (response) => {
            assert.equal(response.statusCode, 200);
            response.once('data', () => {
              request.destroy();
              resolve();
            });
          });
          request.on('error', (error) => (request.destroyed ? resolve() : reject(error)));
        });
      }
      const after = await exported(many, 'export.csv?n=lte:3');
      assert.equal(after.body, 'n,label\n1,"label, 1"\n2,"label, 2"\n3,"label, 3"\n');
      const { readdirSync } = await import('node:fs');
      const directory = join(f.app.config.dataDir, 'tables', 'exports');
      for (let i = 0; i < 50 && readdirSync(directory).length > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(readdirSync(directory), [], 'every pipe is removed');
    });

    it('refuses bad export requests with a 400 naming the parameter', async () => {
      for (const [query, parameter] of [
        ['limit=10', 'limit'],
        ['offset=10', 'offset'],
        ['nope=1', 'nope'],
        ['id=x', 'id'],
        ['order=nope', 'order'],
      ] as const) {
        const response = await exported(typed, `export.csv?${query}`);
        assert.equal(response.statusCode, 400, query);
        assert.match(errorOf(response).message, new RegExp(`^${parameter}:`));
      }
      assert.equal((await exported(typed, 'export.pdf')).statusCode, 400);
    });
  });
}
