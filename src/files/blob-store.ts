import type { Readable } from 'node:stream';

/**
 * Where uploaded files live, addressed by the SHA-256 of their bytes: a local directory by
 * default, an S3-compatible bucket when configured. Content addressing makes identical uploads
 * share one blob and lets a download's ETag be the hash itself.
 *
 * @example
 *   const { sha256, size } = await store.put(request.raw, { maxBytes: 1024 ** 3 });
 *   const stream = await store.open(sha256, { start: 0, end: 99 });
 */
export interface BlobStore {
  /**
   * Streams `source` into the store while hashing it. Throws `PayloadTooLarge` past `maxBytes`,
   * and rethrows any error of `source`; either way nothing is left behind.
   */
  put(source: Readable, options: { maxBytes: number }): Promise<StoredBlob>;
  /** The bytes of a blob, or of the inclusive `range` of it; throws `NotFound` if it is absent. */
  open(sha256: string, range?: ByteRange): Promise<Readable>;
  /**
   * Where the blob lies on this machine's disk, if the store keeps it there: readers that need a
   * file (spreadsheets, DuckDB) then read it in place instead of copying it first.
   */
  localPath?(sha256: string): string;
  /** The blob's size, or null when there is no such blob. */
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Removes a blob; removing an absent blob is not an error. */
  delete(sha256: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /**
   * False when an identical blob was already stored. Only a caller that created the blob may
   * delete it when its own transaction fails; the older copy may belong to someone else. (An
   * identical upload finishing at the same moment can still lose its blob that way; a sweep of
   * unreferenced blobs by the catalog is the complete answer.)
   */
  created: boolean;
}

/** Inclusive on both ends, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** Keys come from our own database, but a bad one must never become a path like `../../x`. */
export function assertSha256(sha256: string): void {
  if (!sha256Pattern.test(sha256)) throw new TypeError(`not a SHA-256 hex digest: "${sha256}"`);
}
