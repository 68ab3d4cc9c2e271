import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, errorOf, startTestApp, type TestApp } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

for (const engine of testEngines()) {
  describe(`GET /api/v1/me and API tokens on ${engine.name}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(engine);
    });
    after(() => app.close());

    it('returns the user of a Bearer token, an X-API-Key and a bare CKAN-style Authorization', async () => {
      const user = await app.createUser();
      for (const headers of [
        bearer(user.token),
        { 'x-api-key': user.token },
        { authorization: user.token },
      ]) {
        const response = await app.http.inject({ method: 'GET', url: '/api/v1/me', headers });
        assert.equal(response.statusCode, 200);
        const body = response.json();
        assert.equal(body.email, user.email);
        assert.equal(body.id, user.id);
        assert.equal(body.authenticated_by, 'token');
        assert.equal('password_hash' in body, false);
      }
    });

    it('answers 401 with the uniform error body without credentials or with a wrong token', async () => {
      for (const headers of [
        {},
        bearer('kh_not-a-real-token'),
        { authorization: 'Basic dXNlcjpwYXNz' },
      ]) {
        const response = await app.http.inject({ method: 'GET', url: '/api/v1/me', headers });
        assert.equal(response.statusCode, 401);
        const error = errorOf(response);
        assert.equal(error.code, 'UNAUTHENTICATED');
        assert.ok(error.request_id);
        assert.equal(response.headers['x-request-id'], error.request_id);
      }
    });

    it('shows a created token once, lists it without its secret, and refuses it once revoked', async () => {
      const owner = await app.createUser();
      const created = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(owner.token),
        payload: { name: 'ci' },
      });
      assert.equal(created.statusCode, 201);
      const { token, id, prefix } = created.json();
      assert.match(token, /^kh_[A-Za-z0-9_-]{43}$/);
      assert.ok(token.startsWith(prefix));

      const list = await app.http.inject({
        method: 'GET',
        url: '/api/v1/tokens',
        headers: bearer(token),
      });
      assert.equal(list.statusCode, 200);
      assert.equal(list.body.includes(token), false);
      assert.deepEqual(
        list
          .json()
          .items.map((item: { name: string }) => item.name)
          .sort(),
        ['ci', 'test'],
      );

      const revoke = await app.http.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${id}`,
        headers: bearer(owner.token),
      });
      assert.equal(revoke.statusCode, 204);
      const after = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(token),
      });
      assert.equal(after.statusCode, 401);
    });

    it('refuses a second live token with the same name, and revoking another user’s token is 404', async () => {
      const owner = await app.createUser();
      const other = await app.createUser();
      const again = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(owner.token),
        payload: { name: 'test' },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(errorOf(again).code, 'CONFLICT');
      const mine = await app.accounts.tokens.listTokens(owner.id);
      const stolen = await app.http.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${mine[0]?.id}`,
        headers: bearer(other.token),
      });
      assert.equal(stolen.statusCode, 404);
      const stillWorks = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(owner.token),
      });
      assert.equal(stillWorks.statusCode, 200);
    });

    it('refuses an expired token', async () => {
      let now = Date.now();
      const timeTravelApp = await startTestApp(engine, { now: () => new Date(now) });
      try {
        const user = await timeTravelApp.createUser();
        const { token } = await timeTravelApp.accounts.tokens.createToken(user.id, {
          name: 'short',
          expiresAt: new Date(now + 60_000),
        });
        const before = await timeTravelApp.http.inject({
          url: '/api/v1/me',
          headers: bearer(token),
        });
        assert.equal(before.statusCode, 200);
        now += 61_000;
        const afterExpiry = await timeTravelApp.http.inject({
          url: '/api/v1/me',
          headers: bearer(token),
        });
        assert.equal(afterExpiry.statusCode, 401);
      } finally {
        await timeTravelApp.close();
      }
    });

    it('records when a token was last used (written in batches, flushed on close)', async () => {
      const own = await startTestApp(engine);
      const user = await own.createUser();
      const before = new Date();
      assert.equal(
        (await own.http.inject({ url: '/api/v1/me', headers: bearer(user.token) })).statusCode,
        200,
      );
      await own.http.close();
      const row = await own.database.db
        .selectFrom('api_tokens')
        .select('last_used_at')
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      assert.ok(
        row?.last_used_at instanceof Date && row.last_used_at >= new Date(before.getTime() - 1000),
      );
      await own.close();
    });
  });
}
