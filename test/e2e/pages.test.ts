import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type App } from '../../src/app.js';
import { createMemoryCounterStore, type CounterStore } from '../../src/counters/index.js';
import { migrate, openDatabase, type Database } from '../../src/db/index.js';
import { testConfig } from '../helpers/app.js';

const shots = new URL('../../test-results/', import.meta.url);
const widths = [390, 1366] as const;
const languages = ['lo', 'en'] as const;
const password = 'ລະຫັດຜ່ານ correct horse';

describe('pages in Chromium', () => {
  let database: Database;
  let counters: CounterStore;
  let app: App;
  let browser: Browser;
  let base: string;
  let email: string;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    database = await openDatabase({ kind: 'pglite-memory' });
    await migrate(database);
    counters = createMemoryCounterStore();
    app = await buildApp({ config: testConfig(), database, counters });
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
    const user = await app.accounts.users.createUser({
      email: 'somchai@example.la',
      password,
      displayName: 'ສົມໃຈ ພົມມະຈັນ',
    });
    email = user.email;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await app?.http.close();
    await counters?.close();
    await database?.close();
  });

  async function newPage(width: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width, height: width < 600 ? 844 : 900 },
      baseURL: base,
      // A browser set up for Laos: Accept-Language asks for Lao first.
      locale: 'lo-LA',
    });
    return { context, page: await context.newPage() };
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto('/login');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL('**/account'), page.click('button[type=submit]')]);
  }

  // Browser-side code is passed as text: the tests are compiled without the DOM library.
  const fontsReady = (page: Page) => page.evaluate('document.fonts.ready.then(() => true)');

  /** The page fits the viewport: nothing sticks out sideways on a phone. */
  async function assertNoOverflow(page: Page, label: string): Promise<void> {
    const [scroll, inner] = await page.evaluate<[number, number]>(
      '[document.documentElement.scrollWidth, window.innerWidth]',
    );
    assert.ok(scroll <= inner, `${label}: ${scroll}px wide in a ${inner}px viewport`);
  }

  it('signs in through the form, creates a token and switches language', async () => {
    const { context, page } = await newPage(1366);
    try {
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'lang'), 'lo');
      await Promise.all([page.waitForURL('**/login'), page.click('header a[href="/login"]')]);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL('**/account'), page.click('button[type=submit]')]);
      assert.ok((await page.textContent('main'))?.includes(email));
      assert.ok((await page.textContent('header'))?.includes('ສົມໃຈ ພົມມະຈັນ'));

      await page.fill('#token-name', 'ລະບົບສະຖິຕິແຂວງ');
      await page.selectOption('#token-lifetime', '30');
      await Promise.all([
        page.waitForURL(/\/account\/tokens#token-result$/),
        page.click('form[action^="/account/tokens#"] button'),
      ]);
      const token = (await page.textContent('.secret'))?.trim() ?? '';
      const me = await fetch(`${base}/api/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { email: string }).email, email);

      await page.goto('/account');
      assert.equal(await page.locator('.secret').count(), 0);
      await page.click('header a[hreflang="en"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.textContent('h1'), 'Your account');
      // The choice sticks for the next page through the cookie.
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');

      await Promise.all([page.waitForURL(`${base}/`), page.click('header form button')]);
      assert.equal(await page.locator('header a[href="/login"]').count(), 1);
    } finally {
      await context.close();
    }
  });

  it('draws Lao with the bundled Noto Sans Lao, loaded from /assets', async () => {
    const { context, page } = await newPage(1366);
    try {
      const fonts: string[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/assets/fonts/') && response.status() === 200)
          fonts.push(new URL(response.url()).pathname);
      });
      await page.goto('/?lang=lo');
      await fontsReady(page);
      assert.ok(fonts.includes('/assets/fonts/noto-sans-lao-lao-400-normal.woff2'), String(fonts));
      assert.ok(fonts.includes('/assets/fonts/noto-sans-lao-lao-700-normal.woff2'), String(fonts));

      // Chromium reports which font drew each node; a web font is "custom", a system one not.
      const cdp = await context.newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument');
      for (const selector of ['h1', '.lead']) {
        const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
        const { fonts: used } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
        assert.ok(used.length > 0, selector);
        for (const font of used) {
          assert.equal(font.familyName, 'Noto Sans Lao', `${selector}: ${JSON.stringify(used)}`);
          assert.equal(font.isCustomFont, true, `${selector}: ${JSON.stringify(used)}`);
        }
      }
    } finally {
      await context.close();
    }
  });

  for (const width of widths) {
    it(`renders home, sign-in and account in Lao and English at ${width} px`, async () => {
      const { context, page } = await newPage(width);
      try {
        for (const lang of languages) {
          for (const path of ['/', '/login']) {
            await page.goto(`${path}?lang=${lang}`);
            await fontsReady(page);
            assert.equal(await page.getAttribute('html', 'lang'), lang);
            await assertNoOverflow(page, `${path} ${lang} ${width}`);
            const name = path === '/' ? 'home' : 'login';
            await page.screenshot({
              path: new URL(`${name}-${lang}-${width}.png`, shots).pathname,
              fullPage: true,
            });
          }
        }
        await signIn(page);
        for (const lang of languages) {
          await page.goto(`/account?lang=${lang}`);
          await page.fill('#token-name', `${lang}-${width}-${'ລະບົບສະຖິຕິ'}`);
          await Promise.all([
            page.waitForURL(/\/account\/tokens#token-result$/),
            page.click('form[action^="/account/tokens#"] button'),
          ]);
          await fontsReady(page);
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          assert.equal(await page.locator('.secret').count(), 1);
          await assertNoOverflow(page, `account ${lang} ${width}`);
          await page.screenshot({
            path: new URL(`account-${lang}-${width}.png`, shots).pathname,
            fullPage: true,
          });
        }
      } finally {
        await context.close();
      }
    });
  }
});
