import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { formatDuration, progressLine, ProgressView } from '../src/cli/progress.js';

describe('ingest progress', () => {
  it('writes durations in whole seconds, minutes and hours, never 60 of the smaller unit', () => {
    assert.equal(formatDuration(0.4), '0s');
    assert.equal(formatDuration(59.4), '59s');
    assert.equal(formatDuration(59.6), '1m00s');
    assert.equal(formatDuration(65), '1m05s');
    assert.equal(formatDuration(119.7), '2m00s');
    assert.equal(formatDuration(3599.6), '1h00m');
    assert.equal(formatDuration(7380), '2h03m');
  });

  it('says the time left is unknown until there is progress, and finite once there is', () => {
    const line = (done: number, seconds: number) =>
      progressLine({ phase: 'Reading', done, total: 100e6, rows: 0, seconds });
    assert.match(line(0, 0), /ETA --$/);
    assert.match(line(0, 30), /ETA --$/);
    assert.match(line(25e6, 30), /\| 0\.8 MB\/s \| ETA 1m30s$/);
    // A stall lowers the speed, and lengthens the time left, but never makes it endless.
    assert.match(line(25e6, 600), /ETA 30m00s$/);
    assert.match(line(100e6, 30), /finishing$/);
  });

  it('counts one row in the singular', () => {
    const line = (rows: number) =>
      progressLine({ phase: 'Reading', done: 1, total: 2, rows, seconds: 1 });
    assert.match(line(1), /\| 1 row \|/);
    assert.match(line(2), /\| 2 rows \|/);
    assert.doesNotMatch(progressLine({ phase: 'Copying', done: 1, total: 2, seconds: 1 }), /row/);
  });

  it('prints plain lines every few seconds when stderr is not a terminal', async () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const view = new ProgressView(stream, 20);
    view.start('Reading', 1000, 0);
    view.update(400, 12);
    await new Promise((resolve) => setTimeout(resolve, 70));
    view.stop();
    const lines = written.split('\n').filter((line) => line !== '');
    assert.ok(lines.length >= 2, written);
    assert.match(lines[0]!, /^Reading: 40% \| 12 rows \| [\d.]+ MB\/s \| /);
    // No cursor moves, carriage returns or colours in a log.
    const controls = [...written].filter((char) => char !== '\n' && char.charCodeAt(0) < 0x20);
    assert.deepEqual(controls, []);
    const after = written;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(written, after, 'nothing is printed once stopped');
  });
});
