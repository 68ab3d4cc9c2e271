import { Command } from 'commander';
import type { Config } from '../config.js';
import { startServer } from '../server.js';

export function serveCommand(getConfig: () => Config): Command {
  return new Command('serve')
    .description('run the web server and API (migrates the database first)')
    .action(async () => {
      const config = getConfig();
      const print = (line: string) => process.stdout.write(line + '\n');
      let stopRequested: (() => void) | undefined;
      const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));

      // Installed before start-up, so that a signal during migrations still ends in a clean close.
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
          process.stderr.write(`khomoun: ${signal} again, exiting now\n`);
          process.exit(1);
        }
        signalled = true;
        print(`Received ${signal}: finishing requests in flight, then stopping`);
        setTimeout(() => {
          process.stderr.write(
            `khomoun: shutdown took longer than ${config.shutdownTimeoutMs} ms, exiting\n`,
          );
          process.exit(1);
        }, config.shutdownTimeoutMs).unref();
        stopRequested?.();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);

      const server = await startServer(config, print);
      if (!signalled) print(`Khomoun is listening on ${server.url}`);
      await stopSignal;
      await server.stop();
      print('Stopped cleanly');
    });
}
