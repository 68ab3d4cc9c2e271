import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { S3Config } from '../config.js';
import { NotFound } from '../lib/errors.js';
import { assertSha256, type BlobStore, type ByteRange, type StoredBlob } from './blob-store.js';
import { prepareTempDir, spoolToTempFile } from './spool.js';

export interface S3BlobStoreOptions extends S3Config {
  /** Local directory for the copy taken while hashing; on disk, not tmpfs, as files are large. */
  tempDir: string;
}

/**
 * Blobs as objects `blobs/<sha256>` in an S3-compatible bucket. An upload is first spooled to a
 * local file: the key is the hash, and the hash is only known at the end of the stream; the
 * spooled file also gives PutObject the exact length S3 requires for a single PUT.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #tempDir: string;
  #ready: Promise<void> | undefined;

  constructor(options: S3BlobStoreOptions) {
    this.#bucket = options.bucket;
    this.#tempDir = options.tempDir;
    this.#client = new S3Client({
      region: options.region,
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle,
      credentials: {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
      },
      // By default the SDK sends aws-chunked bodies with a CRC32 trailer, which some
      // S3-compatible servers reject and others (s3rver) store verbatim, trailer and all; we
      // send our own SHA-256 in a plain header instead (see put).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(source: Readable, options: { maxBytes: number }): Promise<StoredBlob> {
    this.#ready ??= prepareTempDir(this.#tempDir);
    await this.#ready;
    const spooled = await spoolToTempFile(source, this.#tempDir, options.maxBytes);
    const blob = { sha256: spooled.sha256, size: spooled.size };
    try {
      if ((await this.stat(spooled.sha256)) !== null) return { ...blob, created: false };
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: keyOf(spooled.sha256),
          Body: createReadStream(spooled.path),
          ContentLength: spooled.size,
          ContentType: 'application/octet-stream',
          // S3 checks the bytes it received against our hash and refuses a corrupted upload.
          ChecksumSHA256: Buffer.from(spooled.sha256, 'hex').toString('base64'),
        }),
      );
      return { ...blob, created: true };
    } finally {
      await unlink(spooled.path).catch(() => undefined);
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    assertSha256(sha256);
    try {
      const object = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: keyOf(sha256),
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      if (!(object.Body instanceof Readable)) throw new Error('S3 returned no readable body');
      return range ? exactRange(object.Body, object.ContentRange, range) : object.Body;
    } catch (error) {
      if (isMissing(error)) throw new NotFound('File');
      throw error;
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    assertSha256(sha256);
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: keyOf(sha256) }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    // S3 answers 204 for an absent key too, which is the contract we want.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keyOf(sha256) }));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

/**
 * Some S3-compatible servers ignore Range or widen it (s3rver answers `bytes=0-0` with the whole
 * object). A 206 with the wrong bytes would corrupt a client's resumed download, so we cut the
 * answer to the range asked for, or fail if it does not cover it.
 */
function exactRange(body: Readable, contentRange: string | undefined, wanted: ByteRange): Readable {
  const match = /^bytes (\d+)-(\d+)\//.exec(contentRange ?? '');
  const start = match ? Number(match[1]) : 0;
  const end = match ? Number(match[2]) : Number.POSITIVE_INFINITY;
  if (start === wanted.start && end === wanted.end) return body;
  if (start > wanted.start || end < wanted.end) {
    body.destroy();
    throw new Error(`S3 answered range ${contentRange} for bytes ${wanted.start}-${wanted.end}`);
  }
  return Readable.from(slice(body, wanted.start - start, wanted.end - wanted.start + 1), {
    objectMode: false,
  });
}

async function* slice(source: Readable, skip: number, take: number): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const part = chunk.subarray(Math.min(skip, chunk.length), skip + take);
    skip = Math.max(0, skip - chunk.length);
    if (part.length > 0) {
      take -= part.length;
      yield part;
    }
    // Leaving the loop destroys the source, which stops the rest of the download.
    if (take === 0) return;
  }
}

function keyOf(sha256: string): string {
  return `blobs/${sha256}`;
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}
