// Shared pieces of the benchmarks: child processes with their output in files (so the parent,
// which also runs autocannon, does not spend CPU draining pipes), autocannon rounds, and the
// RESULTS.md section writer.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const root = new URL('../', import.meta.url).pathname;
// USER_HZ: 100 on every Linux this runs on.
const clockTicksPerSecond = 100;

/** Runs the built `khomoun` command with `env` (its DATA_DIR); returns what it printed. */
export function khomounCli(env: Record<string, string>) {
  return (...args: string[]): string =>
    execFileSync(process.execPath, ['bin/khomoun.js', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }).trim();
}

export interface Started {
  child: ChildProcess;
  url: string;
  /** Highest resident memory of the process so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time (user + system) the process has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts `node args…`, waits until its output file holds a line matching `ready`, whose first group is the URL. */
export async function startNode(
  args: string[],
  env: Record<string, string>,
  outputFile: string,
  ready: RegExp,
): Promise<Started> {
  const out = openSync(outputFile, 'w');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null)
      throw new Error(`${args.join(' ')} exited: ${readFileSync(outputFile, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not start in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    url = ready.exec(readFileSync(outputFile, 'utf8'))?.[1];
  }
  return {
    child,
    url,
    peakRssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kib / 1024);
    },
    cpuMs() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<Round> {
  const result = await autocannon({ url, headers, duration: seconds, connections, pipelining: 1 });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Replaces (or appends) the section `## title` of bench/RESULTS.md, keeping the others. */
export function writeResultsSection(title: string, body: string): void {
  const file = join(root, 'bench', 'RESULTS.md');
  const header =
    '# Benchmark results\n\nEach section is rewritten by the benchmark named in it. Figures are ratios against a\nbaseline measured in the same run, because the machines are shared and noisy.\n';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : header;
  const heading = `## ${title}\n`;
  const start = current.indexOf(heading);
  const section = `${heading}\n${body.trim()}\n`;
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const end = current.indexOf('\n## ', start + heading.length);
    next = current.slice(0, start) + section + (end === -1 ? '' : current.slice(end));
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

/** POSTs the file as multipart/form-data, streamed from disk; resolves with the JSON answer. */
export function uploadFile(
  url: string,
  token: string,
  path: string,
  fileName: string,
): Promise<{ status: number; body: string }> {
  const boundary = `----khomoun-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig file\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + statSync(path).size + tail.length;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': length,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path);
    file.on('error', reject);
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

export interface BenchServer {
  server: Started;
  token: string;
  /** POSTs JSON to `/api/v1{path}` with the bench admin's token; throws unless it succeeds. */
  post<T>(path: string, body: object): Promise<T>;
  /** An organization and a draft dataset to add files to; resolves with the dataset's id. */
  dataset(): Promise<string>;
}

/**
 * The built server on a fresh DATA_DIR (`env`) with a sysadmin and a token made by the CLI
 * first (the CLI and the server cannot share a PGlite directory at once).
 */
export async function startBenchServer(
  env: Record<string, string>,
  logFile: string,
): Promise<BenchServer> {
  const cli = khomounCli(env);
  const email = 'bench@example.org';
  cli('users', 'create', '--email', email, '--password', 'bench-password-1', '--admin');
  const token = cli('tokens', 'create', '--email', email, '--name', 'bench');
  const server = await startNode(['bin/khomoun.js', 'serve'], env, logFile, /listening on (\S+)/);
  const post = async <T>(path: string, body: object): Promise<T> => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    server,
    token,
    post,
    async dataset() {
      await post('/organizations', { slug: 'bench', title: { en: 'Bench' } });
      const created = await post<{ id: string }>('/datasets', {
        organization: 'bench',
        title: { en: 'Bench files' },
        description: { en: 'Files added by a benchmark' },
      });
      return created.id;
    },
  };
}
