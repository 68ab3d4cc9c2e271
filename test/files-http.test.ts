import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import {
  multipartPlugin,
  receiveUpload,
  sendBlob,
  type BlobStore,
  type ReceivedUpload,
} from '../src/files/index.js';
import { installErrorHandling } from '../src/http/error-handler.js';
import { NotFound } from '../src/lib/errors.js';
import { blobStoreKinds, type TestBlobStore } from './helpers/blob-stores.js';

const maxBytes = 1_000_000;
const laoName = 'ສະຖິຕິ ປະຊາກອນ 2015.csv';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as browsers send it (file names as raw UTF-8). */
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----khomoun${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type =
      part.filename === undefined
        ? ''
        : `\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`,
      ),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

function errorCode(response: LightMyRequestResponse): { code: string; field?: unknown } {
  const body = response.json() as {
    error: { code: string; details?: Array<{ field: string }> };
  };
  return { code: body.error.code, field: body.error.details?.[0]?.field };
}

/** Decodes the RFC 5987 `filename*` of a Content-Disposition header. */
function dispositionName(header: unknown): string | undefined {
  const encoded = /filename\*=UTF-8''([^;\s]+)/.exec(String(header))?.[1];
  return encoded === undefined ? undefined : decodeURIComponent(encoded);
}

