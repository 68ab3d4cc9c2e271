import { Command, InvalidArgumentError, Option } from 'commander';
import { createAccounts, type Accounts } from '../accounts/index.js';
import type { Config } from '../config.js';
import { createMemoryCounterStore } from '../counters/index.js';
import { migrate } from '../db/index.js';
import { AppError } from '../lib/errors.js';
import { openConfiguredDatabase } from '../server.js';

/** Runs `work` against the configured database (migrated first, so a fresh DATA_DIR works). */
async function withAccounts<T>(
  config: Config,
  work: (accounts: Accounts) => Promise<T>,
): Promise<T> {
  const database = await openConfiguredDatabase(config);
  const counters = createMemoryCounterStore();
  const accounts = createAccounts({
    db: database.db,
    counters,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
    tokenCacheSeconds: 0,
  });
  try {
    await migrate(database);
    return await work(accounts);
  } finally {
    await accounts.close();
    await counters.close();
    await database.close();
  }
}

const out = (line: string) => process.stdout.write(line + '\n');

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

export function userCommands(getConfig: () => Config): Command {
  const users = new Command('users').description('manage user accounts');

  users
    .command('create')
    .description('create a user who can sign in with a password')
    .requiredOption('--email <email>', 'email address, used to sign in')
    .requiredOption('--password <password>', 'password (at least 10 characters)')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .addOption(
      new Option('--language <lang>', 'preferred language').choices(['lo', 'en']).default('lo'),
    )
    .option('--admin', 'make the user a sysadmin', false)
    .action(
      async (options: {
        email: string;
        password: string;
        name?: string;
        language: 'lo' | 'en';
        admin: boolean;
      }) => {
        await withAccounts(getConfig(), async (accounts) => {
          const row = await accounts.users.createUser({
            email: options.email,
            password: options.password,
            displayName: options.name,
            language: options.language,
            isSysadmin: options.admin,
          });
          out(`Created ${row.is_sysadmin ? 'sysadmin' : 'user'} ${row.email} (${row.id})`);
        });
      },
    );

  users
    .command('list')
    .description('list all users')
    .action(async () => {
      await withAccounts(getConfig(), async (accounts) => {
        let after: string | undefined;
        out(['email', 'name', 'role', 'state', 'id'].join('\t'));
        for (;;) {
          const page = await accounts.users.listUsers(500, after);
          for (const row of page) {
            out(
              [
                row.email,
                row.display_name,
                row.is_sysadmin ? 'sysadmin' : 'user',
                row.active ? 'active' : 'disabled',
                row.id,
              ].join('\t'),
            );
          }
          if (page.length < 500) break;
          after = page.at(-1)?.email;
        }
      });
    });

  return users;
}

export function tokenCommands(getConfig: () => Config): Command {
  const tokens = new Command('tokens').description('manage API tokens');

  tokens
    .command('create')
    .description('create an API token for a user and print it (only the token, on stdout)')
    .requiredOption('--email <email>', 'the owner of the token')
    .requiredOption('--name <name>', 'a name to recognise the token by')
    .option(
      '--expires-days <days>',
      'days until the token stops working (default: never)',
      positiveInteger,
    )
    .action(async (options: { email: string; name: string; expiresDays?: number }) => {
      await withAccounts(getConfig(), async (accounts) => {
        const user = await accounts.users.getUserByEmail(options.email);
        const expiresAt =
          options.expiresDays === undefined
            ? undefined
            : new Date(Date.now() + options.expiresDays * 86_400_000);
        const { token } = await accounts.tokens.createToken(user.id, {
          name: options.name,
          expiresAt,
        });
        out(token);
      });
    });

  tokens
    .command('list')
    .description("list a user's tokens (never their secrets)")
    .requiredOption('--email <email>', 'the owner of the tokens')
    .option('--all', 'include revoked tokens', false)
    .action(async (options: { email: string; all: boolean }) => {
      await withAccounts(getConfig(), async (accounts) => {
        const user = await accounts.users.getUserByEmail(options.email);
        out(['name', 'prefix', 'created', 'expires', 'last used', 'revoked', 'id'].join('\t'));
        for (const row of await accounts.tokens.listTokens(user.id, options.all)) {
          const date = (value: Date | null) => value?.toISOString() ?? '-';
          out(
            [
              row.name,
              row.prefix,
              date(row.created_at),
              date(row.expires_at),
              date(row.last_used_at),
              date(row.revoked_at),
              row.id,
            ].join('\t'),
          );
        }
      });
    });

  tokens
    .command('revoke')
    .description('revoke a token by its name or id; it stops working at once')
    .requiredOption('--email <email>', 'the owner of the token')
    .option('--name <name>', 'the name of the token')
    .option('--id <id>', 'the id of the token')
    .action(async (options: { email: string; name?: string; id?: string }, command: Command) => {
      if ((options.name === undefined) === (options.id === undefined)) {
        command.error('error: give exactly one of --name and --id', { exitCode: 2 });
      }
      await withAccounts(getConfig(), async (accounts) => {
        const user = await accounts.users.getUserByEmail(options.email);
        if (options.id !== undefined) {
          await accounts.tokens.revokeToken(user.id, options.id);
          out(`Revoked token ${options.id}`);
          return;
        }
        const count = await accounts.tokens.revokeTokensByName(user.id, options.name ?? '');
        if (count === 0)
          throw new AppError(
            404,
            'NOT_FOUND',
            `${user.email} has no live token named "${options.name}"`,
          );
        out(`Revoked token "${options.name}"`);
      });
    });

  return tokens;
}
