import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, errorOf, startTestApp, type TestApp } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

const csrfFieldOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const alertOf = (html: string) => /role="alert"[^>]*>([^<]+)</.exec(html)?.[1];
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

for (const engine of testEngines()) {
  describe(`account page on ${engine.name}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(engine);
    });
    after(() => app.close());

    /** A signed-in browser: its session cookie and the CSRF token its pages carry. */
    async function browser(language = 'en') {
      const user = await app.createUser();
      const { sessionId } = await app.accounts.sessions.startSession(user.id, {
        ip: null,
        userAgent: null,
      });
      const cookie = `khomoun_session=${sessionId}; khomoun_lang=${language}`;
      const get = (url = '/account') =>
        app.http.inject({ method: 'GET', url, headers: { cookie } });
      const post = (url: string, fields: Record<string, string>) =>
        app.http.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: form(fields),
        });
      const csrf = csrfFieldOf((await get()).body);
      assert.ok(csrf);
      return { user, cookie, csrf, get, post };
    }

    it('sends anonymous visitors to the sign-in page', async () => {
      const response = await app.http.inject({ method: 'GET', url: '/account' });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/login?next=/account');
      const post = await app.http.inject({
        method: 'POST',
        url: '/account/tokens',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ name: 'x', lifetime: '30' }),
      });
      assert.equal(post.statusCode, 303);
    });

    it('shows name, email and language, and saves changes with a redirect', async () => {
      const b = await browser();
      const page = await b.get();
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.ok(page.body.includes(b.user.email));
      assert.ok(page.body.includes('<dd>Lao</dd>'));

      const saved = await b.post('/account/profile', {
        _csrf: b.csrf,
        display_name: '  ສົມໃຈ   ພົມມະຈັນ ',
        language: 'lo',
      });
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, '/account?done=profile');
      assert.equal(saved.cookies.find((c) => c.name === 'khomoun_lang')?.value, 'lo');
      const stored = await app.accounts.users.getUser(b.user.id);
      assert.equal(stored.display_name, 'ສົມໃຈ ພົມມະຈັນ');
      assert.equal(stored.language, 'lo');

      const after = await app.http.inject({
        method: 'GET',
        url: '/account?done=profile',
        headers: { cookie: b.cookie.replace('khomoun_lang=en', 'khomoun_lang=lo') },
      });
      assert.ok(after.body.includes('<html lang="lo">'));
      assert.ok(after.body.includes('ບັນທຶກການປ່ຽນແປງຮຽບຮ້ອຍແລ້ວ.'));
      assert.ok(after.body.includes('ສົມໃຈ ພົມມະຈັນ'));
    });

    it('shows profile errors on the page, in the page language, keeping what was typed', async () => {
      const b = await browser('lo');
      const empty = await b.post('/account/profile', {
        _csrf: b.csrf,
        display_name: '   ',
        language: 'en',
      });
      assert.equal(empty.statusCode, 400);
      assert.match(String(empty.headers['content-type']), /^text\/html/);
      assert.equal(alertOf(empty.body), 'ກະລຸນາປ້ອນຊື່ທີ່ມີຄວາມຍາວ 1 ຫາ 200 ຕົວອັກສອນ.');
      assert.match(empty.body, /<option value="en" selected="">/);

      const badLanguage = await b.post('/account/profile', {
        _csrf: b.csrf,
        display_name: 'Somchai',
        language: 'fr',
      });
      assert.equal(badLanguage.statusCode, 400);
      assert.equal(alertOf(badLanguage.body), 'ກະລຸນາເລືອກພາສາລາວ ຫຼື ພາສາອັງກິດ.');
      assert.ok(badLanguage.body.includes('value="Somchai"'));
      assert.equal((await app.accounts.users.getUser(b.user.id)).language, 'lo');
    });

    it('creates a token that is shown once and authenticates the API', async () => {
      const b = await browser();
      const created = await b.post('/account/tokens', {
        _csrf: b.csrf,
        name: 'Provincial dashboard',
        lifetime: '30',
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers['cache-control'], 'no-store');
      assert.ok(created.body.includes('Copy this token now'));
      const token = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1] ?? '';
      assert.ok(token.length > 20);

      const me = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(token),
      });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().email, b.user.email);

      const later = await b.get();
      assert.ok(later.body.includes('Provincial dashboard'));
      assert.ok(!later.body.includes(token), 'the secret is shown only once');
      assert.ok(later.body.includes(token.slice(0, 6)), 'its prefix is listed');
      const [row] = (await app.accounts.tokens.listTokens(b.user.id)).filter(
        (r) => r.name === 'Provincial dashboard',
      );
      const days = ((row?.expires_at?.getTime() ?? 0) - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
    });

    it('shows token form errors on the page, not as JSON', async () => {
      const b = await browser();
      const empty = await b.post('/account/tokens', { _csrf: b.csrf, name: ' ', lifetime: '90' });
      assert.equal(empty.statusCode, 400);
      assert.equal(alertOf(empty.body), 'Enter a token name of 1 to 100 characters.');

      await b.post('/account/tokens', { _csrf: b.csrf, name: 'ci', lifetime: 'none' });
      const duplicate = await b.post('/account/tokens', {
        _csrf: b.csrf,
        name: 'ci',
        lifetime: 'none',
      });
      assert.equal(duplicate.statusCode, 409);
      assert.match(String(duplicate.headers['content-type']), /^text\/html/);
      assert.equal(
        alertOf(duplicate.body),
        'You already have a token named “ci”. Choose another name or revoke that token first.',
      );
      assert.ok(!duplicate.body.includes('class="secret"'));

      const badLifetime = await b.post('/account/tokens', {
        _csrf: b.csrf,
        name: 'other',
        lifetime: '9999',
      });
      assert.equal(badLifetime.statusCode, 400);
      assert.equal(alertOf(badLifetime.body), 'Choose how long the token stays valid.');
    });

    it('revokes a token with a redirect, after which it no longer authenticates', async () => {
      const b = await browser();
      const created = await b.post('/account/tokens', {
        _csrf: b.csrf,
        name: 'old',
        lifetime: '90',
      });
      const token = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1] ?? '';
      const action = /action="(\/account\/tokens\/[^"]+\/revoke)"/.exec(created.body)?.[1] ?? '';
      const owned = await app.accounts.tokens.listTokens(b.user.id);
      assert.equal(owned.length, 2); // the helper's token and this one
      assert.ok(action.includes(owned.find((r) => r.name === 'old')?.id ?? 'missing'));

      const forged = await b.post(action, { _csrf: 'forged' });
      assert.equal(forged.statusCode, 403);

      const revoked = await b.post(action, { _csrf: b.csrf });
      assert.equal(revoked.statusCode, 303);
      assert.equal(revoked.headers.location, '/account?done=revoked');
      const me = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(token),
      });
      assert.equal(me.statusCode, 401);
      const page = await b.get('/account?done=revoked');
      assert.ok(page.body.includes('The token has been revoked.'));
      assert.ok(!page.body.includes('>old<'));

      const again = await b.post(action, { _csrf: b.csrf });
      assert.equal(again.statusCode, 404);
      assert.equal(alertOf(again.body), 'This token does not exist or has already been revoked.');
    });

    it("cannot revoke another user's token", async () => {
      const owner = await browser();
      const other = await browser();
      const [row] = await app.accounts.tokens.listTokens(owner.user.id);
      const response = await other.post(`/account/tokens/${row?.id}/revoke`, { _csrf: other.csrf });
      assert.equal(response.statusCode, 404);
      const me = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(owner.user.token),
      });
      assert.equal(me.statusCode, 200);
    });

    it('refuses a session-authenticated API call without x-csrf-token (JSON 403)', async () => {
      const b = await browser();
      const refused = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie: b.cookie, accept: 'text/html' },
        payload: { name: 'from another site' },
      });
      assert.equal(refused.statusCode, 403);
      assert.match(String(refused.headers['content-type']), /^application\/json/);
      assert.equal(errorOf(refused).code, 'CSRF_FAILED');
      assert.equal((await app.accounts.tokens.listTokens(b.user.id)).length, 1);

      const allowed = await app.http.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie: b.cookie, 'x-csrf-token': b.csrf },
        payload: { name: 'from this site' },
      });
      assert.equal(allowed.statusCode, 201);
    });
  });
}
