import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

interface SearchBody {
  total: number;
  results: { slug: string; match: string; snippet: string }[];
  didYouMean?: string;
}

// A misspelt word no document has is replaced by the closest words of the vocabulary (migration
// 0011) and those are searched for. The words below are only in descriptions, which the older
// trigram fallback (titles, keywords, organization) never compared: only the vocabulary finds them.
for (const engine of testEngines()) {
  describe(`search vocabulary on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;
    let admin: TestUser;

    const search = async (user: TestUser | null, q: string): Promise<SearchBody> => {
      const response = await call(user, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
      assert.equal(response.statusCode, 200, `${q}: ${response.body}`);
      return response.json() as SearchBody;
    };
    const create = async (
      user: TestUser,
      slug: string,
      fields: { title: string; description: string; publish: boolean },
    ) => {
      const created = await call(user, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug,
        title: { en: fields.title },
        description: { en: fields.description },
        keywords: { lo: [], en: ['survey'] },
        ...(fields.publish && { publish: true }),
      });
      assert.equal(created.statusCode, 201, created.body);
      return `/api/v1/datasets/${slug}`;
    };
    const vocabulary = async (words: string[]) => {
      const { rows } = await sql<{ word: string }>`
        SELECT word FROM search_vocabulary WHERE word IN (${sql.join(words)}) ORDER BY word`.execute(
        app.database.db,
      );
      return rows.map((row) => row.word);
    };

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      admin = await app.createUser();
      await organizationWithMembers(call, sysadmin, 'lsb', [[admin, 'admin']]);
      await create(sysadmin, 'air-quality', {
        title: 'Air quality stations',
        description: 'Hourly readings of particulate matter near factories.',
        publish: true,
      });
      const lao = await call(sysadmin, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'forest-cover',
        title: { lo: 'ປ່າໄມ້ ທົ່ວປະເທດ', en: 'Forest cover' },
        description: { lo: 'ການຕິດຕາມ ສິ່ງແວດລ້ອມ ປະຈຳປີ', en: 'Yearly monitoring.' },
        keywords: { lo: [], en: ['forest'] },
        publish: true,
      });
      assert.equal(lao.statusCode, 201, lao.body);
      // One word, two spellings: the hidden draft's is closer to the typo than the public one's.
      await create(sysadmin, 'rescue-centres', {
        title: 'Wildlife rescue centres',
        description: 'Languor of animals brought to rescue centres.',
        publish: true,
      });
      await create(admin, 'seizures-draft', {
        title: 'Trafficking seizures draft',
        description: 'Seizures of langur skins at border checkpoints.',
        publish: false,
      });
      await create(admin, 'secret-okapi', {
        title: 'Unpublished draft',
        description: 'Okapi sightings.',
        publish: false,
      });
    });
    after(() => app.close());

    it('finds a dataset by a misspelt English word of its description', async () => {
      const body = await search(null, 'particulte');
      assert.deepEqual(
        body.results.map((r) => [r.slug, r.match]),
        [['air-quality', 'similar']],
      );
      assert.equal(body.didYouMean, 'particulate');
      assert.match(body.results[0]?.snippet ?? '', /<mark>particulate<\/mark>/);
      // The index has the stem "read"; the correction shows the word the description has.
      const readings = await search(null, 'readngs');
      assert.deepEqual(
        readings.results.map((r) => r.slug),
        ['air-quality'],
      );
      assert.equal(readings.didYouMean, 'readings');
    });

    it('finds a dataset by a misspelt Lao word that segmentation cuts into pieces', async () => {
      // A wrong vowel: ສີ່ງ is no word, so the typed word is cut apart; it is looked up whole.
      const body = await search(null, 'ສີ່ງແວດລ້ອມ');
      assert.deepEqual(
        body.results.map((r) => [r.slug, r.match]),
        [['forest-cover', 'similar']],
      );
      assert.equal(body.didYouMean, 'ສິ່ງແວດລ້ອມ');
    });

    it('never shows a word only a hidden draft has as "did you mean"', async () => {
      // Both spellings are in the vocabulary; an outsider is shown the public one only.
      assert.deepEqual(await vocabulary(['langur', 'languor']), ['languor', 'langur']);
      const outsider = await search(null, 'languz');
      assert.deepEqual(
        outsider.results.map((r) => r.slug),
        ['rescue-centres'],
      );
      assert.equal(outsider.didYouMean, 'languor');
      const insider = await search(admin, 'languz');
      assert.deepEqual(insider.results.map((r) => r.slug).sort(), [
        'rescue-centres',
        'seizures-draft',
      ]);
      assert.equal(insider.didYouMean, 'langur');
      // A word of a hidden draft alone: nothing found, nothing suggested.
      const okapi = await search(null, 'okapy');
      assert.equal(okapi.total, 0);
      assert.equal(okapi.didYouMean, undefined);
      assert.equal((await search(admin, 'okapu')).didYouMean, 'okapi');
    });

    it('learns the words of a renamed dataset; a deleted one’s are found no more', async () => {
      const url = await create(sysadmin, 'gibbon-census', {
        title: 'Gibbon census',
        description: 'Counted along transects.',
        publish: false,
      });
      assert.equal((await search(sysadmin, 'gibon')).didYouMean, 'gibbon');
      const renamed = await call(sysadmin, 'PATCH', url, { title: { en: 'Macaque census' } });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.deepEqual(await vocabulary(['gibbon', 'macaque']), ['gibbon', 'macaque']);
      const macaque = await search(sysadmin, 'macaqe');
      assert.deepEqual(
        macaque.results.map((r) => r.slug),
        ['gibbon-census'],
      );
      assert.equal(macaque.didYouMean, 'macaque');
      // The old word stays in the vocabulary, but no document has it: no hit, no correction.
      const gibbon = await search(sysadmin, 'gibon');
      assert.equal(gibbon.total, 0);
      assert.equal(gibbon.didYouMean, undefined);
      assert.equal((await call(sysadmin, 'DELETE', url)).statusCode, 204);
      const deleted = await search(sysadmin, 'macaqe');
      assert.equal(deleted.total, 0);
      assert.equal(deleted.didYouMean, undefined);
    });
  });
}
