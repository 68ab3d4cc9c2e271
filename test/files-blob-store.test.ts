import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { NotFound, PayloadTooLarge } from '../src/lib/errors.js';
import { LocalBlobStore } from '../src/files/index.js';
import { blobStoreKinds, filesUnder, type TestBlobStore } from './helpers/blob-stores.js';

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A stream that delivers `bytes` in small chunks, as a network upload does. */
function chunked(bytes: Buffer, chunkSize = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** Sends `prefix`, then fails the way a dropped connection does. */
function failingAfter(prefix: Buffer, failure: Error): Readable {
  return Readable.from(
    (async function* () {
      yield prefix;
      throw failure;
    })(),
    { objectMode: false },
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

for (const kind of blobStoreKinds) {
  describe(`blob store contract on ${kind.name}`, () => {
    let blobs: TestBlobStore;
    before(async () => {
      blobs = await kind.create();
    });
    after(() => blobs.dispose());

    it('stores streamed bytes under their SHA-256 and gives them back', async () => {
      const bytes = randomBytes(300_000);
      const stored = await blobs.store.put(chunked(bytes, 16_384), { maxBytes: 1_000_000 });
      assert.deepEqual(stored, { sha256: sha256(bytes), size: bytes.length, created: true });
      assert.deepEqual(await blobs.store.stat(stored.sha256), { size: bytes.length });
      assert.ok((await readAll(await blobs.store.open(stored.sha256))).equals(bytes));
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('keeps one copy of identical content and says the second put created nothing', async () => {
      const content = 'ແຂວງ,ປະຊາກອນ\nວຽງຈັນ,820000\n';
      const first = await blobs.store.put(Readable.from([Buffer.from(content)]), {
        maxBytes: 1000,
      });
      const second = await blobs.store.put(chunked(Buffer.from(content), 7), { maxBytes: 1000 });
      assert.equal(second.sha256, first.sha256);
      assert.equal(second.created, false);
      const stored = await blobs.storedBlobs();
      assert.equal(stored.filter((key) => key === first.sha256).length, 1);
      assert.equal(await text(await blobs.store.open(first.sha256)), content);
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('reads inclusive byte ranges', async () => {
      const bytes = Buffer.from('0123456789abcdefghij');
      const { sha256: key } = await blobs.store.put(chunked(bytes, 3), { maxBytes: 100 });
      const read = async (start: number, end: number) =>
        (await readAll(await blobs.store.open(key, { start, end }))).toString();
      assert.equal(await read(0, 0), '0');
      assert.equal(await read(5, 9), '56789');
      assert.equal(await read(15, 19), 'fghij');
    });

    it('accepts exactly maxBytes and refuses one byte more, leaving nothing behind', async () => {
      const limit = 50_000;
      const exact = randomBytes(limit);
      assert.equal((await blobs.store.put(chunked(exact), { maxBytes: limit })).size, limit);
      const before = await blobs.storedBlobs();
      const over = randomBytes(limit + 1);
      await assert.rejects(
        blobs.store.put(chunked(over), { maxBytes: limit }),
        (error: unknown) => error instanceof PayloadTooLarge && error.status === 413,
      );
      assert.deepEqual((await blobs.storedBlobs()).sort(), before.sort());
      assert.equal(await blobs.store.stat(sha256(over)), null);
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('passes on a failing source and removes what it had written', async () => {
      const before = await blobs.storedBlobs();
      const failure = new Error('connection reset by peer');
      await assert.rejects(
        blobs.store.put(failingAfter(randomBytes(20_000), failure), { maxBytes: 1_000_000 }),
        (error: unknown) => error === failure,
      );
      assert.deepEqual((await blobs.storedBlobs()).sort(), before.sort());
      assert.deepEqual(blobs.tempFiles(), []);
    });

    it('reports absent blobs as null or NotFound, and deletes idempotently', async () => {
      const { sha256: key } = await blobs.store.put(Readable.from([Buffer.from('to delete')]), {
        maxBytes: 100,
      });
      await blobs.store.delete(key);
      assert.equal(await blobs.store.stat(key), null);
      await assert.rejects(blobs.store.open(key), NotFound);
      await blobs.store.delete(key);
      assert.ok(!(await blobs.storedBlobs()).includes(key));
    });

    it('refuses keys that are not SHA-256 digests, so no key can name a path', async () => {
      for (const key of ['../../etc/passwd', 'ABC', sha256('x').toUpperCase(), '']) {
        await assert.rejects(blobs.store.open(key), TypeError, key);
        await assert.rejects(blobs.store.stat(key), TypeError, key);
        await assert.rejects(blobs.store.delete(key), TypeError, key);
      }
    });
  });
}

describe('local blob store layout', () => {
  const root = mkdtempSync(join(tmpdir(), 'khomoun-layout-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lays blobs out as ab/cd/<sha256>, temporary files in tmp/', async () => {
    const store = new LocalBlobStore(root);
    const { sha256: key } = await store.put(Readable.from([Buffer.from('layout')]), {
      maxBytes: 100,
    });
    assert.deepEqual(filesUnder(root), [`${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`]);
    await store.close();
  });

  it('sweeps temporary files a crashed process left more than a day ago, and only those', async () => {
    const tmp = join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'upload-old'), 'left by a crash');
    writeFileSync(join(tmp, 'upload-recent'), 'another process, still uploading');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(tmp, 'upload-old'), twoDaysAgo, twoDaysAgo);
    const store = new LocalBlobStore(root);
    const { sha256: key } = await store.put(Readable.from([Buffer.from('x')]), { maxBytes: 10 });
    assert.deepEqual(filesUnder(tmp), ['upload-recent']);
    assert.ok(existsSync(join(root, key.slice(0, 2), key.slice(2, 4), key)));
    await store.close();
  });
});
