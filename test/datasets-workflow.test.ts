import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiCaller, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`dataset workflow on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;
    let admin: TestUser;
    let editor: TestUser;
    let member: TestUser;
    let outsider: TestUser;

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      [admin, editor, member, outsider] = await Promise.all([
        app.createUser(),
        app.createUser(),
        app.createUser(),
        app.createUser(),
      ]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
        [member, 'member'],
      ]);
    });
    after(() => app.close());

    it('runs draft → review → returned → resubmitted → published, and records every step', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        license: null,
      });
      assert.equal(created.statusCode, 201, created.body);
      const dataset = created.json();
      assert.equal(dataset.slug, 'population-by-province');
      assert.equal(dataset.state, 'draft');
      assert.equal(created.headers.etag, `"${dataset.version}"`);
      const url = `/api/v1/datasets/${dataset.id}`;

      // Not yet visible to anyone outside the organization, in any form.
      assert.equal((await call(null, 'GET', url)).statusCode, 404);
      assert.equal(
        (await call(outsider, 'GET', `/api/v1/datasets/${dataset.slug}`)).statusCode,
        404,
      );
      assert.equal((await call(member, 'GET', url)).statusCode, 200);

      const incomplete = await call(editor, 'POST', `${url}/submit`);
      assert.equal(incomplete.statusCode, 400);
      assert.match(errorOf(incomplete).message, /license/);

      const fixed = await call(editor, 'PATCH', url, { license: 'CC-BY-4.0' });
      assert.equal(fixed.statusCode, 200, fixed.body);
      assert.equal((await call(editor, 'POST', `${url}/submit`)).statusCode, 200);
      assert.equal((await call(editor, 'POST', `${url}/approve`)).statusCode, 403);

      const returned = await call(admin, 'POST', `${url}/return`, {
        comment: 'Add the Lao description of the census method',
      });
      assert.equal(returned.statusCode, 200, returned.body);
      assert.equal(returned.json().state, 'draft');
      assert.equal(returned.json().review_comment, 'Add the Lao description of the census method');

      const edited = await call(editor, 'PATCH', url, {
        description: { lo: 'ຈຳນວນປະຊາກອນ ຈາກການສຳຫຼວດ 2015', en: dataset.description.en },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal((await call(editor, 'POST', `${url}/submit`)).statusCode, 200);
      const approved = await call(admin, 'POST', `${url}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().state, 'published');
      assert.equal(approved.json().review_comment, null);

      const seen = await call(null, 'GET', url);
      assert.equal(seen.statusCode, 200);
      assert.equal(seen.json().description.lo, 'ຈຳນວນປະຊາກອນ ຈາກການສຳຫຼວດ 2015');
      assert.equal(seen.json().current_revision, null);
      const listed = await call(null, 'GET', '/api/v1/datasets');
      assert.ok(listed.json().items.some((item: { id: string }) => item.id === dataset.id));

      const history = await call(admin, 'GET', `${url}/history`);
      assert.equal(history.statusCode, 200);
      assert.deepEqual(
        history.json().items.map((event: { action: string }) => event.action),
        ['created', 'updated', 'submitted', 'returned', 'updated', 'submitted', 'approved'],
      );
      const returnEvent = history.json().items[3];
      assert.equal(returnEvent.actor_id, admin.id);
      assert.equal(
        returnEvent.diff.review_comment.to,
        'Add the Lao description of the census method',
      );
      assert.equal((await call(null, 'GET', `${url}/history`)).statusCode, 401);
      assert.equal((await call(outsider, 'GET', `${url}/history`)).statusCode, 403);
    });

    it('keeps the published version visible while an edit waits for approval', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'rice-production',
        title: { en: 'Rice production' },
      });
      const url = `/api/v1/datasets/${created.json().id}`;
      await call(editor, 'POST', `${url}/submit`);
      await call(admin, 'POST', `${url}/approve`);

      const edit = await call(editor, 'PATCH', url, {
        title: { en: 'Rice production (revised)' },
        access_level: 'non_public',
      });
      assert.equal(edit.statusCode, 200, edit.body);
      assert.equal(edit.json().state, 'draft');
      assert.equal(edit.json().has_unpublished_changes, true);

      const publicView = await call(null, 'GET', url);
      assert.equal(publicView.statusCode, 200);
      assert.equal(publicView.json().title.en, 'Rice production');
      assert.equal(publicView.json().state, 'published');
      assert.equal(publicView.json().access_level, 'public');
      const publishedForMember = await call(member, 'GET', `${url}?revision=published`);
      assert.equal(publishedForMember.json().title.en, 'Rice production');

      await call(editor, 'POST', `${url}/submit`);
      await call(admin, 'POST', `${url}/approve`);
      // Approved as non-public: now gone for outsiders, everywhere.
      assert.equal((await call(null, 'GET', url)).statusCode, 404);
      const list = await call(outsider, 'GET', '/api/v1/datasets?organization=lsb');
      assert.ok(
        !list.json().items.some((item: { slug: string }) => item.slug === 'rice-production'),
      );
      const old = await call(null, 'GET', `${url}/revisions/1`);
      assert.equal(old.statusCode, 404);
    });

    it('lets reviewers, and only them, publish at creation a complete description', async () => {
      const byEditor = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'direct-by-editor',
        publish: true,
      });
      assert.equal(byEditor.statusCode, 403);
      const incomplete = await call(admin, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'direct-incomplete',
        themes: [],
        publish: true,
      });
      assert.equal(incomplete.statusCode, 400);
      assert.match(errorOf(incomplete).message, /themes/);
      const direct = await call(admin, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'direct',
        publish: true,
      });
      assert.equal(direct.statusCode, 201, direct.body);
      assert.equal(direct.json().state, 'published');
      assert.equal((await call(null, 'GET', '/api/v1/datasets/direct')).statusCode, 200);
      for (const slug of ['direct-by-editor', 'direct-incomplete'])
        assert.equal((await call(admin, 'GET', `/api/v1/datasets/${slug}`)).statusCode, 404);
    });

    it('ignores empty edits, and lets only reviewers move a published address', async () => {
      const created = await call(admin, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'census',
        publish: true,
      });
      const url = `/api/v1/datasets/${created.json().id}`;
      const empty = await call(editor, 'PATCH', url, {});
      assert.equal(empty.statusCode, 200);
      assert.equal(empty.json().state, 'published');
      assert.equal(empty.json().version, created.json().version);
      const listed = await call(null, 'GET', '/api/v1/datasets?organization=lsb&limit=100');
      const census = listed.json().items.find((item: { slug: string }) => item.slug === 'census');
      assert.equal(census.state, 'published');

      assert.equal((await call(editor, 'PATCH', url, { slug: 'census-2' })).statusCode, 403);
      assert.equal((await call(null, 'GET', '/api/v1/datasets/census')).statusCode, 200);
      const moved = await call(admin, 'PATCH', url, { slug: 'census-2015' });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().state, 'published');
      assert.equal((await call(null, 'GET', '/api/v1/datasets/census-2015')).statusCode, 200);
    });

    it('refuses stale edits with 412 and edits of archived datasets with 409', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'gdp',
        title: { en: 'GDP' },
      });
      const url = `/api/v1/datasets/${created.json().id}`;
      const etag = created.headers.etag as string;
      const first = await call(editor, 'PATCH', url, { version_info: '1.1' }, { 'if-match': etag });
      assert.equal(first.statusCode, 200);
      const stale = await call(admin, 'PATCH', url, { version_info: '9' }, { 'if-match': etag });
      assert.equal(stale.statusCode, 412);
      assert.equal((await call(member, 'GET', url)).json().version_info, '1.1');

      await call(editor, 'POST', `${url}/submit`);
      await call(admin, 'POST', `${url}/approve`);
      assert.equal((await call(admin, 'POST', `${url}/archive`)).statusCode, 200);
      const archivedEdit = await call(editor, 'PATCH', url, { version_info: '2' });
      assert.equal(archivedEdit.statusCode, 409);
      assert.equal(errorOf(archivedEdit).code, 'CONFLICT');
      assert.equal((await call(null, 'GET', url)).statusCode, 404);
    });

    it('refuses bad metadata with the field named, storing nothing', async () => {
      const cases: Array<[object, string]> = [
        [{ license: 'MIT-ish' }, 'license'],
        [{ themes: ['NOPE'] }, 'themes'],
        [{ title: { lo: ' \u200B ', en: '   ' } }, 'title'],
        [{ contact_point: { email: 'not-an-email' } }, 'contact_point.email'],
        [{ spatial: { provinces: ['LA99'] } }, 'spatial.provinces'],
        [{ temporal: { start: '2020-02-30' } }, 'temporal.start'],
        [{ temporal: { start: '2021-01-01', end: '2020-01-01' } }, 'temporal.end'],
        [{ documentation_url: 'javascript:alert(1)' }, 'documentation_url'],
        [{ spatial: { geometry: { type: 'Circle', coordinates: [1, 2] } } }, 'spatial.geometry'],
        [{ organization: 'no-such-org' }, 'organization'],
        [{ slug: 'Bad Slug!' }, 'slug'],
      ];
      for (const [change, field] of cases) {
        const response = await call(editor, 'POST', '/api/v1/datasets', {
          ...completeDataset,
          slug: 'bad-input',
          ...change,
        });
        assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
        const error = errorOf(response);
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.match(
          JSON.stringify(error.details ?? error.message),
          new RegExp(field.replace('.', '\\.')),
        );
      }
      assert.equal((await call(editor, 'GET', '/api/v1/datasets/bad-input')).statusCode, 404);

      const taken = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'gdp',
      });
      assert.equal(taken.statusCode, 409);
      const huge = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        description: { en: 'x'.repeat(10 * 1024 * 1024) },
      });
      assert.equal(huge.statusCode, 413);
    });

    it('cleans text and renders Markdown without letting scripts through', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'markdown',
        title: { lo: 'ສະຖິຕິ\u200B  ການສຶກສາ ', en: null },
        description: {
          en: 'Hello <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> [site](https://lsb.gov.la)',
        },
        keywords: { lo: ['ຫລວງພະບາງ', 'ຫຼວງພະບາງ', ' '], en: [] },
      });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.equal(body.title.lo, 'ສະຖິຕິ ການສຶກສາ');
      assert.deepEqual(body.keywords.lo, ['ຫລວງພະບາງ']);
      const html: string = body.description_html.en;
      assert.doesNotMatch(html, /<script|<img|href="javascript:/);
      assert.match(html, /&lt;script&gt;/);
      assert.match(
        html,
        /<a href="https:\/\/lsb.gov.la" rel="nofollow noopener noreferrer">site<\/a>/,
      );
    });

    it('soft-deletes: gone for everyone, restorable by sysadmins, logged', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'to-delete',
      });
      const url = `/api/v1/datasets/${created.json().id}`;
      await call(editor, 'POST', `${url}/submit`);
      await call(admin, 'POST', `${url}/approve`);
      assert.equal((await call(editor, 'DELETE', url)).statusCode, 403);
      assert.equal((await call(admin, 'DELETE', url)).statusCode, 204);
      assert.equal((await call(null, 'GET', url)).statusCode, 404);
      assert.equal((await call(admin, 'GET', url)).statusCode, 404);
      assert.equal((await call(admin, 'POST', `${url}/restore`)).statusCode, 403);
      const restored = await call(sysadmin, 'POST', `${url}/restore`);
      assert.equal(restored.statusCode, 200, restored.body);
      assert.equal((await call(null, 'GET', url)).statusCode, 200);
      const actions = (await call(admin, 'GET', `${url}/history`))
        .json()
        .items.map((event: { action: string }) => event.action);
      assert.deepEqual(actions.slice(-2), ['deleted', 'restored']);
    });

    it('pages through the public list with a keyset cursor', async () => {
      const seen = new Set<string>();
      let next: string | null = null;
      let pages = 0;
      do {
        const response = await call(
          null,
          'GET',
          `/api/v1/datasets?limit=1${next ? `&after=${next}` : ''}`,
        );
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        if (pages === 0) assert.equal(typeof body.total, 'number');
        for (const item of body.items) {
          assert.ok(!seen.has(item.id), 'a dataset came twice');
          seen.add(item.id);
        }
        next = body.next;
        pages += 1;
      } while (next !== null && pages < 50);
      const all = await call(null, 'GET', '/api/v1/datasets?limit=100');
      assert.equal(seen.size, all.json().total);
      assert.equal((await call(null, 'GET', '/api/v1/datasets?after=garbage')).statusCode, 400);
      const filtered = await call(null, 'GET', '/api/v1/datasets?theme=SOCI&province=LA06');
      assert.ok(filtered.json().items.length > 0);
      const none = await call(null, 'GET', '/api/v1/datasets?theme=TRAN');
      assert.equal(none.json().items.length, 0);
    });
  });
}
