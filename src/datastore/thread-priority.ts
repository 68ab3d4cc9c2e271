import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of every thread of this process to `niceness`. Linux keeps a niceness
 * per thread, and `setPriority()` alone sets only the calling one's: the threads Node starts
 * with (V8's garbage-collection helpers, libuv's pool) would keep their priority. Threads
 * started later inherit it from the thread that starts them. Throws where the platform refuses
 * (the caller decides whether that matters).
 */
export function lowerProcessPriority(niceness: number): void {
  setPriority(niceness);
  lowerThreads(niceness);
}

/**
 * Lowers the CPU priority of every thread of this process but the main one, which runs the event
 * loop: on a busy machine the loop then gets a core before DuckDB's workers, libuv's pool (where
 * queries run) and V8's helpers do. Threads started later by a lowered thread inherit its
 * priority; those the main thread starts do not. Linux only; elsewhere nothing changes.
 */
export function favourMainThread(niceness: number): void {
  lowerThreads(niceness, process.pid);
}

/** Every thread listed in procfs but `except` (the main thread's id is the process id). */
function lowerThreads(niceness: number, except?: number): void {
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return; // no procfs (not Linux), where setPriority() sets the whole process
  }
  for (const thread of threads) {
    if (Number(thread) === except) continue;
    try {
      setPriority(Number(thread), niceness);
    } catch {
      // A thread that ended meanwhile.
    }
  }
}
