import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiCaller, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

interface Hit {
  slug: string;
  title: { lo: string | null; en: string | null };
  snippet: string;
  match: string;
  provinces: string[];
}
interface SearchBody {
  total: number;
  results: Hit[];
  facets: Record<string, { value: string; count: number; label?: { lo: string; en: string } }[]>;
  didYouMean?: string;
}

const datasets = [
  {
    slug: 'rice-luang-prabang',
    title: { lo: 'ຜົນຜະລິດເຂົ້າ ແຂວງຫລວງພະບາງ' },
    description: { lo: 'ຜົນຜະລິດເຂົ້ານາປີ ແລະ ເຂົ້ານາແຊງ ແຍກຕາມເມືອງ ໃນແຂວງຫລວງພະບາງ.' },
    keywords: { lo: ['ເຂົ້າ', 'ກະສິກຳ'], en: [] },
    themes: ['AGRI'],
    spatial: { provinces: ['LA06'] },
  },
  {
    slug: 'salt-savannakhet',
    title: { lo: 'ເກືອ ແຂວງສະຫວັນນະເຂດ', en: 'Salt production in Savannakhet' },
    description: { lo: 'ຜົນຜະລິດເກືອ ປະຈຳປີ.', en: 'Yearly salt production of the salt works.' },
    keywords: { lo: ['ເກືອ'], en: ['salt'] },
    themes: ['ECON'],
    spatial: { provinces: ['LA13'] },
  },
  {
    slug: 'hospital-beds',
    title: { en: 'Hospital beds by province' },
    description: { en: 'Number of hospital beds in every provincial hospital.' },
    keywords: { lo: [], en: ['hospital', 'health', 'district hospital'] },
    themes: ['HEAL'],
    license: 'CC0-1.0',
    spatial: { provinces: ['LA01', 'LA06'] },
  },
];

