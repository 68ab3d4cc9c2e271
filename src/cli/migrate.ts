import { Command } from 'commander';
import type { Config } from '../config.js';
import { migrate } from '../db/index.js';
import { openConfiguredDatabase } from '../server.js';

export function migrateCommand(getConfig: () => Config): Command {
  return new Command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const database = await openConfiguredDatabase(getConfig());
      try {
        const applied = await migrate(database);
        process.stdout.write(
          applied.length === 0
            ? 'The database is up to date\n'
            : `Applied migrations ${applied.join(', ')}\n`,
        );
      } finally {
        await database.close();
      }
    });
}
