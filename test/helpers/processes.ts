import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from './engines.js';

const root = new URL('../../', import.meta.url).pathname;
const cliEntry = join(root, 'src', 'cli', 'run.ts');

/** Where a child process keeps its data: a PGlite DATA_DIR, or a fresh PostgreSQL database. */
export interface ProcessStorage {
  name: 'pglite' | 'postgres';
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function processStorages(): Array<{
  name: 'pglite' | 'postgres';
  create: () => Promise<ProcessStorage>;
}> {
  const wanted = (process.env.TEST_ENGINES ?? 'pglite,postgres').split(',');
  const list: Array<{ name: 'pglite' | 'postgres'; create: () => Promise<ProcessStorage> }> = [];
  if (wanted.includes('pglite')) {
    list.push({
      name: 'pglite',
      async create() {
        const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-proc-'));
        return {
          name: 'pglite',
          env: { DATA_DIR: dataDir },
          async dispose() {
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      },
    });
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (wanted.includes('postgres') && adminUrl) {
    list.push({
      name: 'postgres',
      async create() {
        const created = await createPostgresDatabase(adminUrl);
        const dataDir = mkdtempSync(join(tmpdir(), 'khomoun-proc-'));
        return {
          name: 'postgres',
          env: { DATA_DIR: dataDir, DATABASE_URL: created.url },
          async dispose() {
            await created.drop();
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      },
    });
  }
  return list;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KHOMOUN_DEMO: '0',
  };
  return { ...base, ...env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `khomoun ARGS` from the TypeScript sources (the bin does the same from dist/). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
      cwd: root,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  url: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies at once, as in a crash or a power cut. */
  kill(): Promise<number | null>;
}

/** Starts `khomoun serve` on a free port and waits until it says where it listens. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const started = await startCliProcess(
    ['serve'],
    { PORT: '0', LOG_LEVEL: 'warn', ...env },
    /Khomoun is listening on (http:\/\/\S+)/,
    timeoutMs,
  );
  return { ...started, url: started.ready[1]! };
}

/** A long-running `khomoun` command, once it has printed what says it is ready. */
export interface CliProcess extends Omit<ServerProcess, 'url'> {
  ready: RegExpExecArray;
}

/** Starts `khomoun ARGS` and waits until its output matches `ready`. */
export function startCliProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<CliProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
      cwd: root,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // 'close', not 'exit': by then everything the process printed has been read.
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`khomoun ${args.join(' ')} was not ready in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          ready: match,
          output: () => output,
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
          async kill() {
            child.kill('SIGKILL');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`khomoun ${args.join(' ')} exited with ${code} before it was ready:\n${output}`),
      );
    });
  });
}