for (const engine of testEngines()) {
  describe(`search API on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;

    const get = (url: string) => call(null, 'GET', url);
    const search = async (query: string): Promise<SearchBody> => {
      const response = await get(`/api/v1/search?${query}`);
      assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
      return response.json() as SearchBody;
    };
    const q = (text: string) => `q=${encodeURIComponent(text)}`;

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      const organization = await call(sysadmin, 'POST', '/api/v1/organizations', {
        slug: 'lsb',
        title: { lo: 'ສູນສະຖິຕິແຫ່ງຊາດ', en: 'Lao Statistics Bureau' },
        kind: 'ministry',
      });
      assert.equal(organization.statusCode, 201, organization.body);
      for (const dataset of datasets) {
        const created = await call(sysadmin, 'POST', '/api/v1/datasets', {
          ...completeDataset,
          ...dataset,
          publish: true,
        });
        assert.equal(created.statusCode, 201, created.body);
      }
    });
    after(() => app.close());

    it('returns everything, newest first, for an empty query, with facet counts', async () => {
      const body = await search('');
      assert.equal(body.total, 3);
      assert.deepEqual(
        body.results.map((r) => r.slug),
        ['hospital-beds', 'salt-savannakhet', 'rice-luang-prabang'],
      );
      assert.ok(body.results.every((r) => r.match === 'all'));
      assert.deepEqual(
        body.facets.province?.map((f) => [f.value, f.count, f.label?.en]),
        [
          ['LA06', 2, 'Louangphabang'],
          ['LA01', 1, 'Vientiane Capital'],
          ['LA13', 1, 'Savannakhet'],
        ],
      );
      assert.deepEqual(body.facets.organization, [
        {
          value: 'lsb',
          count: 3,
          label: { lo: 'ສູນສະຖິຕິແຫ່ງຊາດ', en: 'Lao Statistics Bureau' },
        },
      ]);
      assert.equal(body.facets.theme?.find((f) => f.value === 'HEAL')?.label?.en, 'Health');
      assert.deepEqual(
        body.facets.license?.map((f) => [f.value, f.count]),
        [
          ['CC-BY-4.0', 2],
          ['CC0-1.0', 1],
        ],
      );
    });

    it('filters by any spelling of a province, and by theme, keyword, licence and dates', async () => {
      for (const spelling of ['LA06', 'LA-LP', 'Luang Prabang', 'ຫຼວງພະບາງ', 'louangphabang']) {
        const body = await search(`province=${encodeURIComponent(spelling)}`);
        assert.deepEqual(body.results.map((r) => r.slug).sort(), [
          'hospital-beds',
          'rice-luang-prabang',
        ]);
      }
      assert.equal((await search('theme=heal')).total, 1);
      assert.equal((await search('theme=HEAL&theme=AGRI')).total, 2);
      assert.equal((await search(`keyword=${encodeURIComponent('ເກືອ')}`)).total, 1);
      assert.equal((await search('license=CC0-1.0')).total, 1);
      assert.equal((await search('modified_since=2000-01-01')).total, 3);
      assert.equal((await search('modified_until=2000-01-01')).total, 0);
      assert.equal((await search(`${q('salt')}&province=LA06`)).total, 0);
    });

    it('finds Lao spelling variants, places named in the query and the other language', async () => {
      const variant = await search(q('ຫຼວງພະບາງ ເຂົ້າ'));
      assert.equal(variant.results[0]?.slug, 'rice-luang-prabang');
      assert.match(variant.results[0]?.snippet ?? '', /<mark>[^<]*ຫລວງພະບາງ[^<]*<\/mark>/);
      const place = await search(q('rice Luang Prabang'));
      assert.equal(place.results[0]?.slug, 'rice-luang-prabang');
      assert.equal(place.results[0]?.match, 'translation');
      const english = await search(q('ໂຮງໝໍ'));
      assert.deepEqual(
        english.results.map((r) => r.slug),
        ['hospital-beds'],
      );
      // A direct match ranks above one found only through the dictionary.
      const both = await search(q('salt'));
      assert.equal(both.results[0]?.slug, 'salt-savannakhet');
      assert.match(both.results[0]?.snippet ?? '', /<mark>salt<\/mark>/);
    });

    it('falls back to similar titles with "did you mean" when nothing matches', async () => {
      const body = await search(q('hospitl'));
      assert.equal(body.results[0]?.slug, 'hospital-beds');
      assert.equal(body.results[0]?.match, 'similar');
      assert.equal(body.didYouMean, 'hospital');
    });

    it('sorts by title in Lao dictionary order and in English, and pages', async () => {
      const lao = await search('sort=title_lo');
      // ເກືອ is read from its consonant ກ, before ຜ; the English-only title falls back to its own.
      assert.deepEqual(
        lao.results.map((r) => r.slug),
        ['hospital-beds', 'salt-savannakhet', 'rice-luang-prabang'],
      );
      const english = await search('sort=title_en&limit=2');
      assert.deepEqual(
        english.results.map((r) => r.slug),
        ['hospital-beds', 'salt-savannakhet'],
      );
      assert.equal(english.total, 3);
      const second = await search('sort=title_en&limit=2&offset=2');
      assert.deepEqual(
        second.results.map((r) => r.slug),
        ['rice-luang-prabang'],
      );
    });

    it('answers odd queries sensibly and never with a 500', async () => {
      for (const text of [
        'title:rice AND NOT salt~2',
        "'; DROP TABLE datasets; --",
        'salt" OR 1=1',
        '"unbalanced quote',
        "it's",
        '(a | b) & !c <-> d:*',
        '\\',
        '***',
        '🌾🧂💧',
        '!!! ??? ...',
        'ແລະ the of',
        'a'.repeat(10_000),
        'ເຂົ້າ '.repeat(1_600),
        '\u200b\u200b',
        '໒໐໒໔',
      ]) {
        const started = performance.now();
        const response = await get(`/api/v1/search?${q(text)}`);
        assert.equal(response.statusCode, 200, `${text.slice(0, 40)}: ${response.body}`);
        assert.ok(performance.now() - started < 5_000, `${text.slice(0, 40)} was slow`);
      }
      assert.ok(
        (await search(q('salt" OR 1=1'))).results.some((r) => r.slug === 'salt-savannakhet'),
      );
      assert.equal((await search(q('🌾🧂💧'))).total, 3, 'no words: everything');
      // Parameters the API does not know are ignored, as on every other list of the API.
      assert.equal((await search('colour=red')).total, 3);
    });

    it('takes a 10,000-character Lao query over real HTTP, and names the limit past it', async () => {
      await app.http.listen({ port: 0, host: '127.0.0.1' });
      const address = app.http.server.address();
      assert.ok(address && typeof address === 'object');
      const over = (text: string) =>
        fetch(`http://127.0.0.1:${address.port}/api/v1/search?${q(text)}`);
      // 10,000 characters of Lao are 90 KB of URL once percent-encoded.
      const longest = await over('ເຂົ້າ'.repeat(2_000));
      assert.equal(longest.status, 200, await longest.clone().text());
      assert.equal(((await longest.json()) as SearchBody).total, 1);
      const tooLong = await over('ເ'.repeat(10_001));
      assert.equal(tooLong.status, 400);
      assert.match(JSON.stringify(await tooLong.json()), /"field":"q"/);
    });

    it('refuses unknown filter values with a 400 naming the parameter', async () => {
      for (const [query, field] of [
        ['theme=NOPE', 'theme'],
        ['province=Narnia', 'province'],
        ['organization=nobody', 'organization'],
        ['license=proprietary', 'license'],
        ['access_level=secret', 'access_level'],
        ['modified_since=yesterday', 'modified_since'],
        ['sort=popularity', 'sort'],
        ['limit=1000', 'limit'],
        ['offset=-1', 'offset'],
        [`q=${'a'.repeat(10_001)}`, 'q'],
      ] as const) {
        const response = await get(`/api/v1/search?${query}`);
        assert.equal(response.statusCode, 400, `${query.slice(0, 40)}: ${response.body}`);
        assert.match(JSON.stringify(errorOf(response)), new RegExp(field), query.slice(0, 40));
      }
    });

    it('suggests titles, organizations, keywords and provinces as the user types', async () => {
      const suggest = async (typed: string) => {
        const response = await get(`/api/v1/search/suggest?q=${encodeURIComponent(typed)}`);
        assert.equal(response.statusCode, 200, response.body);
        return response.json() as {
          datasets: { slug: string }[];
          organizations: { slug: string }[];
          keywords: { keyword: string; count: number }[];
          provinces: { pcode: string }[];
        };
      };
      assert.deepEqual(
        (await suggest('ຜົນຜະ')).datasets.map((d) => d.slug),
        ['rice-luang-prabang'],
      );
      assert.deepEqual(
        (await suggest('Salt pro')).datasets.map((d) => d.slug),
        ['salt-savannakhet'],
      );
      // A keyword starting with it, and one with a later word starting with it.
      assert.deepEqual((await suggest('hosp')).keywords, [
        { keyword: 'district hospital', count: 1 },
        { keyword: 'hospital', count: 1 },
      ]);
      assert.deepEqual((await suggest('distr')).keywords, [
        { keyword: 'district hospital', count: 1 },
      ]);
      assert.deepEqual(
        (await suggest('ສູນສະ')).organizations.map((o) => o.slug),
        ['lsb'],
      );
      assert.deepEqual(
        (await suggest('ຫລວງ')).provinces.map((p) => p.pcode),
        ['LA03', 'LA06'],
      );
      assert.deepEqual(
        (await suggest('savan')).provinces.map((p) => p.pcode),
        ['LA13'],
      );
      const none = await suggest('   ');
      assert.deepEqual(none, { datasets: [], organizations: [], keywords: [], provinces: [] });
    });

    it('documents both routes in the OpenAPI description', async () => {
      const spec = (await get('/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
      assert.ok(spec.paths['/api/v1/search']);
      assert.ok(spec.paths['/api/v1/search/suggest']);
    });
  });
}
