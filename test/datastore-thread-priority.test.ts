import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const module = fileURLToPath(new URL('../src/datastore/thread-priority.ts', import.meta.url));

describe('ingest process priority', () => {
  // Linux keeps a niceness per thread (the platform the server runs on, and CI).
  it('lowers every thread of the process, not only the calling one', () => {
    const script = `
      import { readdirSync, readFileSync } from 'node:fs';
      import { lowerProcessPriority } from ${JSON.stringify(module)};
      lowerProcessPriority(7);
      const nice = (task) => {
        const stat = readFileSync('/proc/self/task/' + task + '/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      const tasks = readdirSync('/proc/self/task');
      process.stdout.write(JSON.stringify({ count: tasks.length, nice: tasks.map(nice) }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    const { count, nice } = JSON.parse(out) as { count: number; nice: number[] };
    // Node starts V8's and libuv's threads before any of our code runs.
    assert.ok(count > 1, `only ${count} thread`);
    assert.deepEqual(
      nice,
      nice.map(() => 7),
    );
  });
});
