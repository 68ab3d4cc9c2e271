import { constants, inflateRawSync } from 'node:zlib';

export interface ZipEntryHead {
  name: string;
  /** 0 = stored, 8 = deflated; other methods are reported but not read. */
  method: number;
  /** The entry's bytes as far as the head reaches; may be cut short. */
  data: Buffer;
}

const localHeader = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The entries of a zip whose start we hold, read from the local file headers in the order they
 * were written. The central directory, the usual index, sits at the end of the file, which a
 * 64 KiB head never reaches; the local headers are enough to tell XLSX from DOCX from ODS.
 */
export function zipEntriesInHead(head: Buffer, maxEntries = 500): ZipEntryHead[] {
  const entries: ZipEntryHead[] = [];
  let offset = 0;
  while (entries.length < maxEntries && offset + 30 <= head.length) {
    if (!head.subarray(offset, offset + 4).equals(localHeader)) break;
    const flags = head.readUInt16LE(offset + 6);
    const method = head.readUInt16LE(offset + 8);
    const compressedSize = head.readUInt32LE(offset + 18);
    const nameLength = head.readUInt16LE(offset + 26);
    const extraLength = head.readUInt16LE(offset + 28);
    const nameStart = offset + 30;
    const dataStart = nameStart + nameLength + extraLength;
    if (dataStart > head.length) break;
    // Bit 11 marks UTF-8 names; the others are CP437, of which we only need the ASCII part.
    const encoding = flags & 0x0800 ? 'utf8' : 'latin1';
    const name = head.toString(encoding, nameStart, nameStart + nameLength);
    // Bit 3 (streamed writers) and ZIP64 leave the size out of the local header: the entry
    // then ends where the next local header begins.
    const sizeKnown = (flags & 0x0008) === 0 && compressedSize !== 0xffffffff;
    let next = sizeKnown ? dataStart + compressedSize : head.indexOf(localHeader, dataStart);
    if (next === -1) next = head.length;
    entries.push({ name, method, data: head.subarray(dataStart, Math.min(next, head.length)) });
    offset = next;
  }
  return entries;
}

/** The text of a small entry (up to `maxBytes`), or undefined when it cannot be read. */
export function zipEntryText(entry: ZipEntryHead, maxBytes = 256 * 1024): string | undefined {
  try {
    if (entry.method === 0) return entry.data.subarray(0, maxBytes).toString('utf8');
    if (entry.method !== 8) return undefined;
    // SYNC_FLUSH: a cut-off entry still yields the text inflated so far instead of an error.
    const inflated = inflateRawSync(entry.data, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: maxBytes,
    });
    return inflated.toString('utf8');
  } catch {
    return undefined;
  }
}
