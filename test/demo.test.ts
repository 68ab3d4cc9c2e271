import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoDirectory, seedDemo } from '../src/demo/index.js';
import { apiCaller, startTestApp, type TestApp } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`demo content on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let seeded: number;

    before(async () => {
      app = await startTestApp(engine);
      const admin = await app.createUser({ sysadmin: true });
      const author = { ...(await app.accounts.users.firstSysadmin())! };
      assert.equal(author.id, admin.id);
      seeded = await seedDemo({ ...app, db: app.database.db, author });
    });
    after(() => app.close());

    it('publishes real Lao data under organizations labelled as demos', async () => {
      assert.equal(seeded, 5);
      const list = await call(null, 'GET', '/api/v1/datasets?limit=100');
      assert.equal(list.json().total, 5);
      for (const item of list.json().items) {
        assert.equal(item.demo, true);
        assert.equal(item.state, 'published');
        assert.match(item.organization.slug, /^demo-/);
        assert.match(item.organization.title.en, /^Demo: /);
      }
      const organizations = await call(null, 'GET', '/api/v1/organizations');
      assert.ok(organizations.json().items.every((org: { demo: boolean }) => org.demo));
    });

    it('serves the files byte for byte, with their sources named', async () => {
      const dataset = (await call(null, 'GET', '/api/v1/datasets/lao-english-dictionary')).json();
      assert.equal(dataset.license, 'MIT');
      assert.match(dataset.provenance.en, /Ministry of Posts and Telecommunications/);
      const csv = dataset.resources.find(
        (r: { file_name: string }) => r.file_name === 'lao-eng-dictionary.csv',
      );
      const bytes = readFileSync(join(demoDirectory, 'lao-eng-dictionary.csv'));
      assert.equal(csv.sha256, createHash('sha256').update(bytes).digest('hex'));
      const download = await call(null, 'GET', `/api/v1/resources/${csv.id}/download`);
      assert.equal(download.statusCode, 200);
      assert.equal(download.rawPayload.length, bytes.length);
      const outline = (await call(null, 'GET', '/api/v1/datasets/laos-country-outline')).json();
      assert.equal(outline.resources[0].format, 'GEOJSON');
    });

    it('never seeds into a catalog that has content', async () => {
      const author = (await app.accounts.users.firstSysadmin())!;
      assert.equal(await seedDemo({ ...app, db: app.database.db, author }), 0);
      assert.equal((await call(null, 'GET', '/api/v1/datasets')).json().total, 5);
    });
  });
}
