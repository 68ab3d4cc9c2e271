import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * PGlite has no server to arbitrate access: two processes writing one data directory corrupt
 * it. This lock file makes the second process fail with a clear message instead.
 */
export class DataDirLocked extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `The database in ${dirname(lockFile)} is in use by another Khomoun process (pid ${holderPid}). ` +
        `Stop that process first, or use PostgreSQL (DATABASE_URL), which several processes can share. ` +
        `If no Khomoun process is running, delete ${lockFile}.`,
    );
    this.name = 'DataDirLocked';
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(lockFile: string): DataDirLock {
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolderPid(lockFile);
      if (holder !== undefined && isAlive(holder)) throw new DataDirLocked(lockFile, holder);
      // An unreadable lock this young is another process between creating and writing it.
      if (holder === undefined && Date.now() - statSync(lockFile).mtimeMs < 5000) {
        throw new DataDirLocked(lockFile, -1);
      }
      // The holder died without cleaning up (crash, SIGKILL): the lock is stale.
      rmSync(lockFile, { force: true });
    }
  }
  throw new DataDirLocked(lockFile, readHolderPid(lockFile) ?? -1);
}

function readHolderPid(lockFile: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(lockFile, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
