import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';
import { datasetWithTables, districtsCsv, provincesCsv } from './dataapi-sql-support.js';

const run = promisify(execFile);

interface Example {
  summary: string;
  value: { fields: unknown[]; items: Array<Record<string, unknown>>; next?: string };
  'x-query': Record<string, string>;
}
interface Parameter {
  name: string;
  in: string;
  example?: string;
  schema: { type: string; pattern?: string; 'x-column-type'?: string };
  description: string;
}
interface CodeSample {
  operation?: string;
  lang: string;
  label: string;
  source: string;
}

/** A port nobody listens on, so the app's public URL (used in snippets) can name it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function hasPythonRequests(): Promise<boolean> {
  try {
    await run('python3', ['-c', 'import requests']);
    return true;
  } catch {
    return false;
  }
}

for (const engine of testEngines()) {
  describe(`per-resource OpenAPI documents on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let editor: TestUser;
    let outsider: TestUser;
    let provinces: string;
    let districts: string;
    let hidden: string;
    let publicUrl: string;

    const documentOf = async (id: string) => {
      const response = await call(null, 'GET', `/api/v1/resources/${id}/openapi.json`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    // A parsed OpenAPI document: the validator has checked its shape, the test walks into it.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const recordsGet = (id: string) => (doc: Record<string, any>) =>
      doc.paths[`/api/v1/resources/${id}/records`].get;

    before(async () => {
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      app = await startTestApp(engine, { config: { publicUrl } });
      await app.http.listen({ port, host: '127.0.0.1' });
      const sysadmin = await app.createUser({ sysadmin: true });
      const admin = await app.createUser();
      [editor, outsider] = await Promise.all([app.createUser(), app.createUser()]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
      ]);
      const published = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'provinces-docs',
        editor,
        publishWith: admin,
        files: [
          ['provinces.csv', provincesCsv],
          ['districts.csv', districtsCsv],
        ],
      });
      provinces = published[0]!;
      districts = published[1]!;
      const drafts = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'draft-docs',
        editor,
        files: [['secret.csv', 'code,salary\nA,1000\nB,2000\n']],
      });
      hidden = drafts[0]!;
      const titled = await call(editor, 'PATCH', `/api/v1/resources/${provinces}/schema`, {
        fields: [{ name: 'name', title: { lo: 'ຊື່ແຂວງ', en: 'Province' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
    });
    after(() => app.close());

    it('validates as OpenAPI 3.1', async () => {
      for (const id of [provinces]) {
        const doc = await documentOf(id);
        assert.equal(doc.openapi, '3.1.0');
        const validator = new Validator();
        const result = await validator.validate(doc);
        assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
        assert.equal(validator.version, '3.1');
      }
    });

    it('describes each column: a typed filter parameter, a typed property, Lao and English titles', async () => {
      const doc = await documentOf(provinces);
      const operation = recordsGet(provinces)(doc);
      const parameters = operation.parameters as Parameter[];
      const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
      for (const name of [
        'select',
        'q',
        'order',
        'group_by',
        'agg',
        'limit',
        'offset',
        'cursor',
        'format',
      ]) {
        assert.ok(byName.has(name), name);
      }
      assert.deepEqual(
        ['code', 'name', 'population', 'density', 'census_date'].map((name) => [
          name,
          byName.get(name)?.schema['x-column-type'],
        ]),
        [
          ['code', 'string'],
          ['name', 'string'],
          ['population', 'integer'],
          ['density', 'number'],
          ['census_date', 'date'],
        ],
      );
      const population = byName.get('population')!;
      assert.match(population.description, /gte:/);
      assert.match(population.description, /in:a,b/);
      const pattern = new RegExp(population.schema.pattern!);
      assert.ok(pattern.test('gte:100000') && pattern.test('in:1,2') && pattern.test('null'));
      assert.ok(!pattern.test('gte:many') && !pattern.test('1 or 1=1'));
      assert.equal(population.example, 'eq:820940');
      assert.equal(byName.get('name')!.example, 'eq:ນະຄອນຫຼວງວຽງຈັນ');

      const row = doc.components.schemas.Row.properties;
      // Every population lies within ±2^53: answers hold it as a JSON number, never a string.
      assert.deepEqual(row.population.type, ['integer', 'null']);
      assert.deepEqual(row.density.type, ['number', 'null']);
      assert.equal(row.census_date.format, 'date');
      assert.equal(row.name.title, 'Province');
      assert.equal(row.name['x-title-lo'], 'ຊື່ແຂວງ');
      assert.deepEqual(row.name.examples, ['ນະຄອນຫຼວງວຽງຈັນ']);
      assert.match(doc.info['x-title-lo'], /API ຂໍ້ມູນ/);
      assert.match(doc.info.description, /ຕາຕະລາງ/);

      for (const format of ['csv', 'json', 'ndjson', 'xlsx', 'parquet', 'geojson']) {
        const exported = doc.paths[`/api/v1/resources/${provinces}/export.${format}`]?.get;
        assert.ok(exported, format);
        assert.ok(
          exported.parameters.some((parameter: Parameter) => parameter.name === 'population'),
        );
      }
    });

    it('gives examples from the real first rows, which the records endpoint answers as shown', async () => {
      const doc = await documentOf(provinces);
      const examples = recordsGet(provinces)(doc).responses['200'].content['application/json']
        .examples as Record<string, Example>;
      assert.deepEqual(Object.keys(examples), ['firstRows', 'filtered', 'grouped']);
      assert.deepEqual(
        examples.firstRows!.value.items.map((row) => row.code),
        ['LA01', 'LA02', 'LA03'],
      );
      assert.deepEqual(examples.firstRows!.value.items[0], {
        code: 'LA01',
        name: 'ນະຄອນຫຼວງວຽງຈັນ',
        population: 820940,
        density: 209.5,
        census_date: '2015-03-01',
      });
      for (const [name, example] of Object.entries(examples)) {
        const search = new URLSearchParams(example['x-query']).toString();
        const response = await call(
          null,
          'GET',
          `/api/v1/resources/${provinces}/records?${search}`,
        );
        assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
        assert.deepEqual(response.json(), example.value, name);
      }
      // Each column's parameter example is a filter that finds the first row again.
      for (const parameter of recordsGet(provinces)(doc).parameters as Parameter[]) {
        if (parameter.example === undefined) continue;
        const search = new URLSearchParams({ [parameter.name]: parameter.example, limit: '3' });
        const response = await call(
          null,
          'GET',
          `/api/v1/resources/${provinces}/records?${search}`,
        );
        assert.equal(response.statusCode, 200, `${parameter.name}: ${response.body}`);
        assert.ok(
          response.json().items.some((row: Record<string, unknown>) => row.code === 'LA01'),
          parameter.name,
        );
      }
      // The POST form of each example gives the same rows.
      const bodies = doc.paths[`/api/v1/resources/${provinces}/records`].post.requestBody.content[
        'application/json'
      ].examples as Record<string, { value: object }>;
      for (const [name, body] of Object.entries(bodies)) {
        const response = await call(
          null,
          'POST',
          `/api/v1/resources/${provinces}/records`,
          body.value,
        );
        assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
        assert.deepEqual(response.json().items, examples[name]!.value.items, name);
      }
    });

    it('groups its example by a column whose values repeat, and that example works too', async () => {
      const doc = await documentOf(districts);
      const examples = recordsGet(districts)(doc).responses['200'].content['application/json']
        .examples as Record<string, Example>;
      assert.equal(examples.grouped!['x-query'].group_by, 'province_code');
      assert.deepEqual(examples.grouped!.value.items[0], {
        province_code: 'LA01',
        count: 3,
        sum_households: 68190,
      });
      for (const [name, example] of Object.entries(examples)) {
        const search = new URLSearchParams(example['x-query']).toString();
        const response = await call(
          null,
          'GET',
          `/api/v1/resources/${districts}/records?${search}`,
        );
        assert.deepEqual(response.json(), example.value, name);
      }
      const validator = new Validator();
      assert.equal((await validator.validate(doc)).valid, true);
    });

    it('shows the start of a long cell in its examples, and filters on a short value', async () => {
      const long = 'ລາວ'.repeat(100_000);
      const [id] = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'long-cells',
        editor,
        files: [['notes.csv', `code,note\nA,${long}\nB,short\n`]],
      });
      const response = await call(editor, 'GET', `/api/v1/resources/${id}/openapi.json`);
      assert.equal(response.statusCode, 200, response.body);
      assert.ok(response.body.length < 100_000, `${response.body.length} bytes`);
      const examples = recordsGet(id!)(response.json()).responses['200'].content['application/json']
        .examples as Record<string, Example>;
      const first = (examples['firstRows']!.value as { items: Array<Record<string, string>> })
        .items[0]!;
      assert.equal(first['note'], `${long.slice(0, 200)}…`);
      assert.deepEqual(examples['filtered']?.['x-query'], { code: 'eq:A', limit: '3' });
    });

    it('documents the real demo tables, whose examples work, including a column named like a parameter', async () => {
      const files = ['provinces.csv', 'lao-population-worldbank.csv', 'lao-gdp-worldbank.csv'];
      const ids = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'demo-docs',
        editor,
        files: files.map(
          (name) => [name, readFileSync(join('demo', name), 'utf8')] as [string, string],
        ),
      });
      for (const [i, id] of ids.entries()) {
        const response = await call(editor, 'GET', `/api/v1/resources/${id}/openapi.json`);
        assert.equal(response.statusCode, 200, response.body);
        const doc = response.json();
        const validator = new Validator();
        const result = await validator.validate(doc);
        assert.equal(result.valid, true, `${files[i]}: ${JSON.stringify(result.errors)}`);
        const operation = recordsGet(id)(doc);
        const examples = operation.responses['200'].content['application/json'].examples as Record<
          string,
          Example
        >;
        assert.ok(Object.keys(examples).length >= 2, files[i]);
        for (const [name, example] of Object.entries(examples)) {
          const search = new URLSearchParams(example['x-query']).toString();
          const replayed = await call(editor, 'GET', `/api/v1/resources/${id}/records?${search}`);
          assert.deepEqual(replayed.json(), example.value, `${files[i]} ${name}`);
        }
        if (files[i] === 'provinces.csv') {
          const names = (operation.parameters as Parameter[]).map((parameter) => parameter.name);
          assert.equal(
            names.filter((name) => name === 'type').length,
            1,
            'type is the DATA.GO.KR alias only',
          );
          assert.match(operation.description, /\(type\) are filtered with the POST form/);
          assert.ok(names.includes('name_lo') && names.includes('pcode'));
          const filtered = await call(editor, 'POST', `/api/v1/resources/${id}/records`, {
            filters: { type: 'eq:prefecture' },
          });
          assert.deepEqual(
            filtered.json().items.map((row: Record<string, unknown>) => row.pcode),
            ['LA01'],
          );
        }
      }
    });

    it('offers curl, fetch and requests snippets with a key placeholder, and they work when run', async () => {
      const doc = await documentOf(provinces);
      const inDoc = recordsGet(provinces)(doc)['x-codeSamples'] as CodeSample[];
      assert.deepEqual(
        inDoc.map((sample) => sample.label),
        ['curl', 'fetch', 'requests'],
      );
      const response = await call(null, 'GET', `/api/v1/resources/${provinces}/snippets`);
      assert.equal(response.statusCode, 200, response.body);
      const { placeholder, items } = response.json() as {
        placeholder: string;
        items: CodeSample[];
      };
      assert.equal(placeholder, 'YOUR_API_KEY');
      assert.deepEqual(
        items
          .filter((sample) => sample.operation === 'records')
          .map(({ lang, label, source }) => ({ lang, label, source })),
        inDoc,
      );
      for (const sample of items) assert.match(sample.source, /YOUR_API_KEY/, sample.label);

      const filtered = (
        recordsGet(provinces)(doc).responses['200'].content['application/json'].examples as Record<
          string,
          Example
        >
      ).filtered!;
      const work = mkdtempSync(join(tmpdir(), 'khomoun-snippets-'));
      try {
        const withKey = (source: string) => source.replaceAll('YOUR_API_KEY', editor.token);
        const records = (label: string) =>
          withKey(
            items.find((sample) => sample.operation === 'records' && sample.label === label)!
              .source,
          );

        const curl = await run('sh', ['-c', records('curl')]);
        assert.deepEqual(JSON.parse(curl.stdout), filtered.value);

        writeFileSync(join(work, 'fetch.mjs'), records('fetch'));
        const node = await run(process.execPath, [join(work, 'fetch.mjs')]);
        assert.match(node.stdout, /ນະຄອນຫຼວງວຽງຈັນ/);

        // Python with `requests` is on developer machines and CI images, not on every server:
        // without it the snippet is at least compiled when Python exists.
        writeFileSync(
          join(work, 'snippet.py'),
          `${records('requests')}\nimport json\nprint(json.dumps(page))\n`,
        );
        if (await hasPythonRequests()) {
          const python = await run('python3', [join(work, 'snippet.py')]);
          assert.deepEqual(JSON.parse(python.stdout.trim().split('\n').at(-1)!), filtered.value);
        } else {
          assert.match(records('requests'), /requests\.get\(/);
        }

        const exported = await run(
          'sh',
          [
            '-c',
            withKey(items.find((s) => s.operation === 'export' && s.label === 'curl')!.source),
          ],
          {
            cwd: work,
          },
        );
        assert.equal(exported.stderr, '');
        const sql = await run('sh', [
          '-c',
          withKey(items.find((s) => s.operation === 'sql')!.source),
        ]);
        const answer = JSON.parse(sql.stdout);
        assert.ok(Array.isArray(answer.items) && answer.items.length > 0, sql.stdout);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('follows the table schema: a title edited by the publisher shows at once', async () => {
      const edited = await call(editor, 'PATCH', `/api/v1/resources/${provinces}/schema`, {
        fields: [{ name: 'code', title: { lo: 'ລະຫັດແຂວງ', en: 'Province code' } }],
      });
      assert.equal(edited.statusCode, 200, edited.body);
      const doc = await documentOf(provinces);
      assert.equal(doc.components.schemas.Row.properties.code.title, 'Province code');
      assert.equal(doc.components.schemas.Row.properties.code['x-title-lo'], 'ລະຫັດແຂວງ');

      // Explorers render descriptions as Markdown with HTML: a title is text there, not markup.
      const hostile = await call(editor, 'PATCH', `/api/v1/resources/${provinces}/schema`, {
        fields: [{ name: 'code', title: { en: '<img src=x onerror=alert(1)>' } }],
      });
      assert.equal(hostile.statusCode, 200, hostile.body);
      const descriptions: string[] = [];
      const collect = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(collect);
        else if (node !== null && typeof node === 'object')
          for (const [key, value] of Object.entries(node)) {
            if (key === 'description' && typeof value === 'string') descriptions.push(value);
            else collect(value);
          }
      };
      collect(await documentOf(provinces));
      assert.equal(descriptions.filter((text) => text.includes('<img')).length, 0);
      assert.ok(descriptions.some((text) => text.includes('&lt;img src=x onerror=alert(1)&gt;')));
    });

    it('is not shown for resources the caller may not read', async () => {
      for (const path of ['openapi.json', 'snippets', 'docs']) {
        for (const user of [null, outsider]) {
          const response = await call(user, 'GET', `/api/v1/resources/${hidden}/${path}`);
          assert.equal(response.statusCode, 404, `${path}: ${response.body}`);
        }
      }
      const own = await call(editor, 'GET', `/api/v1/resources/${hidden}/openapi.json`);
      assert.equal(own.statusCode, 200, own.body);
      const missing = await call(null, 'GET', '/api/v1/resources/not-a-uuid/openapi.json');
      assert.equal(missing.statusCode, 404);
    });

    it('opens in the API explorer', async () => {
      const response = await call(null, 'GET', `/api/v1/resources/${provinces}/docs`);
      assert.equal(response.statusCode, 302);
      const location = new URL(response.headers.location as string, publicUrl);
      assert.equal(location.pathname, '/api/docs/');
      assert.equal(location.searchParams.get('url'), `/api/v1/resources/${provinces}/openapi.json`);
      const initializer = await call(null, 'GET', '/api/docs/static/swagger-initializer.js');
      assert.equal(initializer.statusCode, 200);
      assert.match(initializer.body, /"queryConfigEnabled":true/);
      // The explorer may only fetch documents from this origin.
      const page = await call(null, 'GET', '/api/docs/');
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.doesNotMatch(csp, /connect-src [^;]*(\*|https?:)/);
    });
  });
}
