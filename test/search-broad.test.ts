import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { reindexDatasets } from '../src/search/index.js';
import { countLimit } from '../src/search/queries.js';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

interface SearchBody {
  total: number;
  totalIsLowerBound: boolean;
  results: { slug: string; match: string }[];
  facets: Record<string, { value: string; count: number }[]>;
}

// More datasets than a search ranks and counts (500) that mention the word in their
// description only; fewer of them mention the other word too, which both titles have.
const mentions = 600;
const word = 'ຊົນລະປະທານ';
const fewer = 300;
const otherWord = 'ເຂື່ອນ';

for (const engine of testEngines()) {
  describe(`a broad search on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;

    const counts = (facet: { value: string; count: number }[] = []) =>
      facet.map((f) => [f.value, f.count]);
    const search = async (user: TestUser | null, query: string): Promise<SearchBody> => {
      const response = await call(user, 'GET', `/api/v1/search?${query}`);
      assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
      return response.json() as SearchBody;
    };

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      const organization = await call(sysadmin, 'POST', '/api/v1/organizations', {
        slug: 'lsb',
        title: { lo: 'ສູນສະຖິຕິແຫ່ງຊາດ', en: 'Lao Statistics Bureau' },
        kind: 'ministry',
      });
      assert.equal(organization.statusCode, 201, organization.body);
      const template = await call(sysadmin, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'mention-0',
        title: { lo: 'ສະຖິຕິກະສິກຳ', en: 'Farm statistics' },
        description: { lo: `ນ້ຳໃຊ້ໃນ${word} ແລະ ການປູກເຂົ້າ`, en: 'Farms by district.' },
        publish: true,
      });
      assert.equal(template.statusCode, 201, template.body);
      // Copies of it, stored and indexed before the one dataset whose title has the word.
      const db = app.database.db;
      const { rows } = await sql<{ id: string }>`
        WITH t AS (SELECT * FROM datasets WHERE slug = 'mention-0'),
          copied AS (
            INSERT INTO datasets (slug, organization_id, state, current_revision,
              published_revision, published_access_level, published_themes,
              published_provinces, published_license, created_at, updated_at, published_at)
            SELECT 'mention-' || n, t.organization_id, t.state, t.current_revision,
              t.published_revision, t.published_access_level, t.published_themes,
              t.published_provinces, t.published_license, t.created_at, t.updated_at,
              t.published_at
            FROM t, generate_series(1, ${mentions - 1}) AS n
            RETURNING id)
        INSERT INTO dataset_revisions (dataset_id, number, metadata, created_at)
        SELECT copied.id, r.number, r.metadata, r.created_at
        FROM copied, t JOIN dataset_revisions r ON r.dataset_id = t.id
        RETURNING dataset_id AS id`.execute(db);
      assert.equal(rows.length, mentions - 1);
      const { numAffectedRows } = await sql`
        UPDATE dataset_revisions r
        SET metadata = jsonb_set(r.metadata, '{description,lo}',
          to_jsonb((r.metadata #>> '{description,lo}') || ${` ແລະ ${otherWord}`}))
        FROM datasets d
        WHERE d.id = r.dataset_id AND d.slug LIKE 'mention-%'
          AND substr(d.slug, 9)::int < ${fewer}`.execute(db);
      assert.equal(Number(numAffectedRows), fewer);
      // The template too, whose description was changed with the copies'.
      const templateId = (template.json() as { id: string }).id;
      await db
        .transaction()
        .execute((tx) => reindexDatasets(tx, [templateId, ...rows.map((row) => row.id)]));
      for (const [slug, publish] of [
        // A working copy no outsider may see, whose title has the word too.
        ['irrigation-draft', false],
        ['irrigation-schemes', true],
      ] as const) {
        const created = await call(sysadmin, 'POST', '/api/v1/datasets', {
          ...completeDataset,
          slug,
          title: { lo: `ໂຄງການ${word} ${otherWord} ແຂວງຈຳປາສັກ`, en: 'Irrigation schemes' },
          description: { lo: 'ລາຍຊື່ໂຄງການ ແລະ ເນື້ອທີ່.', en: 'Schemes and their area.' },
          publish,
        });
        assert.equal(created.statusCode, 201, created.body);
      }
    });
    after(() => app.close());

    it('ranks the one title match first though hundreds of matches are stored before it', async () => {
      const body = await search(null, `q=${encodeURIComponent(word)}`);
      assert.equal(body.total, countLimit);
      assert.equal(body.totalIsLowerBound, true);
      assert.equal(body.results[0]?.slug, 'irrigation-schemes');
      assert.equal(body.results[0]?.match, 'words');
      assert.ok(!body.results.some((r) => r.slug === 'irrigation-draft'));
      assert.ok(body.results.slice(1).every((r) => r.slug.startsWith('mention-')));
    });

    it('counts the title match and the description matches once each in the facets', async () => {
      // Counted heads first, then the other documents (countFacets): below the bound, exactly.
      const body = await search(null, `q=${encodeURIComponent(otherWord)}`);
      assert.equal(body.total, fewer + 1);
      assert.equal(body.totalIsLowerBound, false);
      assert.deepEqual(counts(body.facets.organization), [['lsb', fewer + 1]]);
      assert.deepEqual(counts(body.facets.access_level), [['public', fewer + 1]]);
      const all = await search(sysadmin, `q=${encodeURIComponent(otherWord)}`);
      assert.equal(all.total, fewer + 2);
      assert.deepEqual(counts(all.facets.organization), [['lsb', fewer + 2]]);
    });

    it('stops counting at the bound and says the total is a lower bound', async () => {
      const body = await search(null, `q=${encodeURIComponent(word)}`);
      assert.equal(body.total, countLimit);
      assert.equal(body.totalIsLowerBound, true);
      assert.deepEqual(counts(body.facets.organization), [['lsb', countLimit]]);
      assert.deepEqual(counts(body.facets.access_level), [['public', countLimit]]);
      const all = await search(sysadmin, `q=${encodeURIComponent(word)}`);
      assert.equal(all.total, countLimit);
      assert.equal(all.totalIsLowerBound, true);
    });

    it('answers from the heads when no dataset has every word and enough heads have one', async () => {
      // ສະຖິຕິ is in every public dataset's head (the organization's name), ຊ້າງ (elephant) in
      // no dataset.
      const query = `q=${encodeURIComponent('ສະຖິຕິ ຊ້າງ')}&limit=10`;
      const body = await search(null, query);
      assert.equal(body.total, countLimit);
      assert.equal(body.results.length, 10);
      assert.ok(body.results.every((r) => r.match === 'some' && r.slug !== 'irrigation-draft'));
      // Every page comes from the same answer: none repeats a dataset (the first 100, well
      // within the ranked candidates).
      const seen: string[] = [];
      for (let offset = 0; offset < 100; offset += 10) {
        const page = await search(null, `${query}&offset=${offset}`);
        assert.equal(page.total, body.total);
        seen.push(...page.results.map((r) => r.slug));
      }
      assert.equal(new Set(seen).size, 100);
    });

    it('looks the words up in whole documents when too few heads have any', async () => {
      // The word is in two titles, one of them a draft, and in some copies' descriptions.
      const body = await search(null, `q=${encodeURIComponent(`${otherWord} ຊ້າງ`)}&limit=10`);
      assert.equal(body.total, fewer + 1);
      assert.equal(body.totalIsLowerBound, false);
      assert.equal(body.results[0]?.slug, 'irrigation-schemes');
      assert.ok(body.results.every((r) => r.match === 'some' && r.slug !== 'irrigation-draft'));
    });

    it('pages on from the title matches that filled a page into the description matches', async () => {
      // Two titles have the word: a page of two is theirs alone (the descriptions are not read
      // for it), the next one starts on the descriptions.
      const query = `q=${encodeURIComponent(word)}&limit=2`;
      const first = await search(sysadmin, query);
      assert.equal(first.total, countLimit);
      assert.deepEqual(first.results.map((r) => r.slug).sort(), [
        'irrigation-draft',
        'irrigation-schemes',
      ]);
      const second = await search(sysadmin, `${query}&offset=2`);
      assert.equal(second.total, countLimit);
      assert.equal(second.results.length, 2);
      assert.ok(second.results.every((r) => r.slug.startsWith('mention-') && r.match === 'words'));
      const outsider = await search(null, `q=${encodeURIComponent(word)}&limit=1&offset=1`);
      assert.ok(outsider.results[0]?.slug.startsWith('mention-'));
    });

    it('shows the working copy to a sysadmin, ranked with the other title match', async () => {
      const body = await search(sysadmin, `q=${encodeURIComponent(word)}`);
      assert.equal(body.total, countLimit);
      assert.deepEqual(
        body.results
          .slice(0, 2)
          .map((r) => r.slug)
          .sort(),
        ['irrigation-draft', 'irrigation-schemes'],
      );
    });
  });
}
