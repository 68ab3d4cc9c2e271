import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fromAcceptLanguage, negotiateLanguage, t } from '../src/web/i18n.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { testEngines } from './helpers/engines.js';

function catalog(lang: string): Record<string, unknown> {
  const url = new URL(`../src/web/i18n/${lang}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('web i18n catalogs', () => {
  const lo = catalog('lo');
  const en = catalog('en');

  it('have the same keys in Lao and English', () => {
    assert.deepEqual(Object.keys(lo).sort(), Object.keys(en).sort());
    assert.ok(Object.keys(en).length > 50);
  });

  it('have no empty or non-text values', () => {
    for (const [name, messages] of [
      ['lo', lo],
      ['en', en],
    ] as const) {
      for (const [key, value] of Object.entries(messages)) {
        assert.equal(typeof value, 'string', `${name} ${key}`);
        assert.notEqual((value as string).trim(), '', `${name} ${key} is empty`);
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en)) {
      assert.deepEqual(placeholders(lo[key] as string), placeholders(en[key] as string), key);
    }
  });

  it('write Lao messages in Lao script (only names and code stay Latin)', () => {
    const latinOnly = Object.entries(lo).filter(
      ([key, value]) => !/[\u0E80-\u0EFF]/u.test(value as string) && key !== 'switch.en',
    );
    assert.deepEqual(latinOnly, []);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(t('en', 'error.reference', { id: 'abc' }), 'Reference for support: abc');
    assert.equal(t('lo', 'error.reference', { id: 'abc' }), 'ເລກອ້າງອີງສຳລັບແຈ້ງບັນຫາ: abc');
    assert.equal(t('en', 'error.reference'), 'Reference for support: {id}');
  });
});

describe('language negotiation', () => {
  it('prefers ?lang, then the cookie, then Accept-Language, then Lao', () => {
    const all = { query: 'en', cookie: 'lo', acceptLanguage: 'lo' } as const;
    assert.equal(negotiateLanguage(all), 'en');
    assert.equal(negotiateLanguage({ ...all, query: 'fr' }), 'lo');
    assert.equal(negotiateLanguage({ cookie: 'en', acceptLanguage: 'lo' }), 'en');
    assert.equal(negotiateLanguage({ cookie: 'xx', acceptLanguage: 'en' }), 'en');
    assert.equal(negotiateLanguage({ acceptLanguage: 'en-US,en;q=0.9' }), 'en');
    assert.equal(negotiateLanguage({ acceptLanguage: 'fr-FR, de' }), 'lo');
    assert.equal(negotiateLanguage({}), 'lo');
  });

  it('reads Accept-Language by weight and primary subtag', () => {
    assert.equal(fromAcceptLanguage('en;q=0.5, lo-LA;q=0.8'), 'lo');
    assert.equal(fromAcceptLanguage('th, en-GB;q=0.7, lo;q=0.3'), 'en');
    assert.equal(fromAcceptLanguage('LO'), 'lo');
    assert.equal(fromAcceptLanguage('en;q=0, lo;q=0'), undefined);
    assert.equal(fromAcceptLanguage('en;q=abc'), undefined);
    assert.equal(fromAcceptLanguage(''), undefined);
    assert.equal(fromAcceptLanguage('*'), undefined);
  });
});

for (const engine of testEngines()) {
  describe(`page language on ${engine.name}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(engine);
    });
    after(() => app.close());

    const home = (headers: Record<string, string> = {}, query = '') =>
      app.http.inject({ method: 'GET', url: `/${query}`, headers });
    const htmlLang = (body: string) => /<html lang="(\w+)"/.exec(body)?.[1];

    it('is Lao by default', async () => {
      const response = await home();
      assert.equal(response.statusCode, 200);
      assert.equal(htmlLang(response.body), 'lo');
      assert.equal(response.headers['content-language'], 'lo');
      assert.match(String(response.headers.vary), /Accept-Language/);
      assert.equal(
        response.cookies.find((c) => c.name === 'khomoun_lang'),
        undefined,
      );
    });

    it('follows Accept-Language when there is no choice yet', async () => {
      const english = await home({ 'accept-language': 'en-GB,en;q=0.9' });
      assert.equal(htmlLang(english.body), 'en');
      const lao = await home({ 'accept-language': 'lo-LA, en;q=0.5' });
      assert.equal(htmlLang(lao.body), 'lo');
      const other = await home({ 'accept-language': 'th-TH, fr' });
      assert.equal(htmlLang(other.body), 'lo');
    });

    it('switches with ?lang= and remembers the choice in a cookie', async () => {
      const response = await home({ 'accept-language': 'lo' }, '?lang=en');
      assert.equal(htmlLang(response.body), 'en');
      const cookie = response.cookies.find((c) => c.name === 'khomoun_lang');
      assert.equal(cookie?.value, 'en');
      assert.equal(cookie?.path, '/');
      assert.ok((cookie?.maxAge ?? 0) > 30 * 24 * 3600);
      assert.match(response.body, /href="\/\?lang=lo"[^>]*>ລາວ</);
    });

    it('uses the cookie over Accept-Language, and ?lang over the cookie', async () => {
      const byCookie = await home({ cookie: 'khomoun_lang=en', 'accept-language': 'lo' });
      assert.equal(htmlLang(byCookie.body), 'en');
      const byQuery = await home({ cookie: 'khomoun_lang=en' }, '?lang=lo');
      assert.equal(htmlLang(byQuery.body), 'lo');
      assert.equal(byQuery.cookies.find((c) => c.name === 'khomoun_lang')?.value, 'lo');
    });

    it('ignores unsupported values', async () => {
      const response = await home({ cookie: 'khomoun_lang=fr' }, '?lang=xx');
      assert.equal(htmlLang(response.body), 'lo');
      assert.equal(
        response.cookies.find((c) => c.name === 'khomoun_lang'),
        undefined,
      );
    });

    it('keeps other query parameters in the language switch links', async () => {
      const response = await app.http.inject({ method: 'GET', url: '/login?next=/account' });
      assert.match(response.body, /href="\/login\?next=%2Faccount&amp;lang=en"/);
    });
  });
}
