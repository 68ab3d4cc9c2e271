/**
 * Times the steps of one ingest, so that a slow one shows where its time went (the worker logs
 * them at debug level). A step runs from the previous lap, or from the timer's creation, to its
 * own; a name given twice adds up.
 */
export class StepTimer {
  readonly steps: Record<string, number> = {};
  #last = performance.now();

  /** Ends the step under way, named `name`, and starts the next one. */
  lap(name: string): void {
    const now = performance.now();
    this.steps[name] = (this.steps[name] ?? 0) + Math.round(now - this.#last);
    this.#last = now;
  }

  /** Adds steps timed elsewhere (the ingest process's), then restarts the clock. */
  add(steps: Record<string, number>): void {
    for (const [name, ms] of Object.entries(steps)) this.steps[name] = (this.steps[name] ?? 0) + ms;
    this.#last = performance.now();
  }
}
