import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiCaller, bearer, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { completeDataset, organizationWithMembers } from './helpers/catalog.js';
import { testEngines } from './helpers/engines.js';
import { multipart, multipartHeaders } from './helpers/multipart.js';

/** Every file under `dir`, recursively; empty when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

for (const engine of testEngines()) {
  describe(`dataset resources on ${engine.name}`, () => {
    let app: TestApp;
    const call = apiCaller(() => app);
    let admin: TestUser;
    let editor: TestUser;
    let outsider: TestUser;
    const csv = Buffer.from(
      'pcode,name,population\nLA01,ນະຄອນຫຼວງວຽງຈັນ,820940\nLA06,ຫຼວງພະບາງ,431889\n',
    );
    const laoName = 'ສະຖິຕິ ປະຊາກອນ 2015.csv';

    const upload = (user: TestUser | null, datasetId: string, bytes: Buffer, fields = {}) =>
      app.http.inject({
        method: 'POST',
        url: `/api/v1/datasets/${datasetId}/resources`,
        headers: { ...(user ? bearer(user.token) : {}), ...multipartHeaders },
        payload: multipart({ title: 'Population 2015', ...fields }, { name: laoName, bytes }),
      });

    const newDataset = async (slug: string) => {
      const created = await call(editor, 'POST', '/api/v1/datasets', { ...completeDataset, slug });
      assert.equal(created.statusCode, 201, created.body);
      return created.json().id as string;
    };
    const publish = async (id: string) => {
      assert.equal((await call(editor, 'POST', `/api/v1/datasets/${id}/submit`)).statusCode, 200);
      assert.equal((await call(admin, 'POST', `/api/v1/datasets/${id}/approve`)).statusCode, 200);
    };

    before(async () => {
      // No ingest workers: their Parquet files would land in the blob store these tests count.
      app = await startTestApp(engine, { config: { uploadMaxBytes: 64 * 1024, ingestWorkers: 0 } });
      const sysadmin = await app.createUser({ sysadmin: true });
      [admin, editor, outsider] = await Promise.all([
        app.createUser(),
        app.createUser(),
        app.createUser(),
      ]);
      await organizationWithMembers(call, sysadmin, 'lsb', [
        [admin, 'admin'],
        [editor, 'editor'],
      ]);
    });
    after(() => app.close());

    it('stores an upload with its sha256, sniffed type and Lao file name, and serves it back', async () => {
      const id = await newDataset('population-files');
      const added = await upload(editor, id, csv);
      assert.equal(added.statusCode, 201, added.body);
      const resource = added.json().resources[0];
      assert.equal(resource.kind, 'file');
      assert.equal(resource.file_name, laoName);
      assert.equal(resource.sha256, createHash('sha256').update(csv).digest('hex'));
      assert.equal(resource.size_bytes, csv.length);
      assert.equal(resource.format, 'CSV');
      assert.equal(resource.title.en, 'Population 2015');

      const download = await call(editor, 'GET', `/api/v1/resources/${resource.id}/download`);
      assert.equal(download.statusCode, 200);
      assert.deepEqual(download.rawPayload, csv);
      assert.match(String(download.headers['content-type']), /^text\/csv/);
      assert.equal(download.headers.etag, `"${resource.sha256}"`);
      assert.equal(download.headers['cache-control'], 'private, no-store');
      const disposition = String(download.headers['content-disposition']);
      const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '';
      assert.equal(decodeURIComponent(encoded), laoName);

      const range = await call(
        editor,
        'GET',
        `/api/v1/resources/${resource.id}/download`,
        undefined,
        {
          range: 'bytes=0-4',
        },
      );
      assert.equal(range.statusCode, 206);
      assert.equal(range.body, 'pcode');
      const head = await app.http.inject({
        method: 'HEAD',
        url: `/api/v1/resources/${resource.id}/download`,
        headers: bearer(editor.token),
      });
      assert.equal(head.statusCode, 200);
      assert.equal(head.rawPayload.length, 0);

      // A draft's file is nobody else's business.
      assert.equal((await call(null, 'GET', `/api/v1/resources/${resource.id}`)).statusCode, 404);
      assert.equal(
        (await call(outsider, 'GET', `/api/v1/resources/${resource.id}/download`)).statusCode,
        404,
      );
      await publish(id);
      const open = await call(null, 'GET', `/api/v1/resources/${resource.id}/download`);
      assert.equal(open.statusCode, 200);
      assert.equal(open.headers['cache-control'], 'public, max-age=300');
    });

    it('keeps files added to a published dataset hidden until the change is approved', async () => {
      const id = await newDataset('published-then-added');
      await publish(id);
      const added = await call(editor, 'POST', `/api/v1/datasets/${id}/resources`, {
        title: { en: 'Methodology' },
        url: 'https://lsb.gov.la/census/method.pdf',
      });
      assert.equal(added.statusCode, 201, added.body);
      const link = added.json().resources[0];
      assert.equal(link.format, 'PDF');
      assert.equal((await call(null, 'GET', `/api/v1/datasets/${id}`)).json().resources.length, 0);
      assert.equal((await call(null, 'GET', `/api/v1/resources/${link.id}`)).statusCode, 404);
      await publish(id);
      const redirect = await call(null, 'GET', `/api/v1/resources/${link.id}/download`);
      assert.equal(redirect.statusCode, 302);
      assert.equal(redirect.headers.location, 'https://lsb.gov.la/census/method.pdf');
    });

    it("refuses another dataset's resource in the URL, and strangers' uploads", async () => {
      const first = await newDataset('first-of-two');
      const second = await newDataset('second-of-two');
      const added = await upload(editor, first, csv);
      const resourceId = added.json().resources[0].id;
      const wrong = await call(
        editor,
        'DELETE',
        `/api/v1/datasets/${second}/resources/${resourceId}`,
      );
      assert.equal(wrong.statusCode, 404);
      const patched = await call(
        editor,
        'PATCH',
        `/api/v1/datasets/${second}/resources/${resourceId}`,
        {
          title: { en: 'hijacked' },
        },
      );
      assert.equal(patched.statusCode, 404);
      assert.equal((await upload(outsider, first, csv)).statusCode, 404);
      assert.equal((await upload(null, first, csv)).statusCode, 404);
      const still = await call(editor, 'GET', `/api/v1/resources/${resourceId}`);
      assert.equal(still.json().title.en, 'Population 2015');
    });

    it('leaves no record and no file behind for an upload over the limit or cut off', async () => {
      const id = await newDataset('limits');
      const blobDir = join(app.config.dataDir, 'blobs');
      const before = filesUnder(blobDir).length;
      const tooBig = await upload(editor, id, Buffer.alloc(70 * 1024, 'x'));
      assert.equal(tooBig.statusCode, 413);
      assert.equal(filesUnder(blobDir).length, before);

      const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
      const { port } = new URL(address);
      const body = multipart(
        { title: 'cut' },
        { name: 'cut.csv', bytes: Buffer.alloc(40 * 1024, 'y') },
      );
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `POST /api/v1/datasets/${id}/resources HTTP/1.1\r\nHost: localhost\r\n` +
              `Authorization: Bearer ${editor.token}\r\nContent-Type: ${multipartHeaders['content-type']}\r\n` +
              `Content-Length: ${body.length}\r\n\r\n`,
          );
          socket.write(body.subarray(0, body.length / 2), () =>
            setTimeout(() => socket.destroy(), 100),
          );
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const dataset = await call(editor, 'GET', `/api/v1/datasets/${id}`);
      assert.equal(dataset.json().resources.length, 0);
      assert.equal(filesUnder(blobDir).length, before);
      assert.deepEqual(filesUnder(join(app.config.dataDir, 'tmp')), []);
    });
  });
}
