import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
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
import { testEngines } from './helpers/engines.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';

const csv = [
  'code,name,population,founded',
  'LA01,Vientiane,820940,15/03/1990',
  'LA02,Phongsaly,177989,20/04/1991',
  'LA03,Luang Namtha,175753,21/05/1992',
  '',
].join('\n');

/** A workbook whose sheets hold the rows given, in order. */
async function workbook(sheets: Array<[string, Array<Array<string | number>>]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of sheets) book.addWorksheet(name).addRows(rows);
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface Field {
  name: string;
  type: string;
  title: { lo?: string; en?: string };
  description?: { lo?: string; en?: string };
  constraints?: Record<string, unknown>;
}

for (const engine of testEngines()) {
  describe(`datastore re-runs and schema edits on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let editor: TestUser;
    let datasetNumber = 0;

    const dataset = async () => {
      datasetNumber += 1;
      const created = await call(editor, 'POST', '/api/v1/datasets', {
        ...completeDataset,
        slug: `rerun-options-${datasetNumber}`,
      });
      assert.equal(created.statusCode, 201, created.body);
      return created.json().id as string;
    };
    const upload = (datasetId: string, name: string, bytes: Buffer) =>
      uploadResource(app, editor, datasetId, { name, bytes });
    const replace = async (datasetId: string, resourceId: string, name: string, bytes: Buffer) => {
      const response = await app.http.inject({
        method: 'PUT',
        url: `/api/v1/datasets/${datasetId}/resources/${resourceId}/file`,
        headers: { ...bearer(editor.token), ...multipartHeaders },
        payload: multipart({}, { name, bytes }),
      });
      assert.equal(response.statusCode, 200, response.body);
    };
    const settled = (resourceId: string) => settledIngest(call, editor, resourceId);
    const fieldsOf = async (resourceId: string): Promise<Field[]> =>
      (await call(editor, 'GET', `/api/v1/resources/${resourceId}/schema`)).json().fields;
    const fieldOf = async (resourceId: string, name: string) =>
      (await fieldsOf(resourceId)).find((field) => field.name === name);
    const reportOf = async (resourceId: string) =>
      (await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest/report`)).json() as {
        valid: boolean;
        errors: Array<{ code: string; message: string }>;
        decisions: Array<{ topic: string; value: string; reason: string }>;
      };
    const patch = (resourceId: string, fields: object[]) =>
      call(editor, 'PATCH', `/api/v1/resources/${resourceId}/schema`, { fields });
    const rerun = (resourceId: string, body: object) =>
      call(editor, 'POST', `/api/v1/resources/${resourceId}/ingest`, body);
    const csvResource = async () => {
      const resourceId = await upload(await dataset(), 'provinces.csv', Buffer.from(csv));
      assert.equal((await settled(resourceId)).state, 'done');
      return resourceId;
    };

    before(async () => {
      app = await startTestApp(engine);
      const sysadmin = await app.createUser({ sysadmin: true });
      editor = await app.createUser();
      await organizationWithMembers(call, sysadmin, 'lsb', [[editor, 'editor']]);
    });
    after(() => app.close());

    it('keeps titles and constraints through a re-run that forces a type', async () => {
      const resourceId = await csvResource();
      const titled = await patch(resourceId, [
        { name: 'code', title: { en: 'Province code' }, description: { en: 'ISO 3166-2' } },
      ]);
      assert.equal(titled.statusCode, 200, titled.body);
      const constrained = await patch(resourceId, [
        { name: 'code', constraints: { pattern: 'LA0[1-2]' } },
      ]);
      assert.equal(constrained.statusCode, 200, constrained.body);
      await settled(resourceId);

      const again = await rerun(resourceId, { types: { population: { type: 'decimal' } } });
      assert.equal(again.statusCode, 202, again.body);
      assert.equal((await settled(resourceId)).state, 'done');
      const code = await fieldOf(resourceId, 'code');
      assert.deepEqual(code?.title, { en: 'Province code' });
      assert.deepEqual(code?.description, { en: 'ISO 3166-2' });
      assert.deepEqual(code?.constraints, { pattern: 'LA0[1-2]' });
      assert.equal((await fieldOf(resourceId, 'population'))?.type, 'number');
      const report = await reportOf(resourceId);
      assert.equal(report.errors.filter((e) => e.code === 'constraint-error').length, 1);

      // A later re-run keeps the forced type too, until null takes it back.
      await rerun(resourceId, { encoding: 'utf-8' });
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await fieldOf(resourceId, 'population'))?.type, 'number');
      await rerun(resourceId, { types: { population: null } });
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await fieldOf(resourceId, 'population'))?.type, 'integer');
    });

    it('re-reads the sheet the publisher chose, and says which forced types named no column', async () => {
      const book = await workbook([
        [
          'Data1',
          [
            ['a', 'b'],
            [1, 2],
          ],
        ],
        [
          'Data2',
          [
            ['x', 'y'],
            [3, 4],
            [5, 6],
          ],
        ],
      ]);
      const resourceId = await upload(await dataset(), 'book.xlsx', book);
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await rerun(resourceId, { sheet: 'Data2' })).statusCode, 202);
      assert.equal((await settled(resourceId)).state, 'done');

      const forced = await rerun(resourceId, { types: { y: { type: 'text' } } });
      assert.equal(forced.statusCode, 202, forced.body);
      assert.equal((await settled(resourceId)).state, 'done');
      const fields = await fieldsOf(resourceId);
      assert.deepEqual(
        fields.map((field) => [field.name, field.type]),
        [
          ['x', 'integer'],
          ['y', 'string'],
        ],
      );

      const unknown = await rerun(resourceId, {
        sheet: 'Data1',
        types: { nonexistent: { type: 'integer' } },
      });
      assert.equal(unknown.statusCode, 202, unknown.body);
      assert.equal((await settled(resourceId)).state, 'done');
      const decisions = (await reportOf(resourceId)).decisions.filter((d) => d.topic === 'types');
      assert.equal(decisions.length, 1, JSON.stringify(decisions));
      assert.match(decisions[0]!.value, /"nonexistent"/);
      assert.match(decisions[0]!.value, /"y"/, 'the other sheet’s override is carried, unused');
      assert.match(decisions[0]!.reason, /not used/);
    });

    it('keeps the publisher’s choices when the file is replaced', async () => {
      const datasetId = await dataset();
      const book = await workbook([
        ['Cover', [['Ministry report']]],
        [
          'Data',
          [
            ['code', 'value'],
            ['A', 1],
            ['B', 2],
          ],
        ],
      ]);
      const resourceId = await upload(datasetId, 'report.xlsx', book);
      assert.equal((await settled(resourceId)).state, 'done');
      await rerun(resourceId, { sheet: 'Data', types: { value: { type: 'decimal' } } });
      assert.equal((await settled(resourceId)).state, 'done');
      const edited = await patch(resourceId, [
        { name: 'code', title: { lo: 'ລະຫັດ' }, constraints: { enum: ['A', 'B'] } },
      ]);
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal((await settled(resourceId)).state, 'done');

      // The new file has no "value" column: its forced type must not break the ingest.
      const next = await workbook([
        ['Cover', [['Ministry report 2']]],
        [
          'Data',
          [
            ['code', 'amount'],
            ['A', 3],
            ['C', 4],
          ],
        ],
      ]);
      await replace(datasetId, resourceId, 'report.xlsx', next);
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', JSON.stringify(status));
      assert.equal(status.options.sheet, 'Data');
      const code = await fieldOf(resourceId, 'code');
      assert.deepEqual(code?.title, { lo: 'ລະຫັດ', en: 'code' });
      assert.deepEqual(code?.constraints, { enum: ['A', 'B'] });
      const report = await reportOf(resourceId);
      assert.equal(report.errors.filter((e) => e.code === 'constraint-error').length, 1);
      assert.ok(report.decisions.some((d) => d.topic === 'types' && /"value"/.test(d.value)));
    });

    it('reads a replacement fixed-width file with the layout it was given', async () => {
      const datasetId = await dataset();
      const resourceId = await upload(datasetId, 'provinces.txt', Buffer.from('LA01  820940\n'));
      const duplicate = await rerun(resourceId, {
        fixedWidth: {
          fields: [
            { name: 'code', start: 1, width: 4 },
            { name: 'CODE', start: 5, width: 8 },
          ],
        },
      });
      assert.equal(duplicate.statusCode, 400);
      assert.match(errorOf(duplicate).message, /names the field "CODE" twice/);
      const blank = await rerun(resourceId, {
        fixedWidth: { fields: [{ name: '  ', start: 1, width: 4 }] },
      });
      assert.equal(blank.statusCode, 400);
      const laidOut = await rerun(resourceId, {
        fixedWidth: {
          fields: [
            { name: 'code', start: 1, width: 4 },
            { name: 'population', start: 5, width: 8 },
          ],
        },
      });
      assert.equal(laidOut.statusCode, 202, laidOut.body);
      assert.equal((await settled(resourceId)).state, 'done');
      await replace(datasetId, resourceId, 'provinces.txt', Buffer.from('LA02  177989\nLA03  1\n'));
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', JSON.stringify(status));
      assert.equal(status.rows, 2);
      assert.equal((await fieldOf(resourceId, 'population'))?.type, 'integer');
    });

    it('refuses to read a file that is no table into one', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
      const resourceId = await upload(await dataset(), 'report.pdf', pdf);
      const refused = await rerun(resourceId, {});
      assert.equal(refused.statusCode, 409, refused.body);
      assert.match(errorOf(refused).message, /not a table/);
      const layout = await rerun(resourceId, {
        fixedWidth: { fields: [{ name: 'a', start: 1, width: 4 }] },
      });
      assert.equal(layout.statusCode, 400, 'a layout reads text, not a PDF');
      const ingest = await call(editor, 'GET', `/api/v1/resources/${resourceId}/ingest`);
      assert.equal(ingest.statusCode, 404, 'nothing was queued');
    });

    it('takes a JSON string as a sheet name and a number as its position', async () => {
      const book = await workbook([
        ['1', [['first'], ['one']]],
        ['2', [['second'], ['two']]],
        ['0', [['third'], ['zero']]],
      ]);
      const resourceId = await upload(await dataset(), 'numbers.xlsx', book);
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await rerun(resourceId, { sheet: '1' })).statusCode, 202);
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await fieldsOf(resourceId))[0]?.name, 'first');
      assert.equal((await rerun(resourceId, { sheet: 1 })).statusCode, 202);
      assert.equal((await settled(resourceId)).state, 'done');
      assert.equal((await fieldsOf(resourceId))[0]?.name, 'second');
      const negative = await rerun(resourceId, { sheet: -1 });
      assert.equal(negative.statusCode, 400, negative.body);

      const csvId = await csvResource();
      const onCsv = await rerun(csvId, { sheet: 'Data' });
      assert.equal(onCsv.statusCode, 400, onCsv.body);
      assert.match(errorOf(onCsv).message, /has no sheets/);
    });

    it('keeps every one of concurrent schema edits', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `c${i}`);
      const wide = `${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`;
      const resourceId = await upload(await dataset(), 'wide.csv', Buffer.from(wide));
      assert.equal((await settled(resourceId)).state, 'done');
      const answers = await Promise.all(
        names.map((name) => patch(resourceId, [{ name, description: { en: `about ${name}` } }])),
      );
      for (const answer of answers) assert.equal(answer.statusCode, 200, answer.body);
      const fields = await fieldsOf(resourceId);
      assert.deepEqual(
        fields.map((field) => field.description?.en),
        names.map((name) => `about ${name}`),
      );
    });

    it('checks constraints against the column’s type and patterns as RE2 reads them', async () => {
      const resourceId = await csvResource();
      const expect400 = async (name: string, constraints: object, message: RegExp) => {
        const answer = await patch(resourceId, [{ name, constraints }]);
        assert.equal(answer.statusCode, 400, `${JSON.stringify(constraints)}: ${answer.body}`);
        assert.match(errorOf(answer).message, message);
      };
      await expect400('code', { minimum: 5 }, /a string column has no minimum/);
      await expect400('founded', { minimum: 5 }, /the minimum of a date column is a date/);
      await expect400('founded', { maximum: '1990-02-30' }, /"1990-02-30" is not a date/);
      await expect400('code', { minLength: 5, maxLength: 2 }, /minLength: is above maxLength/);
      await expect400('code', { pattern: '\\u0E81.*' }, /invalid escape sequence/);
      await expect400('code', { pattern: '\\p{Script=Lao}+' }, /not a pattern DuckDB can check/);
      await expect400('code', { pattern: 'a{2000}' }, /invalid repetition size/);
      await expect400('code', { minimun: 5 }, /^fields\.0\.constraints\.minimun: /);
      // A forced type is checked against the constraints the column already has.
      const bounded = await patch(resourceId, [
        { name: 'population', constraints: { minimum: 1 } },
      ]);
      assert.equal(bounded.statusCode, 200, bounded.body);
      await settled(resourceId);
      const toText = await rerun(resourceId, { types: { population: { type: 'text' } } });
      assert.equal(toText.statusCode, 400, toText.body);
      assert.match(errorOf(toText).message, /a string column has no minimum/);

      const accepted = await patch(resourceId, [
        { name: 'code', constraints: { pattern: '(?i)la0\\d' } },
        { name: 'name', constraints: { pattern: '[\\p{Latin} ]+' } },
        { name: 'founded', constraints: { minimum: '1991-01-01' } },
      ]);
      assert.equal(accepted.statusCode, 200, accepted.body);
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', JSON.stringify(status));
      const report = await reportOf(resourceId);
      const breaches = report.errors.filter((e) => e.code === 'constraint-error');
      assert.deepEqual(
        breaches.map((e) => e.message),
        ['"1990-03-15" in column "founded" is below the minimum 1991-01-01'],
      );
      const lao = await patch(resourceId, [
        { name: 'name', constraints: { pattern: '\\p{Lao}+' } },
      ]);
      assert.equal(lao.statusCode, 200, lao.body);
      await settled(resourceId);
    });

    it('keeps enums, their messages and the status of an ingest small', async () => {
      const resourceId = await csvResource();
      const tooMany = await patch(resourceId, [
        { name: 'code', constraints: { enum: Array.from({ length: 501 }, (_, i) => `v${i}`) } },
      ]);
      assert.equal(tooMany.statusCode, 400, tooMany.body);
      const tooLong = await patch(resourceId, [
        { name: 'code', constraints: { enum: Array.from({ length: 100 }, () => 'x'.repeat(400)) } },
      ]);
      assert.equal(tooLong.statusCode, 400, tooLong.body);
      assert.match(errorOf(tooLong).message, /at most 20000/);
      const values = Array.from({ length: 300 }, (_, i) => `LA${100 + i}`);
      const listed = await patch(resourceId, [{ name: 'code', constraints: { enum: values } }]);
      assert.equal(listed.statusCode, 200, listed.body);
      const status = await settled(resourceId);
      assert.equal(status.state, 'done');
      assert.equal(status.options.constraints, undefined, 'the schema shows the constraints');
      const message = (await reportOf(resourceId)).errors.find(
        (e) => e.code === 'constraint-error',
      )?.message;
      assert.equal(
        message,
        '"LA01" in column "code" is not one of "LA100", "LA101", "LA102", "LA103", "LA104", … (300 values)',
      );
    });

    it('reads names and titles in NFC, and edits one language of a title', async () => {
      // ລູ່ typed as ລ + tone mark + vowel: NFC puts the vowel first, as the ingest does.
      const typed = 'ລ\u0EC8\u0EB9';
      const long = 'ປະຊາກອນ'.repeat(40).slice(0, 275);
      const text = `${typed.normalize('NFC')},${long}\nA,1\n`;
      const resourceId = await upload(await dataset(), 'lao.csv', Buffer.from(text));
      assert.equal((await settled(resourceId)).state, 'done');
      const titled = await patch(resourceId, [
        { name: typed, title: { en: 'Word' }, description: { lo: typed } },
        { name: long, title: { en: 'Population' } },
      ]);
      assert.equal(titled.statusCode, 200, titled.body);
      const [first, second] = await fieldsOf(resourceId);
      assert.deepEqual(first?.title, { lo: typed.normalize('NFC'), en: 'Word' });
      assert.equal(first?.description?.lo, typed.normalize('NFC'));
      assert.deepEqual(second?.title, { lo: long, en: 'Population' });
      const forced = await rerun(resourceId, { types: { [typed]: { type: 'text' } } });
      assert.equal(forced.statusCode, 202, forced.body);
      await settled(resourceId);
      // An empty text takes a language away.
      const cleared = await patch(resourceId, [{ name: long, title: { en: '' } }]);
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.deepEqual((await fieldsOf(resourceId))[1]?.title, { lo: long });
    });

    it('applies a format given without a type to the column’s own type', async () => {
      const resourceId = await csvResource();
      const textFormat = await patch(resourceId, [{ name: 'code', format: 'mdy' }]);
      assert.equal(textFormat.statusCode, 400, textFormat.body);
      const dateComma = await patch(resourceId, [{ name: 'founded', format: 'decimal-comma' }]);
      assert.equal(dateComma.statusCode, 400, dateComma.body);
      assert.match(errorOf(dateComma).message, /a date column is written dmy or mdy/);
      const monthFirst = await patch(resourceId, [{ name: 'founded', format: 'mdy' }]);
      assert.equal(monthFirst.statusCode, 200, monthFirst.body);
      assert.notEqual(monthFirst.json().ingest, null, 'the file is read again');
      const status = await settled(resourceId);
      assert.equal(status.state, 'done');
      assert.deepEqual(status.options.types, { founded: { type: 'date', format: 'mdy' } });
    });

    it('edits columns named like the properties of every JavaScript object', async () => {
      const header = 'constructor,toString,valueOf,__proto__';
      const resourceId = await upload(
        await dataset(),
        'names.csv',
        Buffer.from(`${header}\n1,2,3,4\n5,6,7,8\n`),
      );
      assert.equal((await settled(resourceId)).state, 'done');

      const titled = await patch(resourceId, [{ name: 'constructor', title: { en: 'Builder' } }]);
      assert.equal(titled.statusCode, 200, titled.body);
      const shown = titled.json().schema.fields as Field[];
      assert.deepEqual(
        shown.find((field) => field.name === 'constructor'),
        {
          name: 'constructor',
          title: { en: 'Builder' },
          type: 'integer',
          format: 'default',
        },
      );
      assert.equal(shown.find((field) => field.name === 'toString')?.constraints, undefined);

      const edited = await patch(resourceId, [
        { name: 'valueOf', constraints: { minimum: 5 } },
        { name: '__proto__', type: 'text', title: { en: 'Prototype' } },
      ]);
      assert.equal(edited.statusCode, 200, edited.body);
      const status = await settled(resourceId);
      assert.equal(status.state, 'done', status.error);
      // As JSON: a literal `{ __proto__: … }` would set the prototype of the expected object.
      assert.equal(JSON.stringify(status.options.types), '{"__proto__":{"type":"text"}}');
      const fields = await fieldsOf(resourceId);
      assert.deepEqual(
        fields.map((field) => [field.name, field.type, field.title, field.constraints]),
        [
          ['constructor', 'integer', { en: 'Builder' }, undefined],
          ['toString', 'integer', { en: 'toString' }, undefined],
          ['valueOf', 'integer', { en: 'valueOf' }, { minimum: 5 }],
          ['__proto__', 'string', { en: 'Prototype' }, undefined],
        ],
      );
      assert.deepEqual(
        (await reportOf(resourceId)).errors.map((error) => error.code),
        ['constraint-error'],
      );
    });
  });
}
