import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { loginLimits } from '../src/accounts/index.js';
import { safeNext } from '../src/web/forms.js';
import { bearer, startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

const csrfFieldOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookieOf = (response: LightMyRequestResponse, name: string) =>
  response.cookies.find((cookie) => cookie.name === name);

describe('safeNext', () => {
  it('keeps paths on this site and refuses everything that leaves it', () => {
    for (const good of ['/', '/account', '/account?x=1#top', '/datasets/roads-2024'])
      assert.equal(safeNext(good), good);
    for (const bad of [
      undefined,
      '',
      'account',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '/\tevil',
      'https://evil.example',
      'javascript:alert(1)',
      `/${'a'.repeat(2100)}`,
    ]) {
      assert.equal(safeNext(bad), undefined, String(bad));
    }
    // Percent-encoded, a newline or slash is just part of a path on this site.
    assert.equal(safeNext('/%2F%2Fevil.example'), '/%2F%2Fevil.example');
  });
});

for (const engine of testEngines()) {
  describe(`sign-in and sign-out pages on ${engine.name}`, () => {
    let app: TestApp;
    let user: TestUser;
    before(async () => {
      app = await startTestApp(engine);
      user = await app.createUser();
    });
    after(() => app.close());

    /** Opens the form as a browser would: the anonymous CSRF cookie and the token that goes with it. */
    async function openForm(url = '/login') {
      const page = await app.http.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200);
      const cookie = cookieOf(page, 'khomoun_csrf');
      assert.ok(cookie, 'the form sets a CSRF cookie');
      return { cookie: `khomoun_csrf=${cookie.value}`, csrf: csrfFieldOf(page.body) };
    }

    async function postLogin(
      fields: Record<string, string>,
      options: { cookie?: string; ip?: string; headers?: Record<string, string> } = {},
    ) {
      return app.http.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: options.ip ?? '127.0.0.1',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(options.cookie && { cookie: options.cookie }),
          ...options.headers,
        },
        payload: new URLSearchParams(fields).toString(),
      });
    }

    async function signIn(next?: string) {
      const form = await openForm();
      const response = await postLogin(
        { _csrf: form.csrf, email: user.email, password: user.password, ...(next && { next }) },
        { cookie: form.cookie },
      );
      return { response, session: cookieOf(response, 'khomoun_session') };
    }

    it('signs in with the right password: HttpOnly SameSite=Lax cookie, 303 to /account', async () => {
      const { response, session } = await signIn();
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/account');
      assert.ok(session?.value);
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      assert.equal(session.path, '/');

      const account = await app.http.inject({
        method: 'GET',
        url: '/account',
        headers: { cookie: `khomoun_session=${session.value}` },
      });
      assert.equal(account.statusCode, 200);
      assert.ok(account.body.includes(user.email));
      assert.ok(account.body.includes('action="/logout"'));
    });

    it('goes to a safe next path after signing in', async () => {
      const { response } = await signIn('/account?done=profile');
      assert.equal(response.headers.location, '/account?done=profile');
    });

    it('refuses open redirects and goes to /account instead', async () => {
      for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
        const { response } = await signIn(next);
        assert.equal(response.statusCode, 303, next);
        assert.equal(response.headers.location, '/account', next);
      }
      const form = await app.http.inject({ method: 'GET', url: '/login?next=//evil.example' });
      assert.ok(!form.body.includes('name="next"'));
    });

    it('refuses a sign-in without or with a wrong CSRF token: 403 and no session', async () => {
      const form = await openForm();
      const fields = { email: user.email, password: user.password };
      for (const attempt of [
        postLogin(fields, { cookie: form.cookie }),
        postLogin({ ...fields, _csrf: 'forged' }, { cookie: form.cookie }),
        postLogin({ ...fields, _csrf: form.csrf }),
        postLogin({ ...fields, _csrf: form.csrf }, { cookie: 'khomoun_csrf=someone-else' }),
      ]) {
        const response = await attempt;
        assert.equal(response.statusCode, 403);
        assert.equal(cookieOf(response, 'khomoun_session'), undefined);
      }
      const browser = await postLogin(fields, {
        cookie: form.cookie,
        headers: { accept: 'text/html' },
      });
      assert.equal(browser.statusCode, 403);
      assert.ok(browser.body.includes('<html lang="lo">'));
      assert.ok(browser.body.includes('ແບບຟອມໝົດອາຍຸແລ້ວ'));
    });

    it('answers a wrong password and an unknown email alike, keeping the typed email', async () => {
      const form = await openForm('/login?lang=en');
      const cookie = `${form.cookie}; khomoun_lang=en`;
      const wrong = await postLogin(
        { _csrf: form.csrf, email: user.email, password: 'not the password' },
        { cookie, ip: '10.0.0.1' },
      );
      const unknown = await postLogin(
        { _csrf: form.csrf, email: 'nobody@example.org', password: 'not the password' },
        { cookie, ip: '10.0.0.1' },
      );
      for (const response of [wrong, unknown]) {
        assert.equal(response.statusCode, 401);
        assert.equal(cookieOf(response, 'khomoun_session'), undefined);
        assert.ok(response.body.includes('The email address or password is not correct.'));
        assert.ok(response.body.includes('name="_csrf"'));
      }
      const message = (body: string) => /role="alert"[^>]*>([^<]+)</.exec(body)?.[1];
      assert.equal(message(wrong.body), message(unknown.body));
      assert.ok(wrong.body.includes(`value="${user.email}"`));
      assert.ok(unknown.body.includes('value="nobody@example.org"'));
    });

    it(`answers the ${loginLimits.perAccount + 1}th failed attempt with 429 and Retry-After`, async () => {
      const target = await app.createUser();
      const form = await openForm();
      const attempt = (password: string) =>
        postLogin(
          { _csrf: form.csrf, email: target.email, password },
          { cookie: form.cookie, ip: '10.0.0.2' },
        );
      for (let i = 0; i < loginLimits.perAccount; i += 1)
        assert.equal((await attempt('wrong')).statusCode, 401);
      const blocked = await attempt('wrong');
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      assert.ok(blocked.body.includes('ກະລຸນາລໍຖ້າ'));
      assert.ok(blocked.body.includes('ນາທີ'));
      // Even the right password waits: the throttle is checked before the password.
      assert.equal((await attempt(target.password)).statusCode, 429);
    });

    it('signs out: the session ends and the old cookie no longer works', async () => {
      const { session } = await signIn();
      const cookie = `khomoun_session=${session?.value}`;
      const account = await app.http.inject({
        method: 'GET',
        url: '/account',
        headers: { cookie },
      });
      const csrf = csrfFieldOf(account.body);

      const forged = await app.http.inject({
        method: 'POST',
        url: '/logout',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: '_csrf=forged',
      });
      assert.equal(forged.statusCode, 403);

      const out = await app.http.inject({
        method: 'POST',
        url: '/logout',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf }).toString(),
      });
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, '/');
      const cleared = cookieOf(out, 'khomoun_session');
      assert.equal(cleared?.value, '');

      const after = await app.http.inject({ method: 'GET', url: '/account', headers: { cookie } });
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/login?next=/account');
      const api = await app.http.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      assert.equal(api.statusCode, 401);
      // The API token of the same user is not touched by signing out of the browser.
      const byToken = await app.http.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(user.token),
      });
      assert.equal(byToken.statusCode, 200);
    });

    it('sends a signed-in visitor from /login straight on', async () => {
      const { session } = await signIn();
      const response = await app.http.inject({
        method: 'GET',
        url: '/login?next=/account?done=profile',
        headers: { cookie: `khomoun_session=${session?.value}` },
      });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/account?done=profile');
    });
  });
}
