import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const module = fileURLToPath(new URL('../src/datastore/thread-priority.ts', import.meta.url));
const tableStore = fileURLToPath(new URL('../src/datastore/table-store.ts', import.meta.url));

/** Runs an ES module script under tsx in a new process; returns what it wrote. */
const runScript = (script: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });

const niceOfThreads = `
  const nice = (task) => {
    const stat = readFileSync('/proc/self/task/' + task + '/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
`;

describe('thread priorities', () => {
  // Linux keeps a niceness per thread (the platform the server runs on, and CI).
  it('lowers every thread of the process, not only the calling one', () => {
    const out = runScript(`
      import { readdirSync, readFileSync } from 'node:fs';
      import { lowerProcessPriority } from ${JSON.stringify(module)};
      lowerProcessPriority(7);
      ${niceOfThreads}
      const tasks = readdirSync('/proc/self/task');
      process.stdout.write(JSON.stringify({ count: tasks.length, nice: tasks.map(nice) }));
    `);
    const { count, nice } = JSON.parse(out) as { count: number; nice: number[] };
    // Node starts V8's and libuv's threads before any of our code runs.
    assert.ok(count > 1, `only ${count} thread`);
    assert.deepEqual(
      nice,
      nice.map(() => 7),
    );
  });

  it('puts the event loop ahead of DuckDB and the thread pool once the table store is open', () => {
    const out = runScript(`
      import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import { openTableStore } from ${JSON.stringify(tableStore)};
      ${niceOfThreads}
      const before = readdirSync('/proc/self/task');
      const directory = mkdtempSync(join(tmpdir(), 'khomoun-priority-'));
      const store = openTableStore(directory, { threads: 2 });
      await store.withConnection((c) => c.run('select 1'));
      const tasks = readdirSync('/proc/self/task');
      const others = tasks.filter((task) => Number(task) !== process.pid);
      process.stdout.write(JSON.stringify({
        started: tasks.filter((task) => !before.includes(task)).length,
        main: nice(process.pid),
        others: others.map(nice),
      }));
      store.close();
      rmSync(directory, { recursive: true, force: true });
    `);
    const { started, main, others } = JSON.parse(out) as {
      started: number;
      main: number;
      others: number[];
    };
    assert.ok(started >= 1, 'DuckDB started a thread of its own');
    assert.equal(main, 0);
    assert.deepEqual(
      others,
      others.map(() => 5),
    );
  });
});
