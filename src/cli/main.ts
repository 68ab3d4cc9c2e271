import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DataDirLocked, MigrationError } from '../db/index.js';
import { AppError } from '../lib/errors.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { tokenCommands, userCommands } from './accounts.js';
import { workerCommand } from './datastore.js';
import { ingestCommand, Interrupted } from './ingest.js';

/**
 * Exit codes: 0 ok, 1 the command failed, 2 it was used wrongly (bad flags or configuration),
 * 128 + the signal's number when SIGINT (130) or SIGTERM (143) cancelled it.
 */
export async function main(argv: string[]): Promise<number> {
  let config: Config | undefined;
  const getConfig = (): Config => (config ??= loadConfig());

  const program = new Command('khomoun')
    .description('Khomoun (ຂໍ້ມູນ): the open government data platform of Lao PDR')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showHelpAfterError()
    .version(packageVersion(), '-v, --version');
  program.addCommand(serveCommand(getConfig));
  program.addCommand(migrateCommand(getConfig));
  program.addCommand(userCommands(getConfig));
  program.addCommand(tokenCommands(getConfig));
  program.addCommand(workerCommand(getConfig));
  program.addCommand(ingestCommand(getConfig));

  applyToAll(program, (command) =>
    command.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) }),
  );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed the problem and the usage.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`khomoun: invalid configuration: ${error.message}\n`);
    return 2;
  }
  if (error instanceof Interrupted) {
    process.stderr.write(`khomoun: ${error.message}\n`);
    return error.exitCode;
  }
  if (
    error instanceof DataDirLocked ||
    error instanceof MigrationError ||
    error instanceof AppError
  ) {
    process.stderr.write(`khomoun: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(
    `khomoun: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

function packageVersion(): string {
  // Two levels up from both src/cli and dist/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Commander copies settings only to subcommands made with `.command()`, not `addCommand()`. */
function applyToAll(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyToAll(sub, apply);
}
