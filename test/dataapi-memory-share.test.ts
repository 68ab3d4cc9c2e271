import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryShare, QueryTooLarge } from '../src/dataapi/errors.js';

/** Work that fails with DuckDB's out-of-memory answer once `release` is called. */
function failing() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    release,
    work: async (): Promise<never> => {
      await released;
      throw new QueryTooLarge();
    },
  };
}

describe('memory shared by data queries', () => {
  it('calls a query that runs out of memory alone too large (422)', async () => {
    const share = createMemoryShare();
    const query = failing();
    const running = share.run(query.work);
    query.release();
    await assert.rejects(running, (error: Error & { status?: number }) => {
      assert.equal(error.name, 'QueryTooLarge');
      assert.equal(error.status, 422);
      return true;
    });
  });

  it('tells a query that ran out beside another to come back (503 with Retry-After)', async () => {
    const share = createMemoryShare(3);
    const first = failing();
    const second = failing();
    // The second starts while the first runs; the first fails while the second runs.
    const one = share.run(first.work);
    const two = share.run(second.work);
    first.release();
    const crowded = (error: Error & { status?: number; headers?: Record<string, string> }) => {
      assert.equal(error.name, 'QueriesCrowded');
      assert.equal(error.status, 503);
      assert.equal(error.headers?.['retry-after'], '3');
      return true;
    };
    await assert.rejects(one, crowded);
    second.release();
    await assert.rejects(two, crowded);
    // Alone again: too large once more, and other errors pass as they are.
    const third = failing();
    const three = share.run(third.work);
    third.release();
    await assert.rejects(three, { name: 'QueryTooLarge' });
    await assert.rejects(
      share.run(async () => {
        throw new RangeError('other');
      }),
      RangeError,
    );
    assert.equal(await share.run(async () => 42), 42);
  });
});
