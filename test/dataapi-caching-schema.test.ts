import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDataApiApp, typedCsv, type DataApiFixture } from './dataapi-records-support.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`data API validators after a schema edit on ${engine.name}`, () => {
    let f: DataApiFixture;
    before(async () => {
      f = await startDataApiApp(engine);
    });
    after(() => f.app.close());

    it('gives a new ETag once a column title changes, though the table stays the same', async () => {
      const resourceId = await f.publishTable('titled.csv', typedCsv, { state: 'draft' });
      const url = `/api/v1/resources/${resourceId}/records?limit=1`;
      const first = await f.call(f.editor, 'GET', url);
      assert.equal(first.statusCode, 200, first.body);
      const etag = String(first.headers['etag']);
      const name = first.json().fields[0].name as string;

      const titled = await f.call(f.editor, 'PATCH', `/api/v1/resources/${resourceId}/schema`, {
        fields: [{ name, title: { en: 'Identifier' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
      const again = await f.call(f.editor, 'GET', url, undefined, { 'if-none-match': etag });
      assert.equal(again.statusCode, 200, 'the answer shows the new title');
      assert.notEqual(again.headers['etag'], etag);
      assert.equal(again.json().fields[0].title.en, 'Identifier');
      const cached = await f.call(f.editor, 'GET', url, undefined, {
        'if-none-match': String(again.headers['etag']),
      });
      assert.equal(cached.statusCode, 304);
    });

    it('moves Last-Modified on with a schema edit, so If-Modified-Since does not keep old titles', async () => {
      const resourceId = await f.publishTable('dated.csv', typedCsv, { state: 'draft' });
      const url = `/api/v1/resources/${resourceId}/records?limit=1`;
      const first = await f.call(f.editor, 'GET', url);
      assert.equal(first.statusCode, 200, first.body);
      const written = String(first.headers['last-modified']);
      const name = first.json().fields[0].name as string;
      // HTTP dates have whole seconds: an edit within the table's second could not be told apart.
      await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));

      const titled = await f.call(f.editor, 'PATCH', `/api/v1/resources/${resourceId}/schema`, {
        fields: [{ name, title: { en: 'Identifier' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
      const again = await f.call(f.editor, 'GET', url, undefined, {
        'if-modified-since': written,
      });
      assert.equal(again.statusCode, 200, 'the answer shows the new title');
      assert.equal(again.json().fields[0].title.en, 'Identifier');
      const edited = String(again.headers['last-modified']);
      assert.ok(Date.parse(edited) > Date.parse(written), `${edited} is after ${written}`);
      const cached = await f.call(f.editor, 'GET', url, undefined, { 'if-modified-since': edited });
      assert.equal(cached.statusCode, 304);
    });
  });
}
