import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';
import { datasetWithTables, districtsCsv, provincesCsv } from './dataapi-sql-support.js';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
// s3rver ships no types; this is the little of it the test uses.
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

for (const engine of testEngines()) {
  describe(`SQL endpoint with files in S3 on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let server: S3rverInstance;
    let serverDir: string;
    let editor: TestUser;
    let provinces: string;
    let districts: string;

    before(async () => {
      const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
      serverDir = mkdtempSync(join(tmpdir(), 'khomoun-s3rver-'));
      server = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory: serverDir,
        configureBuckets: [{ name: 'khomoun-sql' }],
      });
      const { port } = await server.run();
      app = await startTestApp(engine, {
        config: {
          s3: {
            endpoint: `http://127.0.0.1:${port}`,
            bucket: 'khomoun-sql',
            region: 'us-east-1',
            accessKeyId: 'S3RVER',
            secretAccessKey: 'S3RVER',
            forcePathStyle: true,
          },
        },
      });
      assert.equal(app.blobs.localPath, undefined, 'the blob store is remote');
      const sysadmin = await app.createUser({ sysadmin: true });
      const admin = await app.createUser();
      editor = await app.createUser();
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
      ]);
      const ids = await datasetWithTables(app, call, {
        organization: 'lsb',
        slug: 'provinces-s3',
        editor,
        publishWith: admin,
        files: [
          ['provinces.csv', provincesCsv],
          ['districts.csv', districtsCsv],
        ],
      });
      provinces = ids[0]!;
      districts = ids[1]!;
    });
    after(async () => {
      await app.close();
      await server.close();
      rmSync(serverDir, { recursive: true, force: true });
    });

    it('reads the tables through a Parquet export of each table version, made once', async () => {
      // An export nobody has used for two days, of a table no longer served.
      const exports = join(app.tables.directory, 'sql');
      mkdirSync(exports, { recursive: true });
      const stale = join(exports, 'replaced-table.parquet');
      writeFileSync(stale, 'PAR1');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60_000);
      utimesSync(stale, twoDaysAgo, twoDaysAgo);

      const text = `select p.code, sum(d.households) as households
                      from "${provinces}" p join "${districts}" d on d.province_code = p.code
                     group by 1 order by 1`;
      const first = await call(null, 'POST', '/api/v1/sql', { sql: text });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().items, [
        { code: 'LA01', households: 68190 },
        { code: 'LA02', households: 6950 },
        { code: 'LA06', households: 18700 },
      ]);
      const exported = readdirSync(exports);
      assert.equal(exported.length, 2, `the stale export is gone: ${exported.join(', ')}`);
      assert.ok(exported.every((name) => name.endsWith('.parquet')));
      const again = await call(null, 'POST', '/api/v1/sql', { sql: text });
      assert.deepEqual(again.json(), first.json());
      assert.deepEqual(readdirSync(exports), exported);
    });
  });
}
