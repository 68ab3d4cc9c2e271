import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { publicErrorMessage } from '../src/lib/errors.js';

describe('error messages a publisher reads', () => {
  it('tell a system error by its operation and code, never by a path on the server', async () => {
    const missing = '/srv/khomoun/data/blobs/tmp/upload-1234';
    const error = await readFile(missing).catch((caught: unknown) => caught);
    assert.ok(error instanceof Error && error.message.includes(missing));
    assert.equal(publicErrorMessage(error), 'a file operation on the server failed (open: ENOENT)');
    assert.equal(publicErrorMessage(new Error('the sheet "x" is empty')), 'the sheet "x" is empty');
  });
});
