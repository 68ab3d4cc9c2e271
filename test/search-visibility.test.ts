import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

interface SearchBody {
  total: number;
  totalIsLowerBound: boolean;
  results: { slug: string; title: { lo: string | null; en: string | null }; state?: string }[];
  facets: Record<string, { value: string; count: number }[]>;
  didYouMean?: string;
}

interface SuggestBody {
  datasets: { slug: string }[];
  keywords: { keyword: string; count: number }[];
}

// Every dataset carries this keyword, so one query reaches all of them, hidden or not.
const shared = 'ກວດກາ';

for (const engine of testEngines()) {
  describe(`search visibility on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;
    let admin: TestUser;
    let member: TestUser;
    let otherMember: TestUser;

    const search = async (user: TestUser | null, query: string): Promise<SearchBody> => {
      const response = await call(user, 'GET', `/api/v1/search?${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as SearchBody;
    };
    const suggest = async (user: TestUser | null, typed: string): Promise<SuggestBody> => {
      const response = await call(
        user,
        'GET',
        `/api/v1/search/suggest?q=${encodeURIComponent(typed)}`,
      );
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as SuggestBody;
    };
    const slugs = (body: SearchBody) => body.results.map((r) => r.slug).sort();

    const create = async (
      user: TestUser,
      slug: string,
      title: string,
      extra: Record<string, unknown> = {},
    ) => {
      const created = await call(user, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug,
        title: { en: title },
        keywords: { lo: [shared], en: [slug] },
        ...extra,
      });
      assert.equal(created.statusCode, 201, created.body);
      return `/api/v1/datasets/${slug}`;
    };
    const publish = async (url: string) => {
      assert.equal((await call(admin, 'POST', `${url}/submit`)).statusCode, 200);
      assert.equal((await call(admin, 'POST', `${url}/approve`)).statusCode, 200);
    };

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      [admin, member, otherMember] = await Promise.all([
        app.createUser(),
        app.createUser(),
        app.createUser(),
      ]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [member, 'member'],
      ]);
      await organizationWithMembers(call, sysadmin, 'moh', [[otherMember, 'member']]);
      await publish(await create(admin, 'open-floods', 'Flood records'));
      await create(admin, 'secret-draft', 'Zanzibar draft statistics');
      await publish(
        await create(admin, 'restricted-prisons', 'Quokka prison statistics', {
          access_level: 'restricted',
          themes: ['JUST'],
        }),
      );
      const edited = await create(admin, 'edited-roads', 'Road network');
      await publish(edited);
      const patch = await call(admin, 'PATCH', edited, {
        title: { en: 'Road network Wombat revision' },
        themes: ['TRAN'],
      });
      assert.equal(patch.statusCode, 200, patch.body);
      const archived = await create(admin, 'archived-rivers', 'River gauges');
      await publish(archived);
      assert.equal((await call(admin, 'POST', `${archived}/archive`)).statusCode, 200);
      const removed = await create(admin, 'removed-wells', 'Water wells');
      await publish(removed);
      assert.equal((await call(sysadmin, 'DELETE', removed)).statusCode, 204);
    });
    after(() => app.close());

    it('shows outsiders only published public datasets, in results, totals and facets', async () => {
      for (const user of [null, otherMember]) {
        for (const query of [`q=${encodeURIComponent(shared)}`, '', `keyword=${shared}`]) {
          const body = await search(user, query);
          assert.deepEqual(slugs(body), ['edited-roads', 'open-floods'], query);
          assert.equal(body.total, 2);
          assert.equal(body.totalIsLowerBound, false);
          assert.deepEqual(body.facets.access_level, [{ value: 'public', count: 2 }]);
          assert.deepEqual(
            body.facets.organization?.map((f) => [f.value, f.count]),
            [['lsb', 2]],
          );
          // Only the published revision's themes count; the edit's TRAN and JUST stay hidden.
          assert.deepEqual(
            body.facets.theme?.map((f) => f.value),
            ['SOCI'],
          );
          assert.ok(body.results.every((r) => r.state === undefined));
          const keywords = body.facets.keyword?.map((f) => f.value) ?? [];
          for (const hidden of ['secret-draft', 'restricted-prisons', 'archived-rivers'])
            assert.ok(!keywords.includes(hidden), `${hidden} in keyword facet`);
        }
        const edited = await search(user, 'q=road');
        assert.equal(edited.results[0]?.title.en, 'Road network');
        for (const word of ['zanzibar', 'quokka', 'wombat', 'river', 'wells']) {
          const body = await search(user, `q=${word}`);
          assert.equal(body.total, 0, word);
          assert.deepEqual(body.results, []);
          assert.ok(!body.didYouMean?.includes(word.slice(0, 4)), body.didYouMean);
          assert.ok(
            Object.values(body.facets).every((list) => list.length === 0),
            `facets of ${word}`,
          );
          const typed = await suggest(user, word.slice(0, 4));
          assert.deepEqual(typed.datasets, [], word);
          assert.deepEqual(typed.keywords, [], word);
        }
        assert.equal((await search(user, 'theme=JUST')).total, 0);
        assert.equal((await search(user, 'access_level=restricted')).total, 0);
      }
    });

    it('shows members their organization’s working copies, drafts and restricted datasets', async () => {
      for (const user of [member, admin, sysadmin]) {
        const body = await search(user, `q=${encodeURIComponent(shared)}`);
        assert.deepEqual(slugs(body), [
          'archived-rivers',
          'edited-roads',
          'open-floods',
          'restricted-prisons',
          'secret-draft',
        ]);
        assert.equal(body.total, 5);
        const edited = await search(user, 'q=wombat');
        assert.deepEqual(slugs(edited), ['edited-roads']);
        assert.equal(edited.results[0]?.state, 'draft');
        assert.equal((await search(user, 'q=road&theme=TRAN')).total, 1);
        assert.equal((await search(user, 'access_level=restricted')).total, 1);
        const typed = await suggest(user, 'zanz');
        assert.deepEqual(
          typed.datasets.map((d) => d.slug),
          ['secret-draft'],
        );
      }
      // A deleted dataset is gone for everyone.
      assert.equal((await search(sysadmin, 'q=wells')).total, 0);
    });

    it('follows every change in the same transaction: edits, approval and deletion', async () => {
      const url = await create(admin, 'late-change', 'Koala counts');
      assert.equal((await search(null, 'q=koala')).total, 0);
      await publish(url);
      assert.equal((await search(null, 'q=koala')).total, 1);
      const renamed = await call(sysadmin, 'PATCH', '/api/v1/organizations/lsb', {
        title: { en: 'Platypus bureau' },
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal((await search(null, 'q=platypus')).total, 3);
      assert.equal((await call(admin, 'POST', `${url}/archive`)).statusCode, 200);
      assert.equal((await search(null, 'q=koala')).total, 0);
      assert.equal((await search(admin, 'q=koala')).total, 1);
      // The empty search's facets come from counts kept by a trigger (migration 0007); every
      // dataset has the shared keyword, so counting its matches live must give the same.
      for (const user of [null, otherMember, sysadmin]) {
        const kept = await search(user, '');
        const live = await search(user, `keyword=${encodeURIComponent(shared)}`);
        assert.equal(kept.total, live.total);
        assert.deepEqual(kept.facets, live.facets);
      }
      assert.equal((await search(sysadmin, '')).total, 6);
    });
  });
}
