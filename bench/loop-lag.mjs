// Loaded into the benchmarked server with `node --import` (NODE_OPTIONS): records every stall of
// its event loop over 20 ms, as `<monotonic µs at its end> <ms>` lines in KHOMOUN_LOOP_LAG_FILE,
// so that a benchmark can find the worst one within any span of time. Measured inside the server,
// a stall is not mistaken for the benchmark's own wait for the CPU. Only `serve` records: the
// ingest processes the server starts inherit NODE_OPTIONS too.
import { appendFileSync } from 'node:fs';

const file = process.env.KHOMOUN_LOOP_LAG_FILE;
if (file && process.argv.includes('serve')) {
  const intervalMs = 10;
  let last = process.hrtime.bigint();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const lagMs = Number(now - last) / 1e6 - intervalMs;
    last = now;
    if (lagMs > 20) appendFileSync(file, `${now / 1000n} ${Math.round(lagMs)}\n`);
  }, intervalMs).unref();
}
