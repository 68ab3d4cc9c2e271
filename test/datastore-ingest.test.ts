import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  apiCaller,
  bearer,
  errorOf,
  startTestApp,
  type TestApp,
  type TestUser,
} from './helpers/app.js';
import {
  completeDataset,
  organizationWithMembers,
  settledIngest,
  uploadResource,
} from './helpers/catalog.js';
import { fixture } from './datastore-readers-support.js';
import { testEngines } from './helpers/engines.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';

/** A province table as a ministry would send it: title row, Lao names, Lao decimals, notes. */
const provinces = [
  'ສະຖິຕິ ປະຊາກອນ ຕາມແຂວງ 2015;;;',
  ';;;',
  'ລະຫັດ;ແຂວງ;ປະຊາກອນ;ຄວາມໜາແໜ້ນ',
  'LA01;ນະຄອນຫຼວງວຽງຈັນ;820.940;209,5',
  'LA02;ຜົ້ງສາລີ;177.989;11,6',
  'LA03;ຫຼວງນ້ຳທາ;175.753;18,9',
  'LA06;ຫຼວງພະບາງ;431.889;25,4',
  ';;;',
  'ແຫຼ່ງຂໍ້ມູນ: ສູນສະຖິຕິແຫ່ງຊາດ;;;',
].join('\r\n');

