// Compiles src/ to dist/ when src/ is newer than the last build. Plain JavaScript so that it
// runs before anything is compiled: `npm start` and the `khomoun` command call it first.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function buildIsStale() {
  if (!existsSync(join(root, 'src'))) return false; // an installed copy ships dist/ only
  if (!existsSync(stamp)) return true;
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
    statSync(join(root, 'package.json')).mtimeMs,
  );
  return sources > statSync(stamp).mtimeMs;
}

export function build() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    throw new Error(
      'TypeScript is not installed: run `npm ci` first (it installs the build tools too)',
    );
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error('TypeScript compilation failed (see above)');
  // tsc copies no assets: migrations and page assets travel beside the compiled modules. Each
  // folder is replaced whole: a renamed migration left behind would stop the server starting.
  for (const dir of ['db/migrations', 'web/i18n', 'web/assets', 'lao/reference']) {
    const from = join(root, 'src', dir);
    const to = join(root, 'dist', dir);
    rmSync(to, { recursive: true, force: true });
    if (existsSync(from)) cpSync(from, to, { recursive: true });
  }
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

export function ensureBuilt() {
  if (!buildIsStale()) return;
  process.stderr.write('Building Khomoun (TypeScript to dist/)…\n');
  build();
}
