// The files `khomoun ingest` is given on the command line: opened once, checked, read.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parseLayoutFile } from '../datastore/index.js';
import { mediaTypeHeadBytes } from '../files/index.js';
import { AppError } from '../lib/errors.js';
import { formatBytes } from './progress.js';

/** A file the command was given cannot be used: missing, unreadable, not a regular file, empty. */
class UnusableFile extends AppError {
  constructor(message: string) {
    super(422, 'UNUSABLE_FILE', message);
  }
}

export interface LocalFile {
  handle: FileHandle;
  size: number;
  /** The first bytes, for the media type. */
  head: Buffer;
}

/**
 * Opens a regular file that is not empty and not over `maxBytes`, or says in one line why not.
 * Everything is read through the one handle: a pipe (`<(cat data.csv)`) cannot be read twice,
 * and what is checked is what is read.
 */
export async function openLocalFile(path: string, maxBytes: number): Promise<LocalFile> {
  let handle: FileHandle;
  try {
    // Without O_NONBLOCK, opening a named pipe waits for a writer, for ever if none comes.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UnusableFile(`cannot read ${path}: ${systemErrorText(error)}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new UnusableFile(`${path} is a directory, not a file`);
    if (!stat.isFile())
      throw new UnusableFile(
        `${path} is not a regular file (${stat.isFIFO() ? 'a pipe' : stat.isSocket() ? 'a socket' : 'a device'}); save the data to a file first`,
      );
    if (stat.size === 0) throw new UnusableFile(`${path} is empty`);
    if (stat.size > maxBytes)
      throw new UnusableFile(
        `${path} is ${formatBytes(stat.size)}, more than the upload limit of ${formatBytes(maxBytes)} (UPLOAD_MAX_BYTES)`,
      );
    const buffer = Buffer.alloc(Math.min(mediaTypeHeadBytes, stat.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { handle, size: stat.size, head: buffer.subarray(0, bytesRead) };
  } catch (error) {
    await handle.close();
    throw error instanceof AppError
      ? error
      : new UnusableFile(`cannot read ${path}: ${systemErrorText(error)}`);
  }
}

/** A layout file is a few lines; a larger one is not a layout. */
const layoutMaxBytes = 1024 * 1024;

export async function readLayout(path: string) {
  const local = await openLocalFile(path, layoutMaxBytes);
  try {
    const { buffer } = await local.handle.read(Buffer.alloc(local.size), 0, local.size, 0);
    return await parseLayoutFile(buffer.toString('utf8'));
  } finally {
    await local.handle.close();
  }
}

function systemErrorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENXIO':
      return 'not a regular file (a socket)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