/** Counts `open` calls, to prove that HEAD and 304 never read the blob. */
function countingOpens(store: BlobStore): { store: BlobStore; opens: () => number } {
  let opens = 0;
  return {
    opens: () => opens,
    store: {
      put: (source, options) => store.put(source, options),
      open: (key, range) => {
        opens += 1;
        return store.open(key, range);
      },
      stat: (key) => store.stat(key),
      delete: (key) => store.delete(key),
      close: () => store.close(),
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

for (const kind of blobStoreKinds) {
  describe(`file upload and download over HTTP on ${kind.name}`, () => {
    let blobs: TestBlobStore;
    let app: FastifyInstance;
    let opens: () => number;
    const uploads = new Map<string, ReceivedUpload>();

    before(async () => {
      blobs = await kind.create();
      const counted = countingOpens(blobs.store);
      opens = counted.opens;
      const store = counted.store;
      app = Fastify({ logger: false });
      installErrorHandling(app);
      await app.register(multipartPlugin);
      app.post('/api/v1/files', async (request) => {
        const upload = await receiveUpload(request, { store, maxBytes });
        const id = String(uploads.size + 1);
        uploads.set(id, upload);
        return { id, ...upload };
      });
      app.get<{ Params: { id: string } }>('/api/v1/files/:id', async (request, reply) => {
        const upload = uploads.get(request.params.id);
        if (!upload) throw new NotFound('File');
        return sendBlob(request, reply, { store, ...upload, cacheControl: 'private, no-cache' });
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      await app.close();
      await blobs.dispose();
    });

    async function upload(parts: Part[]): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'POST', url: '/api/v1/files', ...multipart(parts) });
    }

    it('round-trips a file with a Lao name: same bytes, hash, type and name', async () => {
      const content = Buffer.from('ແຂວງ,ປີ,ປະຊາກອນ\nນະຄອນຫຼວງວຽງຈັນ,2015,820940\n');
      const response = await upload([
        { name: 'title', value: 'ປະຊາກອນ 2015' },
        { name: 'file', value: content, filename: laoName, contentType: 'application/pdf' },
      ]);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as ReceivedUpload & { id: string };
      assert.equal(body.sha256, sha256(content));
      assert.equal(body.size, content.length);
      assert.equal(body.filename, laoName);
      assert.equal(body.mediaType, 'text/csv');
      assert.equal(body.format, 'CSV');
      assert.deepEqual(body.fields, { title: 'ປະຊາກອນ 2015' });

      const download = await app.inject({ url: `/api/v1/files/${body.id}` });
      assert.equal(download.statusCode, 200);
      assert.ok(download.rawPayload.equals(content));
      assert.equal(download.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(download.headers['content-length'], String(content.length));
      assert.equal(download.headers.etag, `"${sha256(content)}"`);
      assert.equal(download.headers['accept-ranges'], 'bytes');
      assert.equal(download.headers['cache-control'], 'private, no-cache');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      const disposition = String(download.headers['content-disposition']);
      assert.equal(dispositionName(disposition), laoName);
      assert.match(disposition, /^attachment; filename="[\x20-\x7e]*2015\.csv";/);
    });

    it('stores identical content once', async () => {
      const content = randomBytes(5000);
      const first = (await upload([{ name: 'file', value: content, filename: 'a.bin' }])).json();
      const second = (await upload([{ name: 'file', value: content, filename: 'b.bin' }])).json();
      assert.equal(first.sha256, second.sha256);
      assert.equal(first.created, true);
      assert.equal(second.created, false);
      const stored = await blobs.storedBlobs();
      assert.equal(stored.filter((key) => key === first.sha256).length, 1);
    });

    it('takes the media type from the content, not the name, and keeps only the base name', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n');
      const response = await upload([
        {
          name: 'file',
          value: pdf,
          filename: 'C:\\Users\\khamla\\ລາຍງານ.csv',
          contentType: 'text/csv',
        },
      ]);
      const body = response.json() as ReceivedUpload & { id: string };
      assert.equal(body.mediaType, 'application/pdf');
      assert.equal(body.format, 'PDF');
      assert.equal(body.filename, 'ລາຍງານ.csv');
      const download = await app.inject({ url: `/api/v1/files/${body.id}` });
      assert.equal(download.headers['content-type'], 'application/pdf');
    });

    it('refuses a file over the limit with 413 and leaves no blob or temporary file', async () => {
      const before = (await blobs.storedBlobs()).sort();
      const big = randomBytes(maxBytes + 200_000);
      const response = await upload([{ name: 'file', value: big, filename: 'big.bin' }]);
      assert.equal(response.statusCode, 413);
      assert.equal(errorCode(response).code, 'PAYLOAD_TOO_LARGE');
      assert.deepEqual((await blobs.storedBlobs()).sort(), before);
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('names the file field when there is no file, two files, an empty file or no multipart', async () => {
      const before = (await blobs.storedBlobs()).sort();
      const noFile = await upload([{ name: 'title', value: 'only a title' }]);
      assert.equal(noFile.statusCode, 400);
      assert.deepEqual(errorCode(noFile), { code: 'VALIDATION_FAILED', field: 'file' });

      const twoFiles = await upload([
        { name: 'file', value: randomBytes(100), filename: 'one.bin' },
        { name: 'file', value: randomBytes(100), filename: 'two.bin' },
      ]);
      assert.equal(twoFiles.statusCode, 400);
      assert.deepEqual(errorCode(twoFiles), { code: 'VALIDATION_FAILED', field: 'file' });

      const empty = await upload([{ name: 'file', value: '', filename: 'empty.csv' }]);
      assert.equal(empty.statusCode, 400);
      assert.deepEqual(errorCode(empty), { code: 'VALIDATION_FAILED', field: 'file' });

      const json = await app.inject({ method: 'POST', url: '/api/v1/files', payload: { a: 1 } });
      assert.equal(json.statusCode, 400);
      assert.deepEqual(errorCode(json), { code: 'VALIDATION_FAILED', field: 'file' });

      // However far the first of the two files got, nothing of it remains.
      assert.deepEqual((await blobs.storedBlobs()).sort(), before);
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('names a form field that is too long, sent twice or holds a NUL', async () => {
      const file = { name: 'file', value: 'a,b\n1,2\n', filename: 'x.csv' };
      const long = await upload([{ name: 'title', value: 'ກ'.repeat(30_000) }, file]);
      assert.equal(long.statusCode, 400);
      assert.deepEqual(errorCode(long), { code: 'VALIDATION_FAILED', field: 'title' });
      const twice = await upload([
        { name: 'title', value: 'one' },
        { name: 'title', value: 'two' },
        file,
      ]);
      assert.equal(twice.statusCode, 400);
      assert.deepEqual(errorCode(twice), { code: 'VALIDATION_FAILED', field: 'title' });
      // PostgreSQL text cannot hold it: refused before the database answers 500.
      const nul = await upload([{ name: 'title', value: 'a\u0000b' }, file]);
      assert.equal(nul.statusCode, 400, nul.body);
      assert.deepEqual(errorCode(nul), { code: 'VALIDATION_FAILED', field: 'title' });
    });

    it('removes the temporary file when the client disconnects mid-upload', async () => {
      const before = (await blobs.storedBlobs()).sort();
      const { payload, headers } = multipart([
        { name: 'file', value: randomBytes(600_000), filename: 'cut.bin' },
      ]);
      const address = app.server.address();
      assert.ok(address && typeof address === 'object');
      const socket = connect(address.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /api/v1/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${headers['content-type']}\r\n` +
          `Content-Length: ${payload.length}\r\n\r\n`,
      );
      socket.write(payload.subarray(0, 300_000));
      await until(() => blobs.tempFiles().length === 1, 'the upload has started');
      socket.destroy();
      await until(() => blobs.tempFiles().length === 0, 'the temporary file is removed');
      assert.deepEqual((await blobs.storedBlobs()).sort(), before);
    });

    it('answers 404 in JSON, not as an attachment, when the blob has gone from the store', async () => {
      const body = (
        await upload([{ name: 'file', value: randomBytes(64), filename: 'gone.bin' }])
      ).json();
      await blobs.store.delete(body.sha256);
      const response = await app.inject({ url: `/api/v1/files/${body.id}` });
      assert.equal(response.statusCode, 404);
      assert.equal(errorCode(response).code, 'NOT_FOUND');
      assert.equal(response.headers['content-disposition'], undefined);
      assert.match(String(response.headers['content-type']), /^application\/json/);
    });

    describe('ranges, HEAD and ETags', () => {
      const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
      let url: string;
      let etag: string;

      before(async () => {
        const body = (await upload([{ name: 'file', value: content, filename: 'r.bin' }])).json();
        url = `/api/v1/files/${body.id}`;
        etag = `"${body.sha256}"`;
      });

      it('answers single ranges with 206 and Content-Range', async () => {
        const cases: Array<[string, number, number]> = [
          ['bytes=0-0', 0, 0],
          ['bytes=0-99', 0, 99],
          ['bytes=990-', 990, 999],
          ['bytes=-10', 990, 999],
          ['bytes=500-5000', 500, 999],
          ['bytes=-5000', 0, 999],
        ];
        for (const [range, start, end] of cases) {
          const response = await app.inject({ url, headers: { range } });
          assert.equal(response.statusCode, 206, range);
          assert.equal(response.headers['content-range'], `bytes ${start}-${end}/1000`, range);
          assert.equal(response.headers['content-length'], String(end - start + 1), range);
          assert.ok(response.rawPayload.equals(content.subarray(start, end + 1)), range);
        }
      });

      it('answers a range past the end with 416 and the real length', async () => {
        for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
          const response = await app.inject({ url, headers: { range } });
          assert.equal(response.statusCode, 416, range);
          assert.equal(response.headers['content-range'], 'bytes */1000', range);
          assert.equal(errorCode(response).code, 'RANGE_NOT_SATISFIABLE');
          assert.equal(response.headers['content-disposition'], undefined);
        }
      });

      it('sends the whole file for several ranges, bad syntax, or a stale If-Range', async () => {
        const cases = [
          { range: 'bytes=0-9,20-29' },
          { range: 'bytes=9-1' },
          { range: 'items=0-9' },
          { range: 'bytes=0-9', 'if-range': '"another-version"' },
        ];
        for (const headers of cases) {
          const response = await app.inject({ url, headers });
          assert.equal(response.statusCode, 200, JSON.stringify(headers));
          assert.ok(response.rawPayload.equals(content));
        }
        const fresh = await app.inject({ url, headers: { range: 'bytes=0-9', 'if-range': etag } });
        assert.equal(fresh.statusCode, 206);
      });

      it('answers HEAD with the headers of GET and never reads the blob', async () => {
        const opened = opens();
        const head = await app.inject({ method: 'HEAD', url });
        assert.equal(head.statusCode, 200);
        assert.equal(head.headers['content-length'], '1000');
        assert.equal(head.headers.etag, etag);
        assert.equal(head.headers['content-type'], 'application/octet-stream');
        assert.equal(head.rawPayload.length, 0);
        const partial = await app.inject({ method: 'HEAD', url, headers: { range: 'bytes=-10' } });
        assert.equal(partial.statusCode, 206);
        assert.equal(partial.headers['content-length'], '10');
        assert.equal(opens(), opened);
      });

      it('answers If-None-Match with 304 without a body or reading the blob', async () => {
        const opened = opens();
        for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
          const response = await app.inject({ url, headers: { 'if-none-match': tag } });
          assert.equal(response.statusCode, 304, tag);
          assert.equal(response.rawPayload.length, 0);
          assert.equal(response.headers.etag, etag);
        }
        assert.equal(opens(), opened);
        const changed = await app.inject({ url, headers: { 'if-none-match': '"other"' } });
        assert.equal(changed.statusCode, 200);
      });
    });
  });
}
