import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqlSandbox, defaultSandboxLimits } from '../src/dataapi/sql-sandbox.js';
import { apiCaller, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';
import { datasetWithTables, districtsCsv, provincesCsv } from './dataapi-sql-support.js';

for (const engine of testEngines()) {
  describe(`read-only SQL endpoint on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let editor: TestUser;
    let outsider: TestUser;
    let provinces: string;
    let districts: string;
    let hidden: string;

    const sql = (user: TestUser | null, text: string, extra: object = {}) =>
      call(user, 'POST', '/api/v1/sql', { sql: text, ...extra });

    before(async () => {
      app = await startTestApp(engine);
      const sysadmin = await app.createUser({ sysadmin: true });
      const admin = await app.createUser();
      [editor, outsider] = await Promise.all([app.createUser(), app.createUser()]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
      ]);
      await organizationWithMembers(call, sysadmin, 'moh', [[outsider, 'editor']]);
      const published = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'provinces-sql',
        editor,
        publishWith: admin,
        files: [
          ['provinces.csv', provincesCsv],
          ['districts.csv', districtsCsv],
        ],
      });
      [provinces, districts] = [published[0]!, published[1]!];
      const drafts = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'draft-sql',
        editor,
        files: [['secret.csv', 'code,salary\nA,1000\nB,2000\n']],
      });
      hidden = drafts[0]!;
    });
    after(() => app.close());

    it('joins two readable resources and answers typed JSON', async () => {
      const response = await sql(
        null,
        `select p.code, p.name, p.population, p.density, p.census_date,
                sum(d.households) as households, count(*) as districts
           from "${provinces}" p join "${districts}" d on d.province_code = p.code
          group by all order by p.code`,
      );
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(
        body.fields.map((field: { name: string; type: string }) => [field.name, field.type]),
        [
          ['code', 'string'],
          ['name', 'string'],
          ['population', 'integer'],
          ['density', 'number'],
          ['census_date', 'date'],
          ['households', 'integer'],
          ['districts', 'integer'],
        ],
      );
      assert.deepEqual(body.items, [
        {
          code: 'LA01',
          name: 'ນະຄອນຫຼວງວຽງຈັນ',
          population: 820940,
          density: 209.5,
          census_date: '2015-03-01',
          households: 68190,
          districts: 3,
        },
        {
          code: 'LA02',
          name: 'ຜົ້ງສາລີ',
          population: 177989,
          density: 11.6,
          census_date: '2015-03-01',
          households: 6950,
          districts: 1,
        },
        {
          code: 'LA06',
          name: 'ຫຼວງພະບາງ',
          population: 431889,
          density: 25.4,
          census_date: '2015-03-01',
          households: 18700,
          districts: 1,
        },
      ]);
      assert.equal(body.truncated, false);
    });

    it('computes aggregates, CTEs and set operations, with big integers as strings and ISO times', async () => {
      const response = await sql(
        null,
        `with big as (select code, population from "${provinces}" where population > 400000)
         select count(*) as n, sum(population) as total, avg(population) as mean,
                max(population) - min(population) as spread,
                9007199254740993::bigint as beyond_double,
                timestamp '2015-03-01 08:30:00' as taken_at
           from big
         union all
         select 0, 0, 0, 0, 0, timestamp '2016-01-01 00:00:00'`,
      );
      assert.equal(response.statusCode, 200, response.body);
      const [first, second] = response.json().items;
      assert.deepEqual(first, {
        n: 2,
        total: 1252829,
        mean: 626414.5,
        spread: 389051,
        beyond_double: '9007199254740993',
        taken_at: '2015-03-01T08:30:00',
      });
      assert.equal(second.n, 0);
      assert.equal(second.beyond_double, 0);
    });

    it('answers lists, structs and zoned times as JSON', async () => {
      const response = await sql(
        null,
        `select list(code order by code) as codes, {'code': min(code), 'people': max(population)} as top,
                timestamptz '2015-03-01 08:30:00+00' as at_utc
           from "${provinces}"`,
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().items, [
        {
          codes: ['LA01', 'LA02', 'LA03', 'LA06'],
          top: { code: 'LA01', people: 820940 },
          at_utc: '2015-03-01T08:30:00+00:00',
        },
      ]);
      assert.deepEqual(
        response.json().fields.map((field: { type: string }) => field.type),
        ['array', 'object', 'datetime'],
      );
    });

    it('cuts answers at the row cap and says so', async () => {
      const response = await sql(null, `select district from "${districts}" order by _row`, {
        limit: 2,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().items, [{ district: 'ຈັນທະບູລີ' }, { district: 'ສີໂຄດຕະບອງ' }]);
      assert.equal(response.json().truncated, true);
      const tooMany = await sql(null, 'select 1', { limit: defaultSandboxLimits.maxRows + 1 });
      assert.equal(tooMany.statusCode, 400);
      const tooLong = await sql(null, 'select 1', { timeoutSeconds: 3600 });
      assert.equal(tooLong.statusCode, 400);
    });

    it('hides resources the caller may not read, naming the id', async () => {
      for (const user of [null, outsider]) {
        const response = await sql(user, `select * from "${hidden}"`);
        assert.equal(response.statusCode, 404, response.body);
        assert.match(errorOf(response).message, new RegExp(hidden));
      }
      const joined = await sql(null, `select * from "${provinces}", "${hidden}"`);
      assert.equal(joined.statusCode, 404);
      const owner = await sql(editor, `select sum(salary) as total from "${hidden}"`);
      assert.equal(owner.statusCode, 200, owner.body);
      assert.deepEqual(owner.json().items, [{ total: 3000 }]);
      const missing = await sql(null, 'select * from "00000000-0000-4000-8000-000000000000"');
      assert.equal(missing.statusCode, 404);
    });

    it('names unknown columns and bad SQL in a 400', async () => {
      const unknown = await sql(null, `select nope from "${provinces}"`);
      assert.equal(unknown.statusCode, 400);
      assert.match(errorOf(unknown).message, /nope/);
      // Its context line quotes the caller's statement, not the one the sandbox wraps it in.
      assert.match(errorOf(unknown).message, /LINE 1: select nope from/);
      assert.doesNotMatch(errorOf(unknown).message, /query\(/);
      const failed = await sql(
        null,
        `select cast(case when code = 'LA06' then 'x' else population::varchar end as integer) as n from "${provinces}"`,
      );
      assert.equal(failed.statusCode, 400);
      assert.match(errorOf(failed).message, /Could not convert string 'x'/);
      assert.doesNotMatch(errorOf(failed).message, /query\(/);
      const broken = await sql(null, 'selec 1');
      assert.equal(broken.statusCode, 400);
      assert.equal(errorOf(broken).details instanceof Array, true);
    });

    it('refuses every escape attempt with a 400 that says why', async () => {
      const attempts: Array<[string, RegExp]> = [
        ["attach '/tmp/khomoun-x.duckdb' as x", /only a single read-only SELECT/],
        ["copy (select 1) to '/tmp/khomoun-out.csv'", /only a single read-only SELECT/],
        [`copy "${provinces}" to '/tmp/khomoun-out.csv'`, /only a single read-only SELECT/],
        ["select * from read_csv('/etc/passwd')", /read_csv/],
        ["select * from read_text('/etc/passwd')", /read_text/],
        ["select * from read_blob('/etc/passwd')", /read_blob/],
        ["select * from read_parquet('/tmp/*.parquet')", /read_parquet/],
        ["select * from glob('/*')", /glob/],
        ["select * from query('select 1')", /query/],
        ['pragma database_list', /only a single read-only SELECT/],
        ['install httpfs', /only a single read-only SELECT/],
        ['load httpfs', /only a single read-only SELECT/],
        ['set enable_external_access = true', /only a single read-only SELECT/],
        ['reset memory_limit', /only a single read-only SELECT/],
        ['select 1; drop table x', /only a single read-only SELECT/],
        ['select 1; select 2', /exactly one SELECT statement is allowed, found 2/],
        ["select 1 /* a comment */ ; attach '/tmp/x'", /only a single read-only SELECT/],
        ["select 1 -- a comment\n; attach '/tmp/x'", /only a single read-only SELECT/],
        ['call duckdb_settings()', /only a single read-only SELECT/],
        ["export database '/tmp/khomoun-dump'", /only a single read-only SELECT/],
        ['create table x as select 1', /only a single read-only SELECT/],
        [`insert into "${provinces}" values ('X', 'x', 1, 1, null)`, /only a single/],
        [`update "${provinces}" set population = 0`, /only a single read-only SELECT/],
        [`delete from "${provinces}"`, /only a single read-only SELECT/],
        [`drop table "${provinces}"`, /only a single read-only SELECT/],
        [
          `with x as (delete from "${provinces}" returning *) select * from x`,
          /CTE needs a SELECT/,
        ],
        ['vacuum', /only a single read-only SELECT/],
        ['checkpoint', /only a single read-only SELECT/],
        ["select getenv('HOME')", /getenv/],
        ["select current_setting('memory_limit')", /current_setting/],
        ["select getvariable('x')", /getvariable/],
        ['select * from duckdb_settings()', /duckdb_settings/],
        ['select * from duckdb_tables()', /duckdb_tables/],
        ['select * from information_schema.tables', /without a schema/],
        ['select * from pg_catalog.pg_class', /without a schema/],
        [`select * from memory.main."${provinces}"`, /without a schema/],
        ['select * from sqlite_master', /not a table here/],
        ["from 'file.csv'", /not a table here/],
        ["select * from '/etc/passwd'", /not a table here/],
        ["select * from 'https://example.org/data.parquet'", /not a table here/],
        ['select * from U&"\\0072ead_csv"(\'/etc/passwd\')', /unicode|read_csv/i],
        ['select * from "read_csv"(\'/etc/passwd\')', /read_csv/],
        [`describe "${provinces}"`, /SHOW_REF is not allowed/],
        ['show tables', /SHOW_REF is not allowed/],
        [`summarize "${provinces}"`, /SHOW_REF is not allowed/],
        ['select version()', /version/],
        ["select json_serialize_sql('select 1')", /json_serialize_sql/],
        [`select * from "${provinces}" at (version => 1)`, /time travel/],
        ['select pg_sleep(600)', /pg_sleep/],
        ['select sleep_ms(600000)', /sleep_ms/],
        ["select system.main.getenv('HOME')", /getenv|built-in/],
        [`pivot "${provinces}" on code using sum(population)`, /only a single read-only SELECT/],
      ];
      assert.ok(attempts.length >= 20);
      for (const [text, reason] of attempts) {
        const response = await sql(editor, text);
        assert.equal(response.statusCode, 400, `${text}: ${response.body}`);
        const error = errorOf(response);
        assert.equal(error.code, 'VALIDATION_FAILED', text);
        assert.match(error.message, /^sql: /, text);
        assert.match(error.message, reason, text);
      }
      // Nothing was changed by any of them.
      const count = await sql(null, `select count(*) as n from "${provinces}"`);
      assert.deepEqual(count.json().items, [{ n: 4 }]);
    });

    it('stops a query that would run for minutes (408) while the server keeps answering', async () => {
      const started = Date.now();
      const pending = sql(
        null,
        `select count(*) from
           (select unnest(generate_series(1, 200000)) as x from "${provinces}") a,
           (select unnest(generate_series(1, 200000)) as y from "${provinces}") b
          where a.x + b.y = -1`,
        { timeoutSeconds: 1.5 },
      );
      let healthWhileRunning = 0;
      let answeredWhileRunning = false;
      const health = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const response = await call(null, 'GET', '/healthz');
        healthWhileRunning = response.statusCode;
        answeredWhileRunning = Date.now() - started < 1400;
      })();
      const response = await pending;
      await health;
      assert.equal(response.statusCode, 408, response.body);
      assert.equal(errorOf(response).code, 'QUERY_TIMEOUT');
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 5000, `stopped after ${elapsed} ms`);
      assert.equal(healthWhileRunning, 200);
      assert.ok(answeredWhileRunning, '/healthz answered before the query was stopped');
    });

    it('stops a query that would exhaust memory (422)', async () => {
      const response = await sql(
        null,
        `select string_agg(repeat(name, 100), ',') from
           (select name, unnest(generate_series(1, 2000000)) from "${provinces}")`,
        { timeoutSeconds: 8 },
      );
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(errorOf(response).code, 'QUERY_TOO_LARGE');
      const after = await sql(null, `select count(*) as n from "${districts}"`);
      assert.deepEqual(after.json().items, [{ n: 5 }], 'the next query runs normally');
    });
  });
}

describe('SQL sandbox without the checker (defence in depth)', () => {
  const sandbox = createSqlSandbox();
  after(() => sandbox.close());
  const directory = process.env.TMPDIR ?? '/tmp';
  const allowed = join(directory, `khomoun-sandbox-${process.pid}.parquet`);
  const secret = join(directory, `khomoun-sandbox-${process.pid}.txt`);

  before(async () => {
    writeFileSync(secret, 'secret\n');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`copy (select 1 as _row, 'a' as v) to '${allowed}' (format parquet)`);
    connection.closeSync();
    instance.closeSync();
  });

  const table = { resourceId: '11111111-1111-4111-8111-111111111111', parquetPath: '' };
  const run = (text: string) => sandbox.run(text, [{ ...table, parquetPath: allowed }]);

  it('reads its own views', async () => {
    const result = await run(`select v from "${table.resourceId}"`);
    assert.deepEqual(result.items, [{ v: 'a' }]);
  });

  it('opens no other file, loads nothing, and cannot unlock itself', async () => {
    const refused: Array<[string, RegExp]> = [
      [`select * from read_csv('${secret}')`, /file system operations are disabled/],
      [`select * from read_text('${secret}')`, /file system operations are disabled/],
      [`select * from read_text('${allowed}/../${secret.split('/').at(-1)}')`, /disabled/],
      [`select * from '${secret}'`, /does not exist/],
      [`select * from glob('${directory}/*')`, /file system operations are disabled/],
      // Statements other than one query do not even reach DuckDB's own locks: the sandbox runs
      // what it is given through query(), which takes a single SELECT only.
      ["attach '/tmp/khomoun-attached.duckdb' as x", /single SELECT statement/],
      ["copy (select 1) to '/tmp/khomoun-copied.csv'", /single SELECT statement/],
      ['install httpfs', /single SELECT statement/],
      ['load httpfs', /single SELECT statement/],
      ["select * from read_parquet('https://example.org/x.parquet')", /disabled|not/],
      ['set enable_external_access = true', /single SELECT statement/],
      ["set allowed_paths = ['/']", /single SELECT statement/],
      ["set memory_limit = '100GB'", /single SELECT statement/],
      ['reset lock_configuration', /single SELECT statement/],
      ["select current_setting('memory_limit') as v; set memory_limit = '100GB'", /single SELECT/],
    ];
    for (const [text, reason] of refused) {
      await assert.rejects(run(text), (error: Error) => reason.test(error.message), text);
    }
  });

  it('fails a statement whose rows fail after some were read, rather than answer those', async () => {
    // Rows 0–4,999 cast; the 5,000th does not. Streamed, DuckDB handed over its first chunks
    // and then ended as if done: 4,096 rows, not cut, no error.
    const failing = `select cast(case when i = 5000 then 'x' else i::varchar end as integer) as n
      from range(100000) t(i)`;
    await assert.rejects(run(failing), (error: Error) =>
      /Could not convert string 'x'/.test(error.message),
    );
    // Past the row cap the failing row is never read: the answer is cut, and says so.
    const late = await run(failing.replace('i = 5000', 'i = 50000'));
    assert.equal(late.truncated, true);
    assert.equal(late.items.length, defaultSandboxLimits.maxRows);
  });

  it('still runs a PIVOT whose columns come from its data', async () => {
    const result = await run(
      'select * from (pivot (select i % 3 as a, i as b from range(10) t(i)) on a using sum(b))',
    );
    assert.deepEqual(result.items, [{ '0': 18, '1': 12, '2': 15 }]);
  });

  it('shows nothing but the query’s own views in the catalog', async () => {
    const result = await run(
      `select table_name as name from duckdb_tables() union all select view_name from duckdb_views() where not internal`,
    );
    assert.deepEqual(result.items, [{ name: table.resourceId }]);
  });

  it('fails at once on a value larger than its address space, and keeps serving', async () => {
    const started = Date.now();
    await assert.rejects(
      run("select length(repeat('x', 3000000000)) as n"),
      (error: Error) => error.name === 'QueryTooLarge',
    );
    await assert.rejects(
      run('select len(generate_series(1, 400000000)) as n'),
      (error: Error) => error.name === 'QueryTooLarge',
    );
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.deepEqual((await run('select 42 as n')).items, [{ n: 42 }]);
  });

  it('cuts an answer past its byte cap', async () => {
    const result = await run(
      "select repeat('x', 100000) as x from (select unnest(generate_series(1, 1000)))",
    );
    assert.equal(result.truncated, true);
    const bytes = Buffer.byteLength(JSON.stringify(result.items));
    assert.ok(
      bytes <= defaultSandboxLimits.maxBytes && result.items.length > 100,
      `${bytes} bytes`,
    );
  });

  it('ends a statement that ignores its interrupt with its process, and starts another', async () => {
    const started = Date.now();
    await assert.rejects(
      sandbox.run("select length(lpad('x', 1500000000, 'y')) as n", [], { timeLimitMs: 500 }),
      (error: Error) => error.name === 'QueryTimedOut',
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 500 + defaultSandboxLimits.interruptGraceMs + 2000, `took ${elapsed} ms`);
    assert.deepEqual((await run('select 42 as n')).items, [{ n: 42 }]);
  });
});
