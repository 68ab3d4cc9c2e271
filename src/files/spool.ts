import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PayloadTooLarge } from '../lib/errors.js';

export interface SpooledFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Writes `source` to a new file in `dir`, hashing and counting on the way, and fsyncs it. The
 * hash is only known once the last byte is in, so every store lands bytes here first; on any
 * failure (too large, client gone, disk full) the file is removed before the error goes on.
 */
export async function spoolToTempFile(
  source: Readable,
  dir: string,
  maxBytes: number,
): Promise<SpooledFile> {
  const path = join(dir, `upload-${randomBytes(12).toString('hex')}`);
  const file = await open(path, 'wx', 0o640);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += bytes.length;
      // Checked before writing, so an oversized upload never occupies more than maxBytes.
      if (size > maxBytes) throw new PayloadTooLarge(maxBytes);
      hash.update(bytes);
      await writeAll(file, bytes);
    }
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await file.close();
  return { path, sha256: hash.digest('hex'), size };
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  // write(2) may write less than asked (signals, quotas); a short write must not lose bytes.
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset);
    offset += bytesWritten;
  }
}

const staleAfterMs = 24 * 60 * 60 * 1000;

/**
 * Creates the temporary directory and removes what a crashed process left there. A day is far
 * longer than any upload takes, so another process's upload in progress is never touched.
 */
export async function prepareTempDir(dir: string, now = Date.now()): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs > staleAfterMs) await unlink(path);
    } catch {
      // Gone already, or not ours to remove: neither stops the store from working.
    }
  }
}
