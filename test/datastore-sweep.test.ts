// A server may run no ingest workers (INGEST_WORKERS=0) when separate `khomoun worker` processes
// do. Should such a worker die in the middle of an ingest, the server's own sweep of lost ingests
// tells the truth: the ingest waits for a worker (queued), instead of showing running for ever.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { markDoneAndServe, markFailed, recordProgress } from '../src/datastore/queries.js';
import { apiCaller, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers, uploadResource } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`a server without ingest workers, on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let editor: TestUser;

    before(async () => {
      app = await startTestApp(engine, { config: { ingestWorkers: 0 } });
      const sysadmin = await app.createUser({ sysadmin: true });
      editor = await app.createUser();
      await organizationWithMembers(call, sysadmin, 'lsb', [[editor, 'editor']]);
    });
    after(() => app.close());

    const upload = (datasetId: string) =>
      uploadResource(app, editor, datasetId, {
        name: 'd.csv',
        bytes: Buffer.from('a,b\n1,2\n'),
        title: 'Districts',
      });

    it('ends the queued ingests of a file when a newer one of the same file is queued', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'reruns',
      });
      const resourceId = await upload(created.json().id);
      for (let i = 0; i < 3; i += 1) {
        const rerun = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {});
        assert.equal(rerun.statusCode, 202, rerun.body);
      }
      const states = await app.database.db
        .selectFrom('datastore_ingests')
        .select(['state', 'error'])
        .where('resource_id', '=', resourceId)
        .orderBy('created_at')
        .execute();
      assert.deepEqual(
        states.map((row) => row.state),
        ['failed', 'failed', 'failed', 'queued'],
      );
      assert.match(states[0]!.error ?? '', /replaced by a newer ingest of the same file/);
    });

    it('lets a try that was given up on change nothing once a later try has started', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'overtaken',
      });
      const resourceId = await upload(created.json().id);
      const db = app.database.db;
      // The second try runs; the first, given up on by the sweep, is still alive.
      const row = await db
        .updateTable('datastore_ingests')
        .set({ state: 'running', attempts: 2, rows_done: 10, heartbeat_at: new Date() })
        .where('resource_id', '=', resourceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const first = { id: row.id, attempts: 1 };
      await recordProgress(db, first, { rows: 999, bytes: 999 }, new Date());
      await markFailed(db, first, 'the first try failed late', null, new Date(), true);
      const done = await markDoneAndServe(
        db,
        first,
        {
          report: {},
          tableSchema: { fields: [] },
          tableName: 't_first',
          parquetSha256: 'f'.repeat(64),
          rowCount: 1,
          bytes: 8,
        },
        new Date(),
      );
      assert.equal(done, 'overtaken');
      const after = await db
        .selectFrom('datastore_ingests')
        .select(['state', 'attempts', 'rows_done', 'error', 'table_name'])
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(after, {
        state: 'running',
        attempts: 2,
        rows_done: 10,
        error: null,
        table_name: null,
      });
    });

    it('queues again an ingest whose worker went silent', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', completeDataset);
      const resourceId = await upload(created.json().id);
      // A worker elsewhere took it, and died a minute ago.
      await sql`update datastore_ingests set state = 'running', attempts = 1, rows_done = 500,
        started_at = now() - interval '2 minutes', heartbeat_at = now() - interval '1 minute'
        where resource_id = ${resourceId}`.execute(app.database.db);
      let status: { state: string; rows: number } = { state: '', rows: 0 };
      // The sweep runs every ten seconds.
      for (let i = 0; i < 150 && status.state !== 'queued'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest`)).json();
      }
      assert.equal(status.state, 'queued', JSON.stringify(status));
      assert.equal(status.rows, 0);
    });
  });
}
