// Loaded into the benchmarked server with `node --import` (NODE_OPTIONS): records every stall of
// its event loop over 20 ms, as `<monotonic µs at its end> <ms> <wall-clock ms at its end>
// <ms the main thread ran> <ms it waited for a CPU>` lines in KHOMOUN_LOOP_LAG_FILE, so that a
// benchmark can find the worst one within any span of time and match it against the server's
// log. The last two (from /proc/thread-self/schedstat, where Linux has it) tell work on the loop
// from a loop that was ready but got no core. Measured inside the server, a stall is not
// mistaken for the benchmark's own wait for the CPU. Only `serve` records: the ingest processes
// the server starts inherit NODE_OPTIONS too.
//
// Diagnosis aids, off unless set: KHOMOUN_MEMORY_FILE gets the server's memory every second
// (process.memoryUsage(), MiB: its JavaScript heap, its array buffers such as PGlite's
// WebAssembly memory, and the rest: DuckDB, code), and each ingest process's to the same name
// with `.ingest` added; KHOMOUN_CPU_PROFILE gets a CPU profile of
// the server (.cpuprofile) when it exits.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const serving = process.argv.includes('serve');

/** Nanoseconds the calling thread has run and waited on a run queue; zeros without procfs. */
function schedstat() {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(run), Number(wait)];
  } catch {
    return [0, 0];
  }
}

const file = process.env.KHOMOUN_LOOP_LAG_FILE;
if (file && serving) {
  const intervalMs = 10;
  let last = process.hrtime.bigint();
  let [lastRun, lastWait] = schedstat();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const [run, wait] = schedstat();
    const lagMs = Number(now - last) / 1e6 - intervalMs;
    if (lagMs > 20)
      appendFileSync(
        file,
        `${now / 1000n} ${Math.round(lagMs)} ${Date.now()} ${Math.round((run - lastRun) / 1e6)} ${Math.round((wait - lastWait) / 1e6)}\n`,
      );
    last = now;
    lastRun = run;
    lastWait = wait;
  }, intervalMs).unref();
}

const memoryFile = process.env.KHOMOUN_MEMORY_FILE;
const ingesting = /ingest-process\.[jt]s$/.test(process.argv[1] ?? '');
if (memoryFile && (serving || ingesting)) {
  const to = serving ? memoryFile : `${memoryFile}.ingest`;
  const mib = (bytes) => Math.round(bytes / 1024 ** 2);
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(
      to,
      `${Date.now()} rss ${mib(m.rss)} heapTotal ${mib(m.heapTotal)} heapUsed ${mib(m.heapUsed)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)}\n`,
    );
  }, 1000).unref();
}

const profileFile = process.env.KHOMOUN_CPU_PROFILE;
if (profileFile && serving) {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // The main thread's own session answers synchronously, so this runs to its end before exit.
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
    });
  });
}
