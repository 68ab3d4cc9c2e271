import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGate } from '../src/lib/gate.js';

describe('gate', () => {
  it('runs at most its limit at once, the others in the order they came', async () => {
    const gate = createGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return i;
      }),
    );
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    assert.deepEqual(started, [0, 1]);
    assert.equal(gate.waiting, 4);
    while (releases.length > 0) {
      releases.shift()!();
      await settle();
    }
    assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
    assert.equal(most, 2);
    assert.equal(gate.waiting, 0);
  });

  it('gives the place of a failed task to the next one', async () => {
    const gate = createGate(1);
    const failed = gate.run(() => Promise.reject(new Error('no')));
    const next = gate.run(() => Promise.resolve('next'));
    await assert.rejects(failed, /no/);
    assert.equal(await next, 'next');
    assert.equal(await gate.run(() => Promise.resolve('after')), 'after');
  });

  it('refuses at once what would wait beyond its queue', async () => {
    const gate = createGate(1, { queueLength: 1, refuse: () => new Error('busy') });
    let release = () => {};
    const first = gate.run(
      () => new Promise<string>((resolve) => (release = () => resolve('first'))),
    );
    const second = gate.run(() => Promise.resolve('second'));
    await assert.rejects(
      gate.run(() => Promise.resolve('third')),
      /busy/,
    );
    release();
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
  });
});
