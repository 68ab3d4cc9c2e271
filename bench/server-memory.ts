// How much memory the server holds: resident memory of `khomoun serve` (PGlite in a temp
// DATA_DIR) right after start-up and after a short load of API requests, against a plain Fastify
// process under the same load; the figures go into bench/RESULTS.md.
//   npm run bench:memory   (BENCH_SECONDS, BENCH_CONNECTIONS change the load;
//   BENCH_FROM_SOURCE=1 runs src/ through tsx instead of the built dist/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, root, startNode, writeResultsSection, type Started } from './harness.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const entry =
  process.env.BENCH_FROM_SOURCE === '1'
    ? ['--import', 'tsx', 'src/cli/run.ts']
    : ['bin/khomoun.js'];

const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-memory-'));
const env = { DATA_DIR: join(work, 'data'), KHOMOUN_DEMO: '0', LOG_LEVEL: 'warn', PORT: '0' };

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [...entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  }).trim();
}

/** VmHWM, VmRSS, RssAnon and RssFile of the process, in MiB. */
function memory(server: Started): Record<'hwm' | 'rss' | 'anon' | 'file', number> {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const mib = (field: string) =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  return { hwm: mib('VmHWM'), rss: mib('VmRSS'), anon: mib('RssAnon'), file: mib('RssFile') };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

try {
  // The CLI and the server cannot hold the PGlite directory at once: accounts first.
  cli('users', 'create', '--email', 'bench@example.org', '--password', 'bench-password-1');
  const token = cli('tokens', 'create', '--email', 'bench@example.org', '--name', 'bench');
  const khomoun = await startNode(
    [...entry, 'serve'],
    env,
    join(work, 'khomoun.log'),
    /listening on (\S+)/,
  );
  const plain = await startNode(
    ['bench/bare-server.js'],
    {},
    join(work, 'plain.log'),
    /listening on (\S+)/,
  );
  try {
    await settle();
    const idle = memory(khomoun);
    const auth = { authorization: `Bearer ${token}` };
    const rounds = [
      await load(`${khomoun.url}/api/v1/me`, auth, seconds, connections),
      await load(`${khomoun.url}/readyz`, {}, seconds, connections),
    ];
    for (const round of rounds)
      if (round.errors > 0 || round.non2xx > 0)
        throw new Error(`${round.errors} errors, ${round.non2xx} non-2xx answers`);
    await settle();
    const loaded = memory(khomoun);
    await load(`${plain.url}/api/v1/me`, {}, seconds, connections);
    await settle();
    const bare = memory(plain);
    const row = (label: string, m: ReturnType<typeof memory>) =>
      `| ${label} | ${m.hwm} | ${m.rss} | ${m.anon} | ${m.file} |`;
    const body = [
      '',
      `\`npm run bench:memory\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
        `PGlite with the defaults (Liftoff only, 16 MB shared buffers); ${seconds} s of ` +
        `\`/api/v1/me\` (Bearer) then ${seconds} s of \`/readyz\`, ${connections} connections ` +
        `(${Math.round(rounds[0]?.rps ?? 0)} and ${Math.round(rounds[1]?.rps ?? 0)} req/s).`,
      '',
      '| process | VmHWM MiB | VmRSS MiB | RssAnon MiB | RssFile MiB |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('khomoun serve, idle after start', idle),
      row('khomoun serve, after the load', loaded),
      row('plain Fastify, after the same load', bare),
      '',
    ].join('\n');
    writeResultsSection('Server memory', body);
    process.stdout.write(body);
  } finally {
    await khomoun.stop();
    await plain.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
