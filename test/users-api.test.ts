import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, errorOf, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`users API on ${engine.name}`, () => {
    let app: TestApp;
    let admin: TestUser;
    let plain: TestUser;
    before(async () => {
      app = await startTestApp(engine);
      admin = await app.createUser({ sysadmin: true });
      plain = await app.createUser();
    });
    after(() => app.close());

    it('lets a sysadmin create a user with a normalised email and an argon2id hash', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(admin.token),
        payload: {
          email: '  Somchai@Example.ORG ',
          password: 'long enough password',
          language: 'en',
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.equal(body.email, 'somchai@example.org');
      assert.equal(body.display_name, 'somchai');
      assert.equal(body.language, 'en');
      assert.equal(body.sysadmin, false);
      const stored = await app.database.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', body.id)
        .executeTakeFirst();
      assert.match(stored?.password_hash ?? '', /^\$argon2id\$/);
    });

    it('refuses bad input with a message naming the field, and stores nothing', async () => {
      const cases = [
        { payload: { email: 'not-an-email', password: 'long enough password' }, field: 'email' },
        { payload: { email: 'short@example.org', password: 'short' }, field: 'password' },
        { payload: { email: 'ws@example.org', display_name: ' \u200b\t ' }, field: 'display_name' },
        { payload: { email: 'somchai@example.org' }, field: 'email', status: 409 },
      ];
      const before = await app.accounts.users.countUsers();
      for (const { payload, field, status = 400 } of cases) {
        const response = await app.http.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: bearer(admin.token),
          payload,
        });
        assert.equal(response.statusCode, status, response.body);
        assert.ok(
          errorOf(response).message.startsWith(field) ||
            JSON.stringify(errorOf(response).details).includes(field),
        );
      }
      assert.equal(await app.accounts.users.countUsers(), before);
    });

    it('strips zero-width characters from display names', async () => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(admin.token),
        payload: { email: 'lao@example.org', display_name: 'ສົມ\u200bໃຈ  ພົມມະ' },
      });
      assert.equal(response.statusCode, 201);
      assert.equal(response.json().display_name, 'ສົມໃຈ ພົມມະ');
    });

    it('keeps user management to sysadmins', async () => {
      for (const request of [
        { method: 'GET' as const, url: '/api/v1/users' },
        { method: 'POST' as const, url: '/api/v1/users', payload: { email: 'x@example.org' } },
        { method: 'PATCH' as const, url: `/api/v1/users/${admin.id}`, payload: { active: false } },
      ]) {
        const response = await app.http.inject({ ...request, headers: bearer(plain.token) });
        assert.equal(response.statusCode, 403, request.url);
        assert.equal(errorOf(response).code, 'FORBIDDEN');
      }
    });

    it('pages through users by email', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
        const response = await app.http.inject({
          url: `/api/v1/users?limit=2${query}`,
          headers: bearer(admin.token),
        });
        assert.equal(response.statusCode, 200);
        const page = response.json() as { items: Array<{ email: string }>; next: string | null };
        seen.push(...page.items.map((item) => item.email));
        after = page.next;
      } while (after !== null);
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(new Set(seen).size, await app.accounts.users.countUsers());
    });

    it('disabling a user stops their token at once; enabling brings it back', async () => {
      const victim = await app.createUser();
      assert.equal(
        (await app.http.inject({ url: '/api/v1/me', headers: bearer(victim.token) })).statusCode,
        200,
      );
      const disable = await app.http.inject({
        method: 'PATCH',
        url: `/api/v1/users/${victim.id}`,
        headers: bearer(admin.token),
        payload: { active: false },
      });
      assert.equal(disable.statusCode, 200);
      assert.equal(disable.json().active, false);
      assert.equal(
        (await app.http.inject({ url: '/api/v1/me', headers: bearer(victim.token) })).statusCode,
        401,
      );
      await app.http.inject({
        method: 'PATCH',
        url: `/api/v1/users/${victim.id}`,
        headers: bearer(admin.token),
        payload: { active: true },
      });
      assert.equal(
        (await app.http.inject({ url: '/api/v1/me', headers: bearer(victim.token) })).statusCode,
        200,
      );
    });

    it('does not let a sysadmin lock themselves out', async () => {
      const response = await app.http.inject({
        method: 'PATCH',
        url: `/api/v1/users/${admin.id}`,
        headers: bearer(admin.token),
        payload: { sysadmin: false },
      });
      assert.equal(response.statusCode, 400);
    });

    it('answers 404, not a database error, for ids that are not uuids', async () => {
      const response = await app.http.inject({
        url: "/api/v1/users/1'%20or%201=1--",
        headers: bearer(admin.token),
      });
      assert.equal(response.statusCode, 404);
    });

    it('changes your own password only with the current one', async () => {
      const person = await app.createUser();
      const wrong = await app.http.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: bearer(person.token),
        payload: { current_password: 'not my password', new_password: 'a brand new password' },
      });
      assert.equal(wrong.statusCode, 400);
      assert.match(errorOf(wrong).message, /^current_password/);
      const right = await app.http.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: bearer(person.token),
        payload: {
          current_password: person.password,
          new_password: 'a brand new password',
          language: 'en',
        },
      });
      assert.equal(right.statusCode, 200);
      assert.equal(right.json().language, 'en');
      const user = await app.accounts.sessions.verifyLogin(
        person.email,
        'a brand new password',
        '10.0.0.1',
      );
      assert.equal(user.id, person.id);
    });
  });
}
