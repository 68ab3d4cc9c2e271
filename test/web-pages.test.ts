import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { t } from '../src/web/i18n.js';
import { errorOf, startTestApp, type TestApp } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

for (const engine of testEngines()) {
  describe(`web pages on ${engine.name}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(engine, {
        beforeReady(http) {
          http.get('/broken-page', { schema: { hide: true } }, async () => {
            throw new Error('secret detail at /srv/khomoun/src/internal.ts:42');
          });
        },
      });
    });
    after(() => app.close());

    const get = (url: string, headers: Record<string, string> = {}) =>
      app.http.inject({ method: 'GET', url, headers });

    it('shows the home page in Lao, honest that there is no catalog yet', async () => {
      const response = await get('/');
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.body;
      assert.ok(body.startsWith('<!DOCTYPE html><html lang="lo">'));
      assert.ok(body.includes('ຂໍ້ມູນ · Khomoun'));
      assert.ok(body.includes(escapeHtml(t('lo', 'home.heading'))));
      assert.ok(body.includes(escapeHtml(t('lo', 'home.status.body'))));
      assert.ok(body.includes('href="/api/docs"'));
      assert.ok(body.includes('href="/login"'));
      assert.ok(!body.includes(escapeHtml(t('en', 'home.heading'))));
      // No script and no inline style: the CSP forbids both and the page needs neither.
      assert.ok(!/<script|style=/.test(body));
    });

    it('shows the home page in English', async () => {
      const response = await get('/?lang=en');
      const body = response.body;
      assert.ok(body.startsWith('<!DOCTYPE html><html lang="en">'));
      assert.ok(body.includes(escapeHtml(t('en', 'home.heading'))));
      assert.ok(body.includes(escapeHtml(t('en', 'home.status.body'))));
      assert.ok(body.includes('>Sign in<'));
      assert.ok(!body.includes(escapeHtml(t('lo', 'home.heading'))));
    });

    it('links content-versioned stylesheets served for a year', async () => {
      const home = await get('/');
      const hrefs = [...home.body.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(
        (m) => m[1] ?? '',
      );
      assert.equal(hrefs.length, 2);
      for (const href of hrefs) {
        assert.match(href, /^\/assets\/[a-z]+\.css\?v=[0-9a-f]{12}$/);
        const css = await get(href);
        assert.equal(css.statusCode, 200, href);
        assert.match(String(css.headers['content-type']), /^text\/css/);
        assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
      }
      const base = (await get(hrefs[0] ?? '')).body;
      assert.match(base, /font-family: 'Noto Sans Lao', sans-serif;/);
      assert.ok(base.includes("url('fonts/noto-sans-lao-lao-400-normal.woff2')"));
    });

    it('serves the bundled Noto Sans Lao woff2 files and nothing else of the package', async () => {
      const css = (await get('/assets/base.css')).body;
      const fonts = [...css.matchAll(/url\('fonts\/([^']+)'\)/g)].map((m) => m[1]);
      assert.deepEqual(fonts.sort(), [
        'noto-sans-lao-lao-400-normal.woff2',
        'noto-sans-lao-lao-700-normal.woff2',
        'noto-sans-lao-latin-400-normal.woff2',
        'noto-sans-lao-latin-700-normal.woff2',
      ]);
      for (const font of fonts) {
        const response = await get(`/assets/fonts/${font}`);
        assert.equal(response.statusCode, 200, font);
        assert.equal(response.headers['content-type'], 'font/woff2');
        assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.equal(response.rawPayload.subarray(0, 4).toString('latin1'), 'wOF2');
      }
      for (const other of [
        'noto-sans-lao-lao-400-normal.woff',
        'noto-sans-lao-latin-ext-400-normal.woff2',
        '../package.json',
        '%2e%2e/package.json',
      ]) {
        const response = await get(`/assets/fonts/${other}`);
        assert.notEqual(response.statusCode, 200, other);
      }
    });

    it('answers an unknown page in a browser with a localized HTML 404', async () => {
      const lao = await get('/no-such-page', { accept: 'text/html,application/xhtml+xml' });
      assert.equal(lao.statusCode, 404);
      assert.match(String(lao.headers['content-type']), /^text\/html/);
      assert.ok(lao.body.includes('<html lang="lo">'));
      assert.ok(lao.body.includes(escapeHtml(t('lo', 'error.404.title'))));
      assert.ok(lao.body.includes('href="/"'));
      const english = await get('/no-such-page', {
        accept: 'text/html',
        'accept-language': 'en',
      });
      assert.equal(english.statusCode, 404);
      assert.ok(english.body.includes('<html lang="en">'));
      assert.ok(english.body.includes('Page not found'));
      assert.ok(english.body.includes(String(english.headers['x-request-id'])));
    });

    it('answers unknown /api/ URLs and non-browser clients with the JSON error', async () => {
      const api = await get('/api/v1/no-such-thing', { accept: 'text/html' });
      assert.equal(api.statusCode, 404);
      assert.match(String(api.headers['content-type']), /^application\/json/);
      assert.equal(errorOf(api).code, 'NOT_FOUND');
      const curl = await get('/no-such-page', { accept: '*/*' });
      assert.equal(curl.statusCode, 404);
      assert.equal(errorOf(curl).code, 'NOT_FOUND');
    });

    it('shows a friendly 500 page without the error message or a stack', async () => {
      const response = await get('/broken-page', {
        accept: 'text/html',
        cookie: 'khomoun_lang=en',
      });
      assert.equal(response.statusCode, 500);
      assert.ok(response.body.includes('Something went wrong'));
      assert.ok(!response.body.includes('secret detail'));
      assert.ok(!/internal\.ts|at \w+ \(/.test(response.body));
    });

    it('keeps page routes out of the OpenAPI document', async () => {
      const paths = Object.keys((await get('/api/v1/openapi.json')).json().paths);
      assert.ok(paths.includes('/api/v1/me'));
      for (const page of ['/', '/login', '/logout', '/account', '/assets/{*}']) {
        assert.ok(!paths.includes(page), page);
      }
    });
  });
}
