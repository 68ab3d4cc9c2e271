import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFound } from '../lib/errors.js';
import { assertSha256, type BlobStore, type ByteRange, type StoredBlob } from './blob-store.js';
import { prepareTempDir, spoolToTempFile } from './spool.js';

/**
 * Blobs as files under one directory (`DATA_DIR/blobs`), at `ab/cd/<sha256>` so that no
 * directory grows past 65,536 entries. Temporary files live in `tmp/` inside the same directory:
 * rename(2) is atomic only within one file system, and atomic is what makes a half-written blob
 * impossible to see.
 */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  readonly #tempDir: string;
  #ready: Promise<void> | undefined;

  constructor(root: string) {
    this.#root = root;
    this.#tempDir = join(root, 'tmp');
  }

  async put(source: Readable, options: { maxBytes: number }): Promise<StoredBlob> {
    this.#ready ??= prepareTempDir(this.#tempDir);
    await this.#ready;
    const spooled = await spoolToTempFile(source, this.#tempDir, options.maxBytes);
    const blob = { sha256: spooled.sha256, size: spooled.size };
    const target = this.#pathOf(spooled.sha256);
    try {
      if (await exists(target)) {
        // Same hash, same bytes: keep the stored copy (its inode may be open by a download).
        await unlink(spooled.path);
        return { ...blob, created: false };
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(spooled.path, target);
      // The rename lives in the directory; without this a power cut could forget the blob
      // after the database has recorded it.
      await syncDirectory(dirname(target));
      return { ...blob, created: true };
    } catch (error) {
      await unlink(spooled.path).catch(() => undefined);
      throw error;
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    assertSha256(sha256);
    try {
      // Opening first turns a missing blob into NotFound here, not into a stream error later.
      const file = await open(this.#pathOf(sha256), 'r');
      return file.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (error) {
      if (isMissing(error)) throw new NotFound('File');
      throw error;
    }
  }

  localPath(sha256: string): string {
    return this.#pathOf(sha256);
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    assertSha256(sha256);
    try {
      return { size: (await stat(this.#pathOf(sha256))).size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    assertSha256(sha256);
    // Empty `ab/cd` directories stay: removing them could race a put that just created them.
    await unlink(this.#pathOf(sha256)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  async close(): Promise<void> {}

  #pathOf(sha256: string): string {
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
