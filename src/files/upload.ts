import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { AppError, Invalid, NulCharacter } from '../lib/errors.js';
import type { BlobStore } from './blob-store.js';
import { cleanFileName } from './file-name.js';
import { detectMediaType, mediaTypeHeadBytes, type DetectedMediaType } from './media-type.js';
import { uploadFormLimits } from './multipart-plugin.js';

export interface ReceivedUpload extends DetectedMediaType {
  sha256: string;
  size: number;
  /** False when the same bytes were already stored (see `StoredBlob.created`). */
  created: boolean;
  /** NFC, without any path; what the download will be called. */
  filename: string;
  /** The form's other fields, e.g. `title`. */
  fields: Record<string, string>;
}

/**
 * Reads a multipart upload of one file (any part name) and a few fields, streaming the file into
 * `store` without holding it in memory, and detects its media type from its first bytes. Throws
 * `Invalid('file', ...)` without a file, `PayloadTooLarge` past `maxBytes`; in every failure the
 * stored bytes are gone again (the app must have registered `multipartPlugin`).
 *
 * @example
 *   const upload = await receiveUpload(request, { store: blobs, maxBytes: config.uploadMaxBytes });
 */
export async function receiveUpload(
  request: FastifyRequest,
  options: { store: BlobStore; maxBytes: number },
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new Invalid('file', 'send the file as multipart/form-data');
  }
  const { store, maxBytes } = options;
  // busboy's own limit sits one byte above ours, so that our counter is the one that trips.
  const parts = request.parts({ limits: { fileSize: maxBytes + 1 } });
  const fields: Record<string, string> = {};
  let received: Omit<ReceivedUpload, 'fields'> | undefined;
  try {
    for await (const part of asClientErrors(parts)) {
      if (part.type === 'field') {
        addField(fields, part.fieldname, part.value, part.valueTruncated);
        continue;
      }
      const head = new HeadBuffer(mediaTypeHeadBytes);
      const source = Readable.from(asClientErrors(head.tap(part.file)), { objectMode: false });
      const stored = await store.put(source, { maxBytes });
      const filename = cleanFileName(part.filename);
      received = { ...stored, filename, ...detectMediaType(head.bytes(), filename) };
    }
    if (received === undefined) {
      throw new Invalid('file', 'is required: send it as a part of the multipart form');
    }
    if (received.size === 0) throw new Invalid('file', 'is empty');
    return { ...received, fields };
  } catch (error) {
    // Only a blob this request created is ours to remove; an older identical one is someone's.
    if (received?.created) await store.delete(received.sha256).catch(() => undefined);
    throw error;
  }
}

function addField(
  fields: Record<string, string>,
  name: string,
  value: unknown,
  truncated: boolean,
): void {
  if (truncated) {
    throw new Invalid(name, `is longer than ${uploadFormLimits.fieldSize} bytes`);
  }
  if (Object.hasOwn(fields, name)) throw new Invalid(name, 'is sent more than once');
  // @fastify/multipart parses parts declared as application/json; keep them as text.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // Form fields are read here, after the hook that refuses NUL elsewhere (src/http/nul-guard.ts).
  if (text.includes('\u0000')) throw new NulCharacter(name);
  fields[name] = text;
}

/** Keeps the first bytes of a stream for media type detection while passing everything on. */
class HeadBuffer {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #length = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async *tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (this.#length < this.#limit) {
        const kept = chunk.subarray(0, this.#limit - this.#length);
        this.#chunks.push(kept);
        this.#length += kept.length;
      }
      yield chunk;
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }
}

/**
 * Failures of the request body (cut off, malformed, over a form limit) are the client's: they
 * become 400s naming the field. Failures of the store are left alone, to be logged as 500s.
 */
async function* asClientErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw clientError(error);
  }
}

function clientError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_FILES_LIMIT') return new Invalid('file', 'send one file per upload');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new Invalid('fields', `send at most ${uploadFormLimits.fields} form fields`);
  }
  if (code === 'FST_INVALID_JSON_FIELD_ERROR' || code === 'FST_PROTO_VIOLATION') {
    return new Invalid('fields', (error as Error).message);
  }
  return new Invalid('file', 'the upload was cut off or is not valid multipart/form-data');
}
