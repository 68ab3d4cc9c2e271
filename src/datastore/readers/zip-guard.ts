import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { UnreadableSource } from './errors.js';

/** A zip's central directory: its entries, the file's size and where the directory starts. */
export interface ZipDirectory {
  entries: ZipEntry[];
  size: number;
  directoryOffset: number;
}

/** One entry of a zip central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  /** Refuse when the entries together inflate to more than this. */
  maxUncompressedBytes: number;
  /** Refuse when the whole archive inflates more than this many times its size… */
  maxRatio: number;
  /** …once it inflates to more than this (small files compress very well, legitimately). */
  ratioAppliesAbove: number;
}

/** 2 GiB of XML is far beyond any real workbook sheet; 200:1 is beyond any real XML. */
export const defaultZipLimits: ZipLimits = {
  maxUncompressedBytes: 2 * 1024 ** 3,
  maxRatio: 200,
  ratioAppliesAbove: 100 * 1024 ** 2,
};

const cfbMagic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const eocdSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
const corrupt =
  'the file is damaged or is not a real XLSX or ODS workbook (its zip structure cannot be read)';

/** True when the file starts like an OLE compound file (encrypted OOXML, legacy XLS/DOC). */
export async function isCompoundFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    return bytesRead === 8 && buffer.equals(cfbMagic);
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Reads the central directory without inflating anything. Throws UnreadableSource if damaged. */
export async function readZipDirectory(file: string): Promise<ZipDirectory> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    // The end record is 22 bytes plus a comment of at most 65,535 bytes.
    const tailStart = Math.max(0, size - 22 - 65_535);
    const tail = await readAt(handle, tailStart, size - tailStart);
    let at = tail.length - 22;
    while (at >= 0 && tail.readUInt32LE(at) !== eocdSignature) at -= 1;
    if (at < 0) throw new UnreadableSource(corrupt);
    let count = tail.readUInt16LE(at + 10);
    let directorySize = tail.readUInt32LE(at + 12);
    let directoryOffset = tail.readUInt32LE(at + 16);
    if (at >= 20 && tail.readUInt32LE(at - 20) === zip64LocatorSignature) {
      const zip64 = await readAt(handle, Number(tail.readBigUInt64LE(at - 12)), 56);
      if (zip64.length < 56) throw new UnreadableSource(corrupt);
      count = Number(zip64.readBigUInt64LE(32));
      directorySize = Number(zip64.readBigUInt64LE(40));
      directoryOffset = Number(zip64.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > size) throw new UnreadableSource(corrupt);
    const directory = await readAt(handle, directoryOffset, directorySize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i += 1) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== centralSignature) {
        throw new UnreadableSource(corrupt);
      }
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      const entry: ZipEntry = {
        name: directory.toString('utf8', p + 46, p + 46 + nameLength),
        flags: directory.readUInt16LE(p + 8),
        method: directory.readUInt16LE(p + 10),
        compressedSize: directory.readUInt32LE(p + 20),
        uncompressedSize: directory.readUInt32LE(p + 24),
        localHeaderOffset: directory.readUInt32LE(p + 42),
      };
      readZip64Extra(
        entry,
        directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength),
      );
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return { entries, size, directoryOffset };
  } finally {
    await handle.close();
  }
}

/** Sizes of 0xFFFFFFFF mean "see the zip64 extra field", in this fixed order. */
function readZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      for (const key of ['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] === 0xffffffff && q + 8 <= p + 4 + length) {
          entry[key] = Number(extra.readBigUInt64LE(q));
          q += 8;
        }
      }
    }
    p += 4 + length;
  }
}

/**
 * Refuses a zip bomb before any library inflates it. The declared sizes are checked first; then
 * each entry is inflated here with a cap at its declared size (so a lying directory is caught
 * after at most the declared bytes), and every byte before the directory must belong to a listed
 * entry: a streaming unzipper reads local headers in order, so a hidden entry would escape the
 * directory check. `onData` sees the inflated bytes of the entries it selects (the sheet scan).
 * Returns the directory it checked.
 */
