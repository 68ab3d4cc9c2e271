import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorOf } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';
import { startDataApiApp, typedCsv, type DataApiFixture } from './dataapi-records-support.js';

type Item = Record<string, unknown>;

for (const engine of testEngines()) {
  describe(`DATA.GO.KR aliases of the data API on ${engine.name}`, () => {
    let f: DataApiFixture;
    let open: string;
    let restricted: string;

    before(async () => {
      f = await startDataApiApp(engine);
      open = await f.publishTable('typed.csv', typedCsv);
      restricted = await f.publishTable('restricted.csv', typedCsv, { access: 'restricted' });
    });
    after(() => f.app.close());

    it('pages with pageNo and numOfRows as with offset and limit', async () => {
      const ids = async (query: string) => {
        const response = await f.call(null, 'GET', `/api/v1/resources/${open}/records?${query}`);
        assert.equal(response.statusCode, 200, response.body);
        return (response.json().items as Item[]).map((item) => item['id']);
      };
      assert.deepEqual(await ids('pageNo=1&numOfRows=4'), [1, 2, 3, 4]);
      assert.deepEqual(await ids('pageNo=2&numOfRows=4'), [5, 6]);
      assert.deepEqual(await ids('pageNo=2&numOfRows=4'), await ids('offset=4&limit=4'));
      assert.deepEqual(await ids('numOfRows=2'), [1, 2]);
      assert.deepEqual(
        await ids('pageNo=2&limit=2&select=id'),
        [3, 4],
        'pageNo pages by limit too',
      );
      const grouped = await f.call(
        null,
        'GET',
        `/api/v1/resources/${open}/records?group_by=province&pageNo=1&numOfRows=3`,
      );
      assert.match(grouped.json().next, /pageNo=2/);
    });

    it('answers type=xml in the DATA.GO.KR envelope and type=json natively', async () => {
      const xml = await f.call(
        null,
        'GET',
        `/api/v1/resources/${open}/records?type=xml&pageNo=2&numOfRows=2&total=true&select=id`,
      );
      assert.equal(xml.statusCode, 200, xml.body);
      assert.match(String(xml.headers['content-type']), /^application\/xml/);
      assert.match(
        xml.body,
        /<header><resultCode>00<\/resultCode><resultMsg>NORMAL SERVICE.<\/resultMsg><\/header><body><items><item><id>3<\/id><\/item><item><id>4<\/id><\/item><\/items><numOfRows>2<\/numOfRows><pageNo>2<\/pageNo><totalCount>6<\/totalCount>/,
      );
      const json = await f.call(
        null,
        'GET',
        `/api/v1/resources/${open}/records?type=json&numOfRows=1`,
      );
      assert.deepEqual(
        json.json().items.map((item: Item) => item['id']),
        [1],
      );
    });

    it('takes serviceKey as the API key, for restricted tables too', async () => {
      const url = `/api/v1/resources/${restricted}/records?numOfRows=1`;
      assert.equal((await f.call(null, 'GET', url)).statusCode, 404);
      const keyed = await f.call(
        null,
        'GET',
        `${url}&serviceKey=${encodeURIComponent(f.editor.token)}`,
      );
      assert.equal(keyed.statusCode, 200, keyed.body);
      assert.match(String(keyed.headers['cache-control']), /^private/);
      const exported = await f.call(
        null,
        'GET',
        `/api/v1/resources/${restricted}/export.csv?serviceKey=${encodeURIComponent(f.editor.token)}`,
      );
      assert.equal(exported.statusCode, 200, exported.body);
      const outsider = await f.call(
        null,
        'GET',
        `${url}&serviceKey=${encodeURIComponent(f.outsider.token)}`,
      );
      assert.equal(outsider.statusCode, 404);
      const wrong = await f.call(null, 'GET', `${url}&serviceKey=not-a-key`);
      assert.equal(wrong.statusCode, 401);
    });

    it('refuses mixed or out-of-range aliases with a 400 naming them', async () => {
      for (const [query, parameter] of [
        ['numOfRows=5&limit=5', 'numOfRows'],
        ['pageNo=2&offset=5', 'pageNo'],
        ['pageNo=0', 'pageNo'],
        ['numOfRows=1001', 'numOfRows'],
        ['numOfRows=0', 'numOfRows'],
        ['type=csv', 'type'],
        ['type=xml&format=json', 'type'],
      ] as const) {
        const response = await f.call(null, 'GET', `/api/v1/resources/${open}/records?${query}`);
        assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
        const error = errorOf(response);
        assert.ok(
          error.message.startsWith(`${parameter}:`) ||
            (error.details as Array<{ field: string }>).some(
              (detail) => detail.field === parameter,
            ),
          `${query}: ${error.message}`,
        );
      }
    });
  });
}
