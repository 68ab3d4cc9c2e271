// Progress of a long command (copying, reading a file into a table) on stderr.
import { SingleBar } from 'cli-progress';

/** What a progress line tells; `rows` only while a file is read. */
export interface ProgressState {
  phase: string;
  done: number;
  total: number;
  rows?: number | undefined;
  seconds: number;
}

/**
 * One line of progress: `Reading ████░░ 40% | 1200 rows | 3.1 MB/s | ETA 1m05s` with a bar, or
 * `Reading: 40% | …` without. The time left comes from the average speed since the phase
 * began, so a pause (DuckDB's bulk steps report no bytes) slows it rather than making it endless.
 */
export function progressLine(state: ProgressState, barWidth = 0): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth > 0 ? ` ${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}` : ':';
  const parts = [`${state.phase}${bar} ${Math.floor(fraction * 100)}%`];
  if (state.rows !== undefined) parts.push(`${state.rows} ${state.rows === 1 ? 'row' : 'rows'}`);
  const speed = state.seconds > 0 ? state.done / 1e6 / state.seconds : 0;
  parts.push(`${speed.toFixed(1)} MB/s`);
  if (fraction >= 1) parts.push('finishing');
  else if (state.done > 0 && state.seconds >= 1)
    parts.push(`ETA ${formatDuration(((state.total - state.done) * state.seconds) / state.done)}`);
  else parts.push('ETA --');
  return parts.join(' | ');
}

/** `45s`, `1m05s`, `2h03m`: whole seconds, rounded once, so 119.6 s is 2m00s and never 1m60s. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const pad = (value: number) => String(value).padStart(2, '0');
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal; elsewhere (a log, CI, a pipe) a
 * plain line every `intervalMs`, without control characters, so that a long ingest still shows
 * it is alive.
 */
export class ProgressView {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #intervalMs: number;
  #state: ProgressState | undefined;
  #started = 0;
  #bar: SingleBar | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, intervalMs = 5000) {
    this.#stream = stream;
    this.#intervalMs = intervalMs;
  }

  start(phase: string, total: number, rows?: number): void {
    this.stop();
    this.#state = { phase, done: 0, total, rows, seconds: 0 };
    this.#started = Date.now();
    if (this.#stream.isTTY === true) {
      this.#bar = new SingleBar({
        format: () => progressLine(this.#current(), 30),
        stream: this.#stream,
        hideCursor: true,
        gracefulExit: false,
      });
      this.#bar.start(1, 0);
    } else {
      this.#timer = setInterval(() => {
        this.#stream.write(`${progressLine(this.#current())}\n`);
      }, this.#intervalMs);
      this.#timer.unref();
    }
  }

  update(done: number, rows?: number): void {
    if (!this.#state) return;
    this.#state.done = done;
    if (rows !== undefined) this.#state.rows = rows;
    // The bar redraws on an update; its own values are unused (the format reads the state).
    this.#bar?.update(0);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#bar?.stop();
    this.#bar = undefined;
    this.#state = undefined;
  }

  #current(): ProgressState {
    const state = this.#state ?? { phase: '', done: 0, total: 0, seconds: 0 };
    return { ...state, seconds: (Date.now() - this.#started) / 1000 };
  }
}
