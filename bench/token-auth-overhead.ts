// What token authentication costs: GET /api/v1/me with a Bearer token against the bare route of
// the same server (/healthz: no authentication, no database), in interleaved rounds of one run.
// A plain Fastify process serving the same JSON is measured too, to show what the platform's
// shared layers (security headers, request ids, access log, metrics) cost on top of Fastify.
// Goal (issue 3): the authenticated route keeps at least 80% of the bare route's rate.
//   npm run bench            (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS change the load)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  load,
  median,
  startNode,
  writeResultsSection,
  type Round,
  type Started,
  khomounCli,
} from './harness.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const goal = 0.8;

const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-'));
const env = { DATA_DIR: join(work, 'data'), KHOMOUN_DEMO: '0', LOG_LEVEL: 'info', PORT: '0' };
const cli = khomounCli(env);

interface Target {
  label: string;
  server: Started;
  url: string;
  headers: Record<string, string>;
  rounds: Round[];
  cpuMicros: number[];
}

try {
  // The CLI builds dist/ if needed and migrates, so the server below starts from a built tree.
  cli('users', 'create', '--email', 'bench@example.org', '--password', 'bench-password-1');
  const token = cli('tokens', 'create', '--email', 'bench@example.org', '--name', 'bench');
  const khomoun = await startNode(
    ['bin/khomoun.js', 'serve'],
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
  const target = (label: string, server: Started, path: string, auth: boolean): Target => ({
    label,
    server,
    url: server.url + path,
    headers: auth ? { authorization: `Bearer ${token}` } : {},
    rounds: [],
    cpuMicros: [],
  });
  const me = target('Khomoun `GET /api/v1/me`, Bearer token', khomoun, '/api/v1/me', true);
  const bare = target('Khomoun bare route `GET /healthz`', khomoun, '/healthz', false);
  const fastify = target('plain Fastify process, same JSON', plain, '/api/v1/me', false);
  const targets = [me, bare, fastify];
  try {
    for (const t of targets) await load(t.url, t.headers, 2, connections);
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order so that drift on a shared machine hits every target alike.
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
      for (const t of order) {
        const cpuBefore = t.server.cpuMs();
        const result = await load(t.url, t.headers, seconds, connections);
        if (result.errors > 0 || result.non2xx > 0)
          throw new Error(`${t.label}: ${result.errors} errors, ${result.non2xx} non-2xx`);
        t.rounds.push(result);
        t.cpuMicros.push(((t.server.cpuMs() - cpuBefore) * 1000) / (result.rps * seconds));
        process.stdout.write(`round ${round + 1} ${t.label}: ${Math.round(result.rps)} req/s\n`);
      }
    }
    const row = (t: Target) =>
      `| ${t.label} | ${Math.round(median(t.rounds.map((r) => r.rps)))} | ` +
      `${median(t.rounds.map((r) => r.p50))} | ${median(t.rounds.map((r) => r.p99))} | ` +
      `${Math.round(median(t.cpuMicros))} | ${t.server.peakRssMiB()} |`;
    const rps = (t: Target) => median(t.rounds.map((r) => r.rps));
    const ratio = rps(me) / rps(bare);
    const platformRatio = rps(bare) / rps(fastify);
    const verdict = ratio >= goal ? 'meets' : 'MISSES';
    const body = `
\`npm run bench\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${rounds}
interleaved rounds of ${seconds} s, ${connections} connections, loopback, autocannon in the
harness process. Khomoun runs built (\`bin/khomoun.js serve\`, PGlite, \`LOG_LEVEL=info\`, logs
to a file).

| target | median req/s | p50 ms | p99 ms | server CPU µs/request | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: |
${row(me)}
${row(bare)}
${row(fastify)}

**Token-authenticated \`/api/v1/me\` runs at ${ratio.toFixed(2)} of the bare route's rate** — it
${verdict} the goal of ≥ ${goal}. The bare route itself runs at ${platformRatio.toFixed(2)} of a
plain Fastify process: that difference is the layers every request pays (helmet headers, request
id, one access-log line, the metrics histogram, cookie parsing).
`;
    writeResultsSection('Token-authenticated /api/v1/me against a bare route', body);
    process.stdout.write(`ratio ${ratio.toFixed(2)} (goal ≥ ${goal}): ${verdict}\n`);
    if (ratio < goal) process.exitCode = 1;
  } finally {
    await khomoun.stop();
    await plain.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
