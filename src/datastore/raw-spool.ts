import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { SourceRow } from './source.js';

const needsQuotes = /[",\n\r]/;

/**
 * Writes located table rows to a plain UTF-8 CSV (comma, double quotes, LF) with the source row
 * number first, for DuckDB to load in bulk: whatever the original format and encoding, DuckDB
 * then reads one strict dialect, fast and in parallel.
 */
export class RawSpool {
  readonly #out: WriteStream;
  readonly #width: number;
  #rows = 0;
  #longestLine = 0;

  constructor(path: string, width: number) {
    this.#out = createWriteStream(path, { highWaterMark: 1024 * 1024 });
    this.#width = width;
  }

  get rows(): number {
    return this.#rows;
  }

  /** An upper bound of the longest line's length in bytes (UTF-8 takes at most 3 per char). */
  get longestLineBytes(): number {
    return this.#longestLine * 3;
  }

  /** Appends a batch, waiting for the disk when the stream's buffer is full. */
  async write(batch: readonly SourceRow[]): Promise<void> {
    let text = '';
    for (const row of batch) {
      let line = String(row.rowNumber);
      for (let i = 0; i < this.#width; i += 1) {
        const cell = row.cells[i] ?? '';
        line += needsQuotes.test(cell) ? `,"${cell.replaceAll('"', '""')}"` : `,${cell}`;
      }
      if (line.length > this.#longestLine) this.#longestLine = line.length;
      text += `${line}\n`;
    }
    this.#rows += batch.length;
    if (!this.#out.write(text)) await once(this.#out, 'drain');
  }

  async close(): Promise<void> {
    this.#out.end();
    await once(this.#out, 'finish');
  }

  destroy(): void {
    this.#out.destroy();
  }
}
