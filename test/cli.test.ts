import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  processStorages,
  runCli,
  startServerProcess,
  type ProcessStorage,
} from './helpers/processes.js';

describe('khomoun CLI: usage and configuration errors', () => {
  it('exits 2 with usage for a missing option or an unknown command', async () => {
    for (const args of [
      ['users', 'create', '--password', 'x'],
      ['frobnicate'],
      ['tokens', 'revoke', '--email', 'a@b.la'],
    ]) {
      const result = await runCli(args, { DATA_DIR: '/nonexistent' });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /error/i);
    }
  });

  it('exits 2 with one line naming the variable for a bad environment value', async () => {
    const result = await runCli(['migrate'], { PORT: 'eighty', DATA_DIR: '/nonexistent' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^khomoun: invalid configuration: PORT must be an integer/);
  });
});

for (const storage of processStorages()) {
  describe(`khomoun CLI and server on ${storage.name}`, () => {
    let place: ProcessStorage;
    before(async () => {
      place = await storage.create();
    });
    after(() => place.dispose());

    it('creates users, refuses duplicates and bad emails with exit 1 and a clear message', async () => {
      const created = await runCli(
        [
          'users',
          'create',
          '--email',
          'A@Example.org',
          '--password',
          'a long password',
          '--admin',
          '--name',
          'ສົມໃຈ',
        ],
        place.env,
      );
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /Created sysadmin a@example\.org/);
      const duplicate = await runCli(
        ['users', 'create', '--email', 'a@example.org', '--password', 'a long password'],
        place.env,
      );
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /already exists/);
      const badEmail = await runCli(
        ['users', 'create', '--email', 'nope', '--password', 'a long password'],
        place.env,
      );
      assert.equal(badEmail.code, 1);
      assert.match(badEmail.stderr, /email: is not a valid email address/);
      const list = await runCli(['users', 'list'], place.env);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /a@example\.org\tສົມໃຈ\tsysadmin\tactive/);
    });

    it('prints only the token; the token works on the server until it is revoked', async () => {
      const created = await runCli(
        ['tokens', 'create', '--email', 'a@example.org', '--name', 'ci'],
        place.env,
      );
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^kh_[A-Za-z0-9_-]{43}\n$/);
      const token = created.stdout.trim();

      let server = await startServerProcess({ ...place.env, TOKEN_CACHE_SECONDS: '0' });
      try {
        const me = await fetch(`${server.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { email: string }).email, 'a@example.org');

        if (storage.name === 'pglite') {
          // The embedded database belongs to the running server: the CLI must say so, not corrupt it.
          const blocked = await runCli(
            ['tokens', 'revoke', '--email', 'a@example.org', '--name', 'ci'],
            place.env,
          );
          assert.equal(blocked.code, 1);
          assert.match(blocked.stderr, /in use by another Khomoun process \(pid \d+\)/);
          assert.equal(await server.stop(), 0);
        }
        const revoked = await runCli(
          ['tokens', 'revoke', '--email', 'a@example.org', '--name', 'ci'],
          place.env,
        );
        assert.equal(revoked.code, 0, revoked.stderr);
        if (storage.name === 'pglite')
          server = await startServerProcess({ ...place.env, TOKEN_CACHE_SECONDS: '0' });

        const refused = await fetch(`${server.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(refused.status, 401);
        const body = (await refused.json()) as { error: { code: string } };
        assert.equal(body.error.code, 'UNAUTHENTICATED');
      } finally {
        await server.stop();
      }
      const again = await runCli(
        ['tokens', 'revoke', '--email', 'a@example.org', '--name', 'ci'],
        place.env,
      );
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no live token named "ci"/);
    });
  });
}

describe('first start', () => {
  const [storage] = processStorages();
  it('creates a sysadmin with a generated password printed only on that first start', async () => {
    assert.ok(storage);
    const place = await storage.create();
    try {
      const server = await startServerProcess({ ...place.env, ADMIN_EMAIL: 'dgc@example.la' });
      const output = server.output();
      assert.equal(await server.stop(), 0);
      assert.match(output, /Created the first sysadmin: dgc@example\.la/);
      const password = /shown only this once: (\S+)/.exec(output)?.[1];
      assert.ok(password && password.length >= 16);

      const restarted = await startServerProcess({ ...place.env, ADMIN_EMAIL: 'dgc@example.la' });
      assert.equal(/shown only this once/.test(restarted.output()), false);
      assert.equal(await restarted.stop(), 0);
      const list = await runCli(['users', 'list'], place.env);
      assert.match(list.stdout, /dgc@example\.la\tAdministrator\tsysadmin\tactive/);
    } finally {
      await place.dispose();
    }
  });
});