export async function checkZip(
  file: string,
  limits: ZipLimits = defaultZipLimits,
  onData?: { select: (name: string) => boolean; chunk: (name: string, text: Buffer) => void },
): Promise<ZipDirectory> {
  const directory = await readZipDirectory(file);
  const { entries, size, directoryOffset } = directory;
  const total = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  const tooBig = `the workbook would unpack to ${Math.round(total / 1024 ** 2)} MB, more than the limit of ${Math.round(limits.maxUncompressedBytes / 1024 ** 2)} MB; it may be a zip bomb`;
  if (total > limits.maxUncompressedBytes) throw new UnreadableSource(tooBig);
  if (total > limits.ratioAppliesAbove && total / Math.max(1, size) > limits.maxRatio) {
    throw new UnreadableSource(
      `the workbook unpacks to ${Math.round(total / Math.max(1, size))} times its size, far more than any real workbook; it may be a zip bomb`,
    );
  }
  const handle = await open(file, 'r');
  try {
    const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    let expected = 0;
    for (const entry of sorted) {
      const gap = entry.localHeaderOffset - expected;
      // A data descriptor (12 to 24 bytes) may follow an entry; nothing else fits between entries.
      if (gap < 0 || gap > 24) throw new UnreadableSource(corrupt);
      const header = await readAt(handle, entry.localHeaderOffset, 30);
      if (header.length < 30 || header.readUInt32LE(0) !== localSignature)
        throw new UnreadableSource(corrupt);
      const dataStart =
        entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      expected = dataStart + entry.compressedSize;
      if (entry.method !== 0 && entry.method !== 8) {
        throw new UnreadableSource(
          `the workbook uses an unsupported zip compression (method ${entry.method})`,
        );
      }
      if (entry.compressedSize > 0) await inflateCapped(file, entry, dataStart, onData);
    }
    if (directoryOffset - expected < 0 || directoryOffset - expected > 24)
      throw new UnreadableSource(corrupt);
  } finally {
    await handle.close();
  }
  return directory;
}

async function inflateCapped(
  file: string,
  entry: ZipEntry,
  dataStart: number,
  onData?: { select: (name: string) => boolean; chunk: (name: string, text: Buffer) => void },
): Promise<void> {
  const raw = createReadStream(file, {
    start: dataStart,
    end: dataStart + entry.compressedSize - 1,
  });
  const wanted = onData?.select(entry.name) === true;
  let inflated = 0;
  const source = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  raw.on('error', (error) => source.destroy(error));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > entry.uncompressedSize) {
        throw new UnreadableSource(
          `the workbook entry ${entry.name} unpacks to more than its declared size; the file is damaged or a zip bomb`,
        );
      }
      if (wanted) onData?.chunk(entry.name, chunk);
    }
  } catch (error) {
    raw.destroy();
    source.destroy();
    if (error instanceof UnreadableSource) throw error;
    throw new UnreadableSource(corrupt);
  }
  if (inflated !== entry.uncompressedSize) throw new UnreadableSource(corrupt);
}

/**
 * The zip's local entries named in `names`, in that order (those it has), then its central
 * directory: a zip a streaming unzipper reads as if it held only them. exceljs's streaming reader
 * parks a sheet that comes before `xl/workbook.xml` in a temporary file, and then, on some runs,
 * never sees the entries after it (SheetJS writes sheets first: 24 of 40 reads of one such file
 * failed with "Cannot read properties of undefined (reading 'sheets')"). Given the workbook
 * parts first and the one sheet wanted last, it reads every such file, and skips the sheets it
 * would otherwise have read through unused. `onBytes` counts the bytes read, the parts left out
 * first.
 */
export function zipEntriesInOrder(
  file: string,
  { entries, size, directoryOffset }: ZipDirectory,
  names: readonly string[],
  onBytes: (bytes: number) => void,
): Readable {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const spans = new Map<string, { start: number; end: number }>();
  byOffset.forEach((entry, i) => {
    const end = byOffset[i + 1]?.localHeaderOffset ?? directoryOffset;
    spans.set(entry.name, { start: entry.localHeaderOffset, end });
  });
  const ranges = names.flatMap((name) => spans.get(name) ?? []);
  // What is left out counts as read at once, and so does the directory (the reader may stop
  // before it): progress then ends at the file's size.
  const kept = ranges.reduce((sum, { start, end }) => sum + Math.max(0, end - start), 0);
  const read = async function* (start: number, end: number, counted: boolean) {
    if (end <= start) return;
    for await (const chunk of createReadStream(file, { start, end: end - 1 })) {
      if (counted) onBytes((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  };
  return Readable.from(
    (async function* () {
      onBytes(size - kept);
      for (const { start, end } of ranges) yield* read(start, end, true);
      yield* read(directoryOffset, size, false);
    })(),
  );
}
