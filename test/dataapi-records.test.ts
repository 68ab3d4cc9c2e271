import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Papa from 'papaparse';
import { errorOf } from './helpers/app.js';
import { settledIngest } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';
import { startDataApiApp, typedCsv, type DataApiFixture } from './dataapi-records-support.js';

type Caller = Parameters<DataApiFixture['call']>[0];

type Item = Record<string, unknown>;

/** 3,000 rows whose `grp` has few values (and blanks): many ties for the cursor to get through. */
const pagedCsv = [
  'n,grp,label',
  ...Array.from(
    { length: 3000 },
    (_, i) => `${i + 1},${i % 11 === 0 ? '' : (i * 7) % 5},row ${i + 1}`,
  ),
].join('\n');

for (const engine of testEngines()) {
  describe(`data API records on ${engine.name}`, () => {
    let f: DataApiFixture;
    let typed: string;
    let paged: string;
    const get = (path: string, headers: Record<string, string> = {}) =>
      f.call(null, 'GET', `/api/v1/resources/${typed}/${path}`, undefined, headers);
    const ids = async (query: string) => {
      const response = await get(`records?${query}`);
      assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
      return (response.json().items as Item[]).map((item) => item['id']);
    };
    /** The `word` column of a resource's table, as `user` is served it. */
    const wordsOf = async (id: string, user: Caller) => {
      const response = await f.call(user, 'GET', `/api/v1/resources/${id}/records?select=word`);
      assert.equal(response.statusCode, 200, response.body);
      return (response.json().items as Item[]).map((item) => item['word']);
    };

    before(async () => {
      f = await startDataApiApp(engine);
      typed = await f.publishTable('typed.csv', typedCsv);
      paged = await f.publishTable('paged.csv', pagedCsv);
    });
    after(() => f.app.close());

    it('answers typed JSON: numbers, integers past 2^53 as strings, ISO dates, nulls', async () => {
      const response = await get('records');
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(
        body.fields.map((field: { name: string; type: string }) => `${field.name}:${field.type}`),
        [
          'id:integer',
          'name:string',
          'province:string',
          'population:integer',
          'density:number',
          'active:boolean',
          'founded:date',
          'updated:datetime',
          'opens:time',
          'big:integer',
        ],
      );
      assert.equal(body.total, undefined);
      assert.equal(body.next, undefined);
      assert.deepEqual(body.items[0], {
        id: 1,
        name: 'ນະຄອນຫຼວງວຽງຈັນ',
        province: 'LA01',
        population: 820940,
        density: 209.5,
        active: true,
        founded: '2015-03-01',
        updated: '2015-03-01T08:30:00',
        opens: '08:30:00',
        big: '-9007199254740995',
      });
      assert.equal(body.items[1].big, 1);
      assert.equal(body.items[5].big, '9007199254740993');
      // A column with a value past 2^53 is documented as integer or string; one without, integer.
      const doc = (await get('openapi.json')).json();
      const row = doc.components.schemas.Row.properties;
      assert.deepEqual(row.big.type, ['integer', 'string', 'null']);
      assert.deepEqual(row.population.type, ['integer', 'null']);
      assert.deepEqual(body.items[4], {
        id: 5,
        name: 'Vientiane, Capital',
        province: 'LA01',
        population: null,
        density: null,
        active: null,
        founded: null,
        updated: null,
        opens: null,
        big: null,
      });
      assert.equal(
        Object.keys(body.items[0]).includes('_row'),
        false,
        'the row number stays internal',
      );
    });

    it('filters every type with every operator', async () => {
      const cases: Array<[string, number[]]> = [
        ['id=3', [3]],
        ['id=eq:3', [3]],
        ['id=neq:3', [1, 2, 4, 5, 6]],
        ['id=lt:3', [1, 2]],
        ['id=lte:3', [1, 2, 3]],
        ['id=gt:4', [5, 6]],
        ['id=gte:4', [4, 5, 6]],
        ['id=in:1,6', [1, 6]],
        ['population=null', [5]],
        ['population=notnull', [1, 2, 3, 4, 6]],
        ['population=neq:1000', [1, 2, 3, 4, 5]],
        ['big=eq:9007199254740993', [6]],
        ['big=lt:0', [1]],
        ['density=eq:11.6', [2]],
        ['density=lt:11.6', [6]],
        ['density=lte:11.6', [2, 6]],
        ['density=gt:25.4', [1]],
        ['density=gte:25.4', [1, 4]],
        ['density=in:0.5,18.9', [3, 6]],
        ['density=neq:209.5', [2, 3, 4, 5, 6]],
        ['density=null', [5]],
        ['active=true', [1, 3, 6]],
        ['active=eq:false', [2, 4]],
        ['active=neq:true', [2, 4, 5]],
        ['active=lt:true', [2, 4]],
        ['active=in:true', [1, 3, 6]],
        ['active=notnull', [1, 2, 3, 4, 6]],
        ['founded=2016-04-02', [2]],
        ['founded=lt:2016-04-02', [1]],
        ['founded=lte:2016-04-02', [1, 2]],
        ['founded=gt:2018-06-04', [6]],
        ['founded=gte:2018-06-04', [4, 6]],
        ['founded=in:2015-03-01,2019-07-05', [1, 6]],
        ['founded=neq:2015-03-01', [2, 3, 4, 5, 6]],
        ['founded=null', [5]],
        ['updated=eq:2017-05-03T10:15:30', [3]],
        ['updated=lt:2016-04-02 09:00:00', [1]],
        ['updated=lte:2016-04-02T09:00', [1, 2]],
        ['updated=gt:2018-06-04T11:45:00', [6]],
        ['updated=gte:2018-06-04', [4, 6]],
        ['updated=in:2015-03-01T08:30:00,2019-07-05T23:59:59', [1, 6]],
        ['opens=eq:09:00', [2]],
        ['opens=lt:09:00:00', [1]],
        ['opens=gte:11:45', [4, 6]],
        ['opens=in:08:30,23:59:59', [1, 6]],
        ['opens=null', [5]],
        ['province=LA01', [1, 5]],
        ['province=neq:LA01', [2, 3, 4, 6]],
        ['province=lt:LA02', [1, 5]],
        ['province=gte:LA03', [3, 4]],
        ['province=in:LA03,LA06', [3, 4]],
        ['province=like:la0*', [1, 2, 3, 4, 5, 6]],
        ['province=like:*6', [4]],
        ['name=like:*ວຽງ*', [1]],
        ['name=like:vientiane*', [5]],
        ['name=eq:ຜົ້ງສາລີ', [2]],
        ['name=in:Vientiane\\, Capital,ຜົ້ງສາລີ', [2, 5]],
        ['name=like:*%*', []],
        ['id=gte:2&id=lt:4', [2, 3]],
      ];
      for (const [query, expected] of cases) {
        const url = query
          .split('&')
          .map((part) => {
            const [key, value] = part.split(/=(.*)/s);
            return `${encodeURIComponent(key!)}=${encodeURIComponent(value!)}`;
          })
          .join('&');
        assert.deepEqual(await ids(url), expected, query);
      }
    });

    it('searches text with Lao folding: ຫລ/ຫຼ, ຫນ/ໜ, ໍາ/ຳ, Lao digits, Latin case', async () => {
      const search = (q: string) => ids(`q=${encodeURIComponent(q)}`);
      assert.deepEqual(await search('ຫລວງ'), [1, 3, 4], 'ຫລ typed as two letters meets ຫຼ');
      assert.deepEqual(await search('ຫຼວງ ພະບາງ'), [4], 'every word must match');
      assert.deepEqual(await search('ຫນອງ'), [6], 'ຫນ meets ໜ');
      assert.deepEqual(await search('ນໍ້າທາ'), [3], 'ໍ + ້ + າ meets ້ຳ');
      assert.deepEqual(await search('PHÔNGSALI'), [6], 'Latin case is ignored');
      assert.deepEqual(await search('la0\u200b6'), [4], 'zero-width characters are ignored');
      assert.deepEqual(await search('capital'), [5]);
      assert.deepEqual(await search('nowhere'), []);
    });

    it('selects, orders, limits and offsets', async () => {
      const response = await get(
        'records?select=province,id&order=province:desc,-id&limit=3&offset=1&total=true',
      );
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(
        body.fields.map((field: { name: string }) => field.name),
        ['province', 'id'],
      );
      assert.deepEqual(body.items, [
        { province: 'LA03', id: 3 },
        { province: 'LA02', id: 6 },
        { province: 'LA02', id: 2 },
      ]);
      assert.equal(body.total, 6);
      assert.match(
        body.next,
        /^http:\/\/[^/]+\/api\/v1\/resources\/[0-9a-f-]+\/records\?.*cursor=/,
      );
      assert.deepEqual(await ids('order=-density&limit=2'), [1, 4]);
      assert.deepEqual(await ids('order=density'), [6, 2, 3, 4, 1, 5], 'NULLs last');
      assert.deepEqual(
        await ids('order=-density'),
        [1, 4, 3, 2, 6, 5],
        'NULLs last descending too',
      );
      assert.deepEqual(await ids('limit=0'), []);
      const counted = (await get('records?limit=0&total=true&province=LA01')).json();
      assert.equal(counted.total, 2);
    });

    it('pages through 3,000 rows with ties by cursor: no duplicates, no gaps, in order', async () => {
      // Pages of 1,000 read 1,001 rows from DuckDB, which may come in more than one chunk.
      for (const [order, limit] of [
        ['grp', 250],
        ['-grp,label', 250],
        ['label:desc', 250],
        ['-grp,label', 1000],
      ] as const) {
        const seen: Item[] = [];
        let url: string | undefined =
          `/api/v1/resources/${paged}/records?order=${order}&limit=${limit}`;
        let pages = 0;
        while (url) {
          const response = await f.call(null, 'GET', url.replace(/^http:\/\/[^/]+/, ''));
          assert.equal(response.statusCode, 200, response.body);
          const body = response.json();
          seen.push(...(body.items as Item[]));
          url = body.next;
          pages += 1;
          assert.ok(pages < 20, 'the pages end');
        }
        const numbers = seen.map((item) => item['n'] as number);
        assert.equal(new Set(numbers).size, 3000, `${order}: no duplicates`);
        assert.equal(numbers.length, 3000, `${order}: no gaps`);
        const all = await f.app.tables.withConnection(async (c) => {
          const ingest = await f.app.database.db
            .selectFrom('datastore_ingests')
            .select('table_name')
            .where('resource_id', '=', paged)
            .executeTakeFirstOrThrow();
          const sqlOrder = order
            .split(',')
            .map((item) =>
              item.startsWith('-') || item.endsWith(':desc')
                ? `"${item.replace(/^-|:desc$/g, '')}" DESC NULLS LAST`
                : `"${item}" ASC NULLS LAST`,
            )
            .join(', ');
          const reader = await c.runAndReadAll(
            `select n from "${ingest.table_name}" order by ${sqlOrder}, _row`,
          );
          return reader.getRows().map((row) => Number(row[0]));
        });
        assert.deepEqual(numbers, all, `${order}: the same order as DuckDB's`);
      }
    });

    it('groups with every aggregate, orders by an aggregate, counts the groups', async () => {
      const response = await get(
        'records?group_by=province&agg=count,count:population,sum:population,avg:density,min:founded,max:updated,count_distinct:active&order=-sum_population&total=true',
      );
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(
        body.fields.map((field: { name: string; type: string }) => `${field.name}:${field.type}`),
        [
          'province:string',
          'count:integer',
          'count_population:integer',
          'sum_population:integer',
          'avg_density:number',
          'min_founded:date',
          'max_updated:datetime',
          'count_distinct_active:integer',
        ],
      );
      assert.equal(body.total, 4);
      assert.deepEqual(body.items[0], {
        province: 'LA01',
        count: 2,
        count_population: 1,
        sum_population: 820940,
        avg_density: 209.5,
        min_founded: '2015-03-01',
        max_updated: '2015-03-01T08:30:00',
        count_distinct_active: 1,
      });
      assert.deepEqual(
        body.items.map((item: Item) => [item['province'], item['sum_population']]),
        [
          ['LA01', 820940],
          ['LA06', 431889],
          ['LA02', 178989],
          ['LA03', 175753],
        ],
      );
      assert.equal(body.items[2].avg_density, 6.05);
      const whole = (await get('records?agg=count,max:big')).json();
      assert.deepEqual(whole.items, [{ count: 6, max_big: '9007199254740993' }]);
      const paging = (await get('records?group_by=province&limit=3')).json();
      assert.equal(paging.items.length, 3);
      assert.match(paging.next, /offset=3/);
      const filtered = (await get('records?group_by=active&active=notnull')).json();
      assert.deepEqual(filtered.items, [
        { active: false, count: 2 },
        { active: true, count: 3 },
      ]);
    });

    it('answers CSV and XML, and the POST form answers as GET does', async () => {
      const csv = await get('records?select=id,name,density&order=-id&limit=2&format=csv');
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const parsed = Papa.parse<string[]>(csv.body.trim());
      assert.deepEqual(parsed.data, [
        ['id', 'name', 'density'],
        ['6', 'Phôngsali ໜອງ', '0.5'],
        ['5', 'Vientiane, Capital', ''],
      ]);
      const xml = await get('records?select=id,name&limit=2&format=xml&total=true');
      assert.equal(xml.statusCode, 200, xml.body);
      assert.match(String(xml.headers['content-type']), /^application\/xml/);
      assert.match(xml.body, /<resultCode>00<\/resultCode>/);
      assert.match(
        xml.body,
        /<item><id>1<\/id><name>ນະຄອນຫຼວງວຽງຈັນ<\/name><\/item><item><id>2<\/id>/,
      );
      assert.match(
        xml.body,
        /<numOfRows>2<\/numOfRows><pageNo>1<\/pageNo><totalCount>6<\/totalCount>/,
      );

      const query =
        'select=id,population&order=-population&population=gt:100000&limit=2&total=true';
      const viaGet = (await get(`records?${query}`)).json();
      const viaPost = await f.call(null, 'POST', `/api/v1/resources/${typed}/records`, {
        select: ['id', 'population'],
        order: '-population',
        filters: { population: 'gt:100000' },
        limit: 2,
        total: true,
      });
      assert.equal(viaPost.statusCode, 200, viaPost.body);
      const posted = viaPost.json();
      assert.deepEqual(posted.items, viaGet.items);
      assert.equal(posted.total, viaGet.total);
      const second = await f.call(null, 'POST', `/api/v1/resources/${typed}/records`, {
        select: ['id'],
        order: ['-population'],
        filters: { population: ['gt:100000'] },
        limit: 2,
        cursor: posted.next,
      });
      assert.deepEqual(second.json().items, [{ id: 2 }, { id: 3 }]);
    });

    it('revalidates with ETag and Last-Modified, and caches public answers publicly', async () => {
      const first = await get('records?limit=2');
      const etag = String(first.headers['etag']);
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      assert.ok(first.headers['last-modified']);
      assert.match(String(first.headers['cache-control']), /^public/);
      const again = await get('records?limit=2', { 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      assert.equal(
        (await get('records?limit=2', { 'if-none-match': `W/${etag}, "x"` })).statusCode,
        304,
      );
      const other = await get('records?limit=3', { 'if-none-match': etag });
      assert.equal(other.statusCode, 200, 'another query has another tag');
      assert.notEqual(other.headers['etag'], etag);
      const since = await get('records?limit=2', {
        'if-modified-since': String(first.headers['last-modified']),
      });
      assert.equal(since.statusCode, 304);
      const before = new Date(
        Date.parse(String(first.headers['last-modified'])) - 60_000,
      ).toUTCString();
      assert.equal((await get('records?limit=2', { 'if-modified-since': before })).statusCode, 200);
      const signedIn = await f.call(f.editor, 'GET', `/api/v1/resources/${typed}/records?limit=2`);
      assert.match(String(signedIn.headers['cache-control']), /^private/);
      assert.equal(signedIn.headers['etag'], etag, 'the same answer has the same tag');
    });

    it('hides drafts and restricted tables from anonymous callers and other organizations', async () => {
      const draft = await f.publishTable('draft.csv', typedCsv, { state: 'draft' });
      const restricted = await f.publishTable('restricted.csv', typedCsv, { access: 'restricted' });
      for (const id of [draft, restricted]) {
        for (const path of ['records', 'records?format=csv', 'export.csv', 'export.parquet']) {
          for (const user of [null, f.outsider]) {
            const response = await f.call(user, 'GET', `/api/v1/resources/${id}/${path}`);
            assert.equal(response.statusCode, 404, `${path} as ${user ? 'outsider' : 'anonymous'}`);
            assert.equal(errorOf(response).code, 'NOT_FOUND');
          }
          const posted = await f.call(null, 'POST', `/api/v1/resources/${id}/records`, {});
          assert.equal(posted.statusCode, 404);
        }
        const inside = await f.call(f.editor, 'GET', `/api/v1/resources/${id}/records?limit=1`);
        assert.equal(inside.statusCode, 200, inside.body);
        assert.match(String(inside.headers['cache-control']), /^private/);
      }
      const ghost = await f.call(
        null,
        'GET',
        '/api/v1/resources/00000000-0000-4000-8000-000000000000/records',
      );
      assert.equal(ghost.statusCode, 404);
    });

    it('serves the public the published file while a replacement waits for approval', async () => {
      const id = await f.publishTable('replaced.csv', 'n,word\n1,ໜຶ່ງ\n2,ສອງ\n');
      await f.replaceFile(id, 'replaced.csv', 'n,word\n1,ໜຶ່ງ\n2,ສອງ\n3,ສາມ\n');
      const words = (user: Caller) => wordsOf(id, user);
      assert.deepEqual(await words(null), ['ໜຶ່ງ', 'ສອງ'], 'the public: the published file');
      assert.deepEqual(await words(f.outsider), ['ໜຶ່ງ', 'ສອງ']);
      assert.deepEqual(await words(f.editor), ['ໜຶ່ງ', 'ສອງ', 'ສາມ'], 'insiders: the working copy');
      // Each is told that the ingest of the file they are shown is the one serving them.
      for (const user of [null, f.editor]) {
        const status = await f.call(user, 'GET', `/api/v1/resources/${id}/ingest`);
        assert.equal(status.json().serving, true, `${user ? 'editor' : 'public'}: ${status.body}`);
      }
      await f.publishChanges(id);
      assert.deepEqual(await words(null), ['ໜຶ່ງ', 'ສອງ', 'ສາມ'], 'once approved, for everyone');
    });

    it('keeps serving the previous table while a replacement is read and after it fails', async () => {
      const id = await f.publishTable('kept.csv', 'n,word\n1,ໜຶ່ງ\n2,ສອງ\n');
      const words = (user: Caller) => wordsOf(id, user);
      assert.deepEqual(await words(f.editor), ['ໜຶ່ງ', 'ສອງ']);
      // Bytes that are no table: the upload is kept, its ingest fails.
      await f.putFile(id, 'kept.csv', Buffer.alloc(4096, 0xff));
      assert.deepEqual(await words(f.editor), ['ໜຶ່ງ', 'ສອງ'], 'while the replacement is read');
      let state = 'queued';
      for (let i = 0; i < 600 && state !== 'failed' && state !== 'done'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await f.call(f.editor, 'GET', `/api/v1/resources/${id}/ingest`)).json().state;
      }
      assert.equal(state, 'failed');
      assert.deepEqual(await words(f.editor), ['ໜຶ່ງ', 'ສອງ'], 'insiders: the table that serves');
      await f.publishChanges(id);
      assert.deepEqual(await words(null), ['ໜຶ່ງ', 'ສອງ'], 'once approved, for everyone');

      // A file that is no table at all (a PDF) has no table: the earlier rows do not follow it.
      await f.putFile(id, 'kept.pdf', Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n'));
      const gone = await f.call(f.editor, 'GET', `/api/v1/resources/${id}/records`);
      assert.equal(gone.statusCode, 404, gone.body);
    });

    it('shows the public the schema of the published table, not of a replacement in review', async () => {
      const id = await f.publishTable('schema.csv', 'n,word\n1,ໜຶ່ງ\n');
      // A re-run of the published file that fails: its newest ingest has no table.
      const rerun = await f.call(f.editor, 'POST', `/api/v1/resources/${id}/ingest`, {
        encoding: 'utf-16le',
      });
      assert.equal(rerun.statusCode, 202, rerun.body);
      assert.equal((await settledIngest(f.call, f.editor, id)).state, 'failed');
      await f.replaceFile(id, 'schema.csv', 'salary,employee\n1000,Somchai\n');
      const namesFor = async (user: Caller) => {
        const response = await f.call(user, 'GET', `/api/v1/resources/${id}/schema`);
        assert.equal(response.statusCode, 200, response.body);
        return (response.json().fields as Array<{ name: string }>).map((field) => field.name);
      };
      assert.deepEqual(await namesFor(null), ['n', 'word'], 'the public: the published table');
      assert.deepEqual(await namesFor(f.outsider), ['n', 'word'], 'another organization too');
      assert.deepEqual(await namesFor(f.editor), ['salary', 'employee'], 'insiders: the draft');
    });

    it('sweeps idle tables no resource serves, and loads one again when it is asked for', async () => {
      const id = await f.publishTable('swept.csv', 'n,word\n1,ໜຶ່ງ\n');
      const words = (user: Caller) => wordsOf(id, user);
      assert.deepEqual(await words(null), ['ໜຶ່ງ']);
      const tableOf = async () =>
        (
          await f.app.database.db
            .selectFrom('resources')
            .innerJoin('datastore_ingests', 'datastore_ingests.id', 'resources.datastore_ingest_id')
            .select('datastore_ingests.table_name')
            .where('resources.id', '=', id)
            .executeTakeFirstOrThrow()
        ).table_name!;
      const published = await tableOf();
      await f.replaceFile(id, 'swept.csv', 'n,word\n1,ໜຶ່ງ\n2,ສອງ\n');
      const replacement = await tableOf();
      assert.notEqual(replacement, published);

      // Nothing is idle yet: the published file's table was read a moment ago.
      assert.ok(!(await f.app.servedTables.sweep(60_000)).includes(published));
      // Ten minutes on, it is: the table the resource serves stays, the other goes.
      const later = Date.now() + 10 * 60_000;
      const dropped = await f.app.servedTables.sweep(60_000, later);
      assert.ok(dropped.includes(published), JSON.stringify(dropped));
      assert.ok(!dropped.includes(replacement));
      const present = await f.app.tables.withConnection(async (c) =>
        (await c.runAndReadAll('select table_name from duckdb_tables()')).getRows().flat(),
      );
      assert.ok(!present.includes(published) && present.includes(replacement));
      // The public, still shown the published file, gets it from its Parquet copy.
      assert.deepEqual(await words(null), ['ໜຶ່ງ']);
      assert.deepEqual(await words(f.editor), ['ໜຶ່ງ', 'ສອງ']);
    });

    it('answers from what is committed now: titles, a re-read table, a deleted dataset', async () => {
      const id = await f.publishTable('followed.csv', 'code,n\n01,1\n02,2\n');
      const records = (user: Caller = null) =>
        f.call(user, 'GET', `/api/v1/resources/${id}/records`);
      const read = async () => {
        const response = await records();
        assert.equal(response.statusCode, 200, response.body);
        return response.json() as { fields: Item[]; items: Item[] };
      };
      // Read twice, so that the second answer comes from what the node remembers.
      await read();
      assert.deepEqual((await read()).items, [
        { code: '01', n: 1 },
        { code: '02', n: 2 },
      ]);

      const titled = await f.call(f.editor, 'PATCH', `/api/v1/resources/${id}/schema`, {
        fields: [{ name: 'n', title: { lo: 'ຈຳນວນ', en: 'Count' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
      assert.deepEqual((await read()).fields[1], {
        name: 'n',
        type: 'integer',
        title: { lo: 'ຈຳນວນ', en: 'Count' },
      });

      const rerun = await f.call(f.editor, 'POST', `/api/v1/resources/${id}/ingest`, {
        types: { code: { type: 'integer' } },
      });
      assert.equal(rerun.statusCode, 202, rerun.body);
      await f.settled(id);
      assert.deepEqual((await read()).items, [
        { code: 1, n: 1 },
        { code: 2, n: 2 },
      ]);

      const deleted = await f.call(f.admin, 'DELETE', `/api/v1/datasets/${await f.datasetOf(id)}`);
      assert.equal(deleted.statusCode, 204, deleted.body);
      for (const user of [null, f.outsider, f.editor])
        assert.equal((await records(user)).statusCode, 404);
    });

    it('stops showing a draft to a member the moment they leave the organization', async () => {
      const draft = await f.publishTable('leaving.csv', typedCsv, { state: 'draft' });
      const leaving = await f.app.createUser();
      const joined = await f.call(f.admin, 'POST', '/api/v1/organizations/lsb/members', {
        email: leaving.email,
        role: 'member',
      });
      assert.equal(joined.statusCode, 200, joined.body);
      const records = () => f.call(leaving, 'GET', `/api/v1/resources/${draft}/records?limit=1`);
      assert.equal((await records()).statusCode, 200);
      assert.equal((await records()).statusCode, 200, 'again, from what the node remembers');
      const left = await f.call(
        f.admin,
        'DELETE',
        `/api/v1/organizations/lsb/members/${leaving.id}`,
      );
      assert.equal(left.statusCode, 204, left.body);
      assert.equal((await records()).statusCode, 404);
    });

    it('refuses bad input with a 400 naming the parameter', async () => {
      const injection = `x' OR 1=1; DROP TABLE t; --`;
      const cases: Array<[string, string]> = [
        ['nosuchcolumn=1', 'nosuchcolumn'],
        ['select=id,nope', 'select'],
        ['order=nope', 'order'],
        ['group_by=nope', 'group_by'],
        ['agg=sum:name', 'agg'],
        ['agg=median:id', 'agg'],
        ['agg=sum', 'agg'],
        ['id=abc', 'id'],
        ['id=gt:1.5', 'id'],
        ['density=lt:ten', 'density'],
        ['active=maybe', 'active'],
        ['founded=2024-02-30', 'founded'],
        ['founded=gt:yesterday', 'founded'],
        ['updated=lt:2024-13-01T00:00', 'updated'],
        ['opens=25:00', 'opens'],
        ['population=like:1*', 'population'],
        ['population=null:1', 'population'],
        ['id=in:', 'id'],
        ['limit=1e9', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=-1', 'limit'],
        ['offset=-5', 'offset'],
        ['offset=abc', 'offset'],
        ['cursor=not-a-cursor!', 'cursor'],
        ['cursor=eyJvIjpbXX0', 'cursor'],
        [`cursor=${Buffer.from('{"o":["-id"],"k":["1","2"]}').toString('base64url')}`, 'cursor'],
        ['total=perhaps', 'total'],
        ['format=pdf', 'format'],
        ['select=id,id', 'select'],
        ['group_by=province&select=id', 'select'],
        [`${encodeURIComponent(injection)}=1`, injection],
        [`select=${encodeURIComponent(injection)}`, 'select'],
        [`order=${encodeURIComponent(injection)}`, 'order'],
        [`group_by=${encodeURIComponent(injection)}`, 'group_by'],
        [`agg=${encodeURIComponent(`sum:${injection}`)}`, 'agg'],
        [`id=${encodeURIComponent(injection)}`, 'id'],
        [`founded=${encodeURIComponent(`eq:${injection}`)}`, 'founded'],
        [`cursor=${encodeURIComponent(injection)}`, 'cursor'],
      ];
      for (const [query, parameter] of cases) {
        const response = await get(`records?${query}`);
        assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
        const error = errorOf(response);
        assert.ok(
          error.message.startsWith(`${parameter}:`) ||
            (error.details as Array<{ field: string }> | undefined)?.some(
              (detail) => detail.field === parameter,
            ),
          `${query} names ${parameter}: ${error.message}`,
        );
      }
      // A misspelt operator is named as one, not as a value of the wrong type.
      const misspelt = await get('records?population=grt:5');
      assert.equal(
        errorOf(misspelt).message,
        'population: unknown operator "grt": use eq, neq, lt, lte, gt, gte, in, like, null, notnull, or eq: before a value',
      );
      assert.deepEqual(await ids('name=note:x'), [], 'on a text column it is a value to look for');
      // Injected text in values is a value like any other: bound, compared, harmless.
      assert.deepEqual(await ids(`name=${encodeURIComponent(injection)}`), []);
      assert.deepEqual(await ids(`q=${encodeURIComponent(injection)}`), []);
      assert.deepEqual(await ids(`name=like:${encodeURIComponent(injection)}`), []);
      assert.equal((await ids('limit=1000')).length, 6, 'the table is still there');
      const body = await f.call(null, 'POST', `/api/v1/resources/${typed}/records`, {
        filters: { id: 'gt:x' },
      });
      assert.equal(body.statusCode, 400);
      assert.match(errorOf(body).message, /^filters\.id:/);
      const extra = await f.call(null, 'POST', `/api/v1/resources/${typed}/records`, { nope: 1 });
      assert.equal(extra.statusCode, 400);
    });
  });
}
