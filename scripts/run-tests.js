// Runs node's test runner over an explicit file list (Node 20's --test does not find .ts files).
//   unit: every *.test.ts outside test/e2e, on the embedded engines (PGlite, in-process counters)
//   pg:   the same files against PostgreSQL (TEST_DATABASE_URL) and, when set, Redis (TEST_REDIS_URL)
//   e2e:  browser tests in test/e2e (needs Debian's chromium)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { root } from './build-steps.js';

const mode = process.argv[2] ?? 'unit';
const extra = process.argv.slice(3);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (/\.test\.tsx?$/.test(entry.name)) found.push(relative(root, path));
  }
  return found;
}

const all = [...findTests(join(root, 'src')), ...findTests(join(root, 'test'))].sort();
const isE2e = (file) => file.startsWith(join('test', 'e2e'));
const env = { ...process.env };
let files;
if (mode === 'unit') {
  files = all.filter((file) => !isE2e(file));
  env.TEST_ENGINES ??= 'pglite,postgres';
} else if (mode === 'pg') {
  files = all.filter((file) => !isE2e(file));
  env.TEST_ENGINES = 'postgres';
  env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
} else if (mode === 'e2e') {
  files = all.filter(isE2e);
} else {
  process.stderr.write(`unknown test mode ${mode}: use unit, pg or e2e\n`);
  process.exit(2);
}
if (extra.length > 0) files = files.filter((file) => extra.some((part) => file.includes(part)));
if (files.length === 0) {
  process.stderr.write(`no test files for mode ${mode}\n`);
  process.exit(1);
}

// Node's default is one file at a time fewer than there are cores: a single file on a two-core
// machine, which then sits at a load of about 1.7, the files waiting on child processes,
// PostgreSQL or DuckDB's threads. Two at a time (with each PGlite a copy of one migrated
// database, test/helpers/engines.ts) took the embedded suite from 597 to 401 s there. The browser
// tests keep to one: each drives a multi-process Chromium.
const concurrency = mode === 'e2e' ? 1 : Math.max(2, availableParallelism() - 1);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...files,
  ],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