for (const engine of testEngines()) {
  describe(`datastore ingest on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let admin: TestUser;
    let editor: TestUser;

    const upload = (datasetId: string, name: string, bytes: Buffer) =>
      uploadResource(app, editor, datasetId, { name, bytes, title: 'Provinces' });

    /** Polls the ingest status until it settles. */
    /** The format the upload recorded for a resource. */
    const formatOf = async (datasetId: string, resourceId: string) =>
      (await call(editor, 'GET', `/api/v1/datasets/${datasetId}`))
        .json()
        .resources.find((r: { id: string }) => r.id === resourceId).format;
    const settled = (resourceId: string, user: TestUser | null = editor) =>
      settledIngest(call, user, resourceId);

    const rowsOf = async (tableName: string) =>
      app.tables.withConnection(async (c) => {
        const reader = await c.runAndReadAll(`select * from "${tableName}" order by _row`);
        return reader.getRowObjectsJS();
      });

    before(async () => {
      app = await startTestApp(engine);
      const sysadmin = await app.createUser({ sysadmin: true });
      [admin, editor] = await Promise.all([app.createUser(), app.createUser()]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
      ]);
    });
    after(() => app.close());

    it('makes the column names of a served table searchable at once', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'school-columns',
      });
      assert.equal(created.statusCode, 201, created.body);
      const search = async () =>
        (await call(editor, 'GET', '/api/v1/search?q=enrolment')).json() as {
          results: Array<{ slug: string }>;
        };
      assert.ok(!(await search()).results.some((result) => result.slug === 'school-columns'));
      const csv = 'district,enrolment\nXaythany,1200\nSikhottabong,950\n';
      const resourceId = await upload(created.json().id, 'schools.csv', Buffer.from(csv));
      assert.equal((await settled(resourceId)).state, 'done');
      const found = await search();
      assert.ok(
        found.results.some((result) => result.slug === 'school-columns'),
        JSON.stringify(found),
      );
    });

    it('reads a messy semicolon CSV into a typed table with a report of its decisions', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-ingest',
      });
      assert.equal(created.statusCode, 201, created.body);
      const resourceId = await upload(created.json().id, 'ແຂວງ.csv', Buffer.from(provinces));
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', JSON.stringify(status));
      assert.equal(status.rows, 4);
      assert.equal(status.serving, true);

      const schema = (await call(editor, 'GET', `/api/v1/resources/${resourceId}/schema`)).json();
      assert.deepEqual(
        schema.fields.map((field: { name: string; type: string }) => [field.name, field.type]),
        [
          ['ລະຫັດ', 'string'],
          ['ແຂວງ', 'string'],
          ['ປະຊາກອນ', 'integer'],
          ['ຄວາມໜາແໜ້ນ', 'number'],
        ],
      );
      assert.deepEqual(schema.fields[0].title, { lo: 'ລະຫັດ' });

      const report = (
        await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest/report`)
      ).json();
      const decided = (topic: string) =>
        report.decisions.filter((d: { topic: string }) => d.topic === topic);
      assert.equal(decided('delimiter')[0]?.value, ';');
      assert.equal(decided('header-row')[0]?.value, '3');
      assert.equal(decided('notes-below').length, 1);
      assert.equal(report.valid, true, JSON.stringify(report.errors));

      const ingest = await app.database.db
        .selectFrom('datastore_ingests')
        .select(['table_name', 'parquet_sha256'])
        .where('resource_id', '=', resourceId)
        .executeTakeFirstOrThrow();
      const rows = await rowsOf(ingest.table_name!);
      assert.deepEqual(rows[0], {
        _row: 4n,
        ລະຫັດ: 'LA01',
        ແຂວງ: 'ນະຄອນຫຼວງວຽງຈັນ',
        ປະຊາກອນ: 820940n,
        ຄວາມໜາແໜ້ນ: 209.5,
      });
      assert.equal(rows.length, 4);
      assert.ok(await app.blobs.stat(ingest.parquet_sha256!), 'the Parquet copy is stored');
    });

    it('gives the table store its threads back after loading a table on one', async () => {
      const threads = () =>
        app.tables.withConnection(async (c) => {
          const reader = await c.runAndReadAll(`select current_setting('threads')`);
          return Number(reader.getRows()[0]?.[0]);
        });
      const before = await threads();
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-threads',
      });
      assert.equal(created.statusCode, 201, created.body);
      const datasetId = created.json().id as string;
      // Two at once: whichever load ends last restores the count.
      const resources = await Promise.all([
        upload(datasetId, 'a.csv', Buffer.from(provinces)),
        upload(datasetId, 'b.csv', Buffer.from(provinces)),
      ]);
      for (const resourceId of resources) assert.equal((await settled(resourceId)).state, 'done');
      assert.equal(await threads(), before);
    });

    it('re-runs with a column forced to text, and keeps serving the old table until it is done', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-override',
      });
      const resourceId = await upload(created.json().id, 'provinces.csv', Buffer.from(provinces));
      const first = await settled(resourceId);
      assert.equal(first.state, 'done');

      const misnamed = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        encoding: 'lao-1133',
      });
      assert.equal(misnamed.statusCode, 400, 'an unknown encoding is refused, not queued');
      assert.match(errorOf(misnamed).message, /unknown text encoding "lao-1133"/);
      // Names iconv-lite knows that are no file's text encoding: refused as unknown too.
      for (const scheme of ['base64', 'Hex', 'cesu-8']) {
        const refused = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
          encoding: scheme,
        });
        assert.equal(refused.statusCode, 400, `${scheme}: ${refused.body}`);
      }
      const rerun = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        types: { ປະຊາກອນ: { type: 'text' } },
      });
      assert.equal(rerun.statusCode, 202, rerun.body);
      assert.notEqual(rerun.json().id, first.id);
      const second = await settled(resourceId);
      assert.equal(second.id, rerun.json().id);
      assert.equal(second.state, 'done');
      assert.equal(second.serving, true);
      const schema = (await call(editor, 'GET', `/api/v1/resources/${resourceId}/schema`)).json();
      assert.equal(schema.fields[2].type, 'string');

      // Queries that began on the old table finish on it: it is dropped two minutes later.
      const { table_name: oldTable } = await app.database.db
        .selectFrom('datastore_ingests')
        .select('table_name')
        .where('id', '=', first.id)
        .executeTakeFirstOrThrow();
      assert.ok(oldTable);
      assert.equal((await rowsOf(oldTable)).length, 4, 'the old table is still there');
      const { rows: drops } = await sql<{ delay: number }>`
        SELECT extract(epoch FROM start_after - created_on)::float AS delay FROM pgboss.job
        WHERE name = 'datastore-drop-table' AND data ->> 'tableName' = ${oldTable}`.execute(
        app.database.db,
      );
      assert.equal(drops.length, 1);
      assert.ok(drops[0]!.delay >= 115, `dropped after ${drops[0]!.delay} s`);
    });

    it('keeps the previous table serving when a replacement file cannot be read', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-replace',
      });
      const datasetId = created.json().id as string;
      const resourceId = await upload(datasetId, 'provinces.csv', Buffer.from(provinces));
      const first = await settled(resourceId);
      assert.equal(first.state, 'done');

      // Bytes that are no table of any kind: the replacement's ingest fails.
      const replaced = await app.http.inject({
        method: 'PUT',
        url: `/api/v1/datasets/${datasetId}/resources/${resourceId}/file`,
        headers: { ...bearer(editor.token), ...multipartHeaders },
        payload: multipart({}, { name: 'provinces.csv', bytes: Buffer.alloc(4096, 0xff) }),
      });
      assert.equal(replaced.statusCode, 200, replaced.body);
      const second = await settled(resourceId);
      assert.equal(second.state, 'failed');
      assert.match(second.error, /not a table/);
      assert.equal(second.serving, false);

      const serving = await app.database.db
        .selectFrom('resources')
        .select('datastore_ingest_id')
        .where('id', '=', resourceId)
        .executeTakeFirstOrThrow();
      assert.equal(serving.datastore_ingest_id, first.id, 'the first table still serves');
      const report = (
        await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest/report`)
      ).json();
      assert.equal(report.totals['source-error'], 1);
    });

    it('tells the publisher to remove the password of a protected workbook', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'protected-workbook',
      });
      const datasetId = created.json().id as string;
      // What Excel writes for a password: an OLE compound file with an EncryptedPackage stream.
      const encrypted = Buffer.concat([
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
        Buffer.alloc(504),
        Buffer.from('Root Entry\0EncryptionInfo\0EncryptedPackage\0', 'utf16le'),
        Buffer.alloc(4096, 7),
      ]);
      const resourceId = await upload(datasetId, 'ງົບປະມານ.xlsx', encrypted);
      assert.equal(await formatOf(datasetId, resourceId), 'XLSX');
      const status = await settled(resourceId);
      assert.equal(status.state, 'failed');
      assert.match(status.error, /password-protected; remove the password and upload it again/);
    });

    it('tells why random bytes named .csv are not a table, in a stored failed ingest', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'random-bytes',
      });
      const datasetId = created.json().id as string;
      // Control characters throughout: the upload cannot tell what this is (BIN).
      const bytes = Buffer.alloc(8192);
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 256;
      const resourceId = await upload(datasetId, 'report.csv', bytes);
      assert.equal(await formatOf(datasetId, resourceId), 'BIN');
      const status = await settled(resourceId);
      assert.equal(status.state, 'failed');
      assert.match(status.error, /not a table Khomoun can read \(binary/);
      assert.equal(status.attempts, 1, 'a file that is not a table is not tried again');
      const report = (
        await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest/report`)
      ).json();
      assert.equal(report.totals['source-error'], 1);
    });

    it('reads a fixed-width text file once its layout is given', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-fixed-width',
      });
      const text = ['LA01ນະຄອນຫຼວງວຽງຈັນ  820940', 'LA06ຫຼວງພະບາງ         431889', ''].join('\n');
      const resourceId = await upload(created.json().id, 'provinces.txt', Buffer.from(text));
      // Plain text is no table by itself: nothing is queued until a layout says how to read it.
      assert.equal(
        (await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest`)).statusCode,
        404,
      );
      const rerun = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        fixedWidth: {
          fields: [
            { name: 'pcode', start: 1, width: 4 },
            { name: 'ແຂວງ', start: 5, width: 17 },
            { name: 'ປະຊາກອນ', start: 22, width: 7 },
          ],
        },
      });
      assert.equal(rerun.statusCode, 202, rerun.body);
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', JSON.stringify(status));
      assert.equal(status.rows, 2);
      const schema = (await call(editor, 'GET', `/api/v1/resources/${resourceId}/schema`)).json();
      assert.deepEqual(
        schema.fields.map((field: { name: string; type: string }) => [field.name, field.type]),
        [
          ['pcode', 'string'],
          ['ແຂວງ', 'string'],
          ['ປະຊາກອນ', 'integer'],
        ],
      );
    });

    it('lets the publisher title the columns at once, and add constraints that are checked on a re-run', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-schema',
      });
      const resourceId = await upload(created.json().id, 'provinces.csv', Buffer.from(provinces));
      const first = await settled(resourceId);
      const url = `/api/v1/resources/${resourceId}/schema`;

      const titled = await call(editor, 'PATCH', url, {
        fields: [{ name: 'ລະຫັດ', title: { lo: 'ລະຫັດແຂວງ', en: 'Province code' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
      assert.equal(titled.json().ingest, null, 'titles need no re-run');
      const shown = (await call(null, 'GET', url)).statusCode;
      assert.equal(shown, 404, 'still a draft: hidden from outsiders');
      assert.deepEqual((await call(editor, 'GET', url)).json().fields[0].title, {
        lo: 'ລະຫັດແຂວງ',
        en: 'Province code',
      });

      const badPattern = await call(editor, 'PATCH', url, {
        fields: [{ name: 'ລະຫັດ', constraints: { pattern: '(' } }],
      });
      assert.equal(badPattern.statusCode, 400);
      const unknown = await call(editor, 'PATCH', url, {
        fields: [{ name: 'nope', title: { en: 'x' } }],
      });
      assert.equal(unknown.statusCode, 400);
      // DuckDB checks patterns with RE2: no back-references, no look-around.
      const backReference = await call(editor, 'PATCH', url, {
        fields: [{ name: 'ແຂວງ', constraints: { pattern: '(a)\\1' } }],
      });
      assert.equal(backReference.statusCode, 400);
      assert.match(
        errorOf(backReference).message,
        /not a pattern DuckDB can check: invalid escape/,
      );
      const wrongFormat = await call(editor, 'PATCH', url, {
        fields: [{ name: 'ປະຊາກອນ', type: 'date', format: 'decimal-comma' }],
      });
      assert.equal(wrongFormat.statusCode, 400);
      assert.match(errorOf(wrongFormat).message, /a date column is written dmy or mdy/);
      const rerunUnknown = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        types: { nope: { type: 'text' } },
      });
      assert.equal(rerunUnknown.statusCode, 400);
      assert.match(
        errorOf(rerunUnknown).message,
        /the table has no column "nope"; its columns are/,
      );

      const constrained = await call(editor, 'PATCH', url, {
        fields: [
          { name: 'ລະຫັດ', constraints: { pattern: 'LA0[1-5]', required: true } },
          { name: 'ປະຊາກອນ', constraints: { minimum: 200000 } },
          { name: 'ແຂວງ', constraints: { unique: true } },
        ],
      });
      assert.equal(constrained.statusCode, 200, constrained.body);
      const queued = constrained.json().ingest;
      assert.notEqual(queued.id, first.id);
      const second = await settled(resourceId);
      assert.equal(second.id, queued.id);
      assert.equal(second.state, 'done');
      assert.equal(second.serving, true);
      const report = (
        await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest/report`)
      ).json();
      assert.equal(report.totals['constraint-error'], 3, JSON.stringify(report.errors));
      const breaches = report.errors
        .filter((error: { code: string }) => error.code === 'constraint-error')
        .map((error: { rowNumber: number; fieldName: string }) => [
          error.rowNumber,
          error.fieldName,
        ]);
      assert.deepEqual(breaches, [
        [7, 'ລະຫັດ'],
        [5, 'ປະຊາກອນ'],
        [6, 'ປະຊາກອນ'],
      ]);
      const schema = (await call(editor, 'GET', url)).json();
      assert.equal(schema.fields[0].title.en, 'Province code', 'titles survive the re-run');
      assert.deepEqual(schema.fields[2].constraints, { minimum: 200000 });
    });

    it('fails a re-run for good when its options cannot work, and the schema stays editable', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'report-workbook',
      });
      const resourceId = await upload(
        created.json().id,
        'report.xlsm',
        readFileSync(fixture('lao-provinces-report.xlsm')),
      );
      const first = await settled(resourceId);
      assert.equal(first.state, 'done', JSON.stringify(first));
      const rerun = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        sheet: 'ປະຊາກອນ',
      });
      assert.equal(rerun.statusCode, 202, rerun.body);
      const failed = await settled(resourceId);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.attempts, 1, 'not tried again: the next try would fail the same way');
      assert.match(failed.error, /no sheet "ປະຊາກອນ"; its sheets are "ປົກ", "ແຂວງ", "ສະຖິຕິ"/);
      const url = `/api/v1/resources/${resourceId}/schema`;
      const schema = (await call(editor, 'GET', url)).json();
      const titled = await call(editor, 'PATCH', url, {
        fields: [{ name: schema.fields[0].name, title: { en: 'Code' } }],
      });
      assert.equal(titled.statusCode, 200, titled.body);
      assert.equal(titled.json().schema.fields[0].title.en, 'Code');

      // Types for another sheet's columns are taken: they are known once it is read.
      const otherSheet = await call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, {
        sheet: 'ສະຖິຕິ',
        types: { ປີ: { type: 'text' } },
      });
      assert.equal(otherSheet.statusCode, 202, otherSheet.body);
      const read = await settled(resourceId);
      assert.equal(read.state, 'done', JSON.stringify(read));
      const fields = (await call(editor, 'GET', url)).json().fields;
      assert.deepEqual(fields[0], { ...fields[0], name: 'ປີ', type: 'string' });
    });

    it('answers 404 to outsiders for the ingest of a draft, as for the resource', async () => {
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: 'provinces-hidden',
      });
      const resourceId = await upload(created.json().id, 'provinces.csv', Buffer.from(provinces));
      await settled(resourceId);
      for (const path of ['ingest', 'ingest/report', 'schema']) {
        const response = await call(null, 'GET', `/api/v1/resources/${resourceId}/${path}`);
        assert.equal(response.statusCode, 404, path);
      }
      const rerun = await call(null, 'POST', `/api/v1/resources/${resourceId}/ingest`, {});
      assert.equal(rerun.statusCode, 404);
    });
  });
}
