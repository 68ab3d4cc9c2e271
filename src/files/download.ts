import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RangeNotSatisfiable } from '../lib/errors.js';
import type { BlobStore } from './blob-store.js';
import { parseRangeHeader } from './byte-range.js';
import { attachmentDisposition } from './file-name.js';
import { isTextMediaType } from './media-type.js';

export interface SendBlobOptions {
  store: BlobStore;
  sha256: string;
  size: number;
  /** The name the file was uploaded with; any script, sent as RFC 5987 `filename*`. */
  filename: string;
  mediaType: string;
  /** Charset for text types; defaults to utf-8. Ignored when `mediaType` already names one. */
  charset?: string;
  /** E.g. `private, no-cache` for a dataset not yet public, `public, max-age=3600` once it is. */
  cacheControl?: string;
}

/**
 * Answers a GET or HEAD for a stored blob: conditional (`If-None-Match` → 304), partial
 * (`Range` → 206 or 416) and as an attachment, so that an uploaded HTML or SVG file is never
 * rendered in our origin. The ETag is the SHA-256, which names the bytes exactly.
 *
 * @example
 *   app.get('/files/:id', async (request, reply) =>
 *     sendBlob(request, reply, { store, ...(await findFile(request.params.id)) }));
 */
export async function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  options: SendBlobOptions,
): Promise<FastifyReply> {
  const { size } = options;
  const etag = `"${options.sha256}"`;
  reply.header('etag', etag);
  if (options.cacheControl !== undefined) reply.header('cache-control', options.cacheControl);
  if (matchesAnyEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();

  // If-Range: a client resuming with an old ETag must get the whole new file, not a splice.
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === etag
      ? parseRangeHeader(request.headers.range, size)
      : undefined;
  // Thrown before the content headers are set, so the JSON error is not labelled as the file.
  if (range === 'unsatisfiable') throw new RangeNotSatisfiable(size);

  // Opened before any content header is set: a blob missing from the store becomes a plain
  // JSON 404, not an "attachment" with the file's name. HEAD never opens it: Fastify's automatic
  // HEAD route would read a real body to the end and discard it (a whole S3 download), and an
  // empty body would reset Content-Length to 0, so HEAD gets an empty stream instead.
  const body =
    request.method === 'HEAD' ? Readable.from([]) : await options.store.open(options.sha256, range);
  reply
    .header('content-type', contentType(options.mediaType, options.charset))
    .header('content-disposition', attachmentDisposition(options.filename))
    .header('x-content-type-options', 'nosniff')
    .header('accept-ranges', 'bytes')
    .header('content-length', String(range ? range.end - range.start + 1 : size));
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
  }
  return reply.send(body);
}

function contentType(mediaType: string, charset = 'utf-8'): string {
  if (!isTextMediaType(mediaType) || /;\s*charset=/i.test(mediaType)) return mediaType;
  return `${mediaType}; charset=${charset}`;
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`, and `*` matches anything. */
function matchesAnyEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
