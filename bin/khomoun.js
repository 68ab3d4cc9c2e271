#!/usr/bin/env node
// Builds dist/ if the sources changed since the last build, then runs the CLI.
import { ensureBuilt } from '../scripts/build-steps.js';

try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`khomoun: ${error.message}\n`);
  process.exit(1);
}
await import('../dist/cli/run.js');
