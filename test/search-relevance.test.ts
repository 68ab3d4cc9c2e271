import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

interface Fixture {
  organizations: { slug: string; title: { lo: string; en: string } }[];
  datasets: ({ slug: string; organization: string } & Record<string, unknown>)[];
}
interface EvaluationQuery {
  kind: string;
  q: string;
  expected: string[];
}

const fixtureDir = new URL('./fixtures/search/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('catalog.json', fixtureDir), 'utf8')) as Fixture;
const queries = JSON.parse(
  readFileSync(new URL('queries.json', fixtureDir), 'utf8'),
) as EvaluationQuery[];

const minimumRecall = 0.95;

for (const engine of testEngines()) {
  describe(`search relevance on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let sysadmin: TestUser;

    before(async () => {
      app = await startTestApp(engine);
      sysadmin = await app.createUser({ sysadmin: true });
      for (const organization of fixture.organizations) {
        const created = await call(sysadmin, 'POST', '/api/v1/organizations', {
          ...organization,
          kind: 'ministry',
        });
        assert.equal(created.statusCode, 201, created.body);
      }
      for (const dataset of fixture.datasets) {
        const created = await call(sysadmin, 'POST', '/api/v1/datasets', {
          ...completeDataset,
          ...dataset,
          publish: true,
        });
        assert.equal(created.statusCode, 201, created.body);
      }
    });
    after(() => app.close());

    it(`finds the expected datasets for ${queries.length} queries (recall@10 ≥ ${minimumRecall})`, async () => {
      assert.ok(queries.length >= 60);
      let recallSum = 0;
      let reciprocalSum = 0;
      const byKind = new Map<string, { n: number; recall: number; rr: number }>();
      const misses: string[] = [];
      for (const query of queries) {
        const response = await call(
          null,
          'GET',
          `/api/v1/search?q=${encodeURIComponent(query.q)}&limit=10`,
        );
        assert.equal(response.statusCode, 200, `${query.q}: ${response.body}`);
        const found = (response.json() as { results: { slug: string }[] }).results.map(
          (r) => r.slug,
        );
        const hits = query.expected.filter((slug) => found.includes(slug));
        const recall = hits.length / query.expected.length;
        const firstRank = found.findIndex((slug) => query.expected.includes(slug));
        const rr = firstRank < 0 ? 0 : 1 / (firstRank + 1);
        recallSum += recall;
        reciprocalSum += rr;
        const kind = byKind.get(query.kind) ?? { n: 0, recall: 0, rr: 0 };
        byKind.set(query.kind, { n: kind.n + 1, recall: kind.recall + recall, rr: kind.rr + rr });
        if (recall < 1)
          misses.push(
            `${query.kind} ${JSON.stringify(query.q)}: missing ${query.expected.filter((s) => !hits.includes(s)).join(', ')}; got ${found.slice(0, 5).join(', ')}`,
          );
      }
      const recallAt10 = recallSum / queries.length;
      const mrr = reciprocalSum / queries.length;
      const lines = [
        `search relevance on ${engine.name}: ${queries.length} queries, recall@10 ${recallAt10.toFixed(3)}, MRR ${mrr.toFixed(3)}`,
        ...[...byKind].map(
          ([kind, s]) =>
            `  ${kind.padEnd(12)} n=${String(s.n).padStart(2)} recall@10 ${(s.recall / s.n).toFixed(2)} MRR ${(s.rr / s.n).toFixed(2)}`,
        ),
        ...misses.map((miss) => `  miss: ${miss}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      assert.ok(recallAt10 >= minimumRecall, lines.join('\n'));
    });
  });
}
