import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LoginFailed, loginLimits } from '../src/accounts/index.js';
import { TooManyRequests } from '../src/lib/errors.js';
import { startTestApp, type TestApp, type TestUser } from './helpers/app.js';
import { testCounterStores, testEngines } from './helpers/engines.js';

const [engine] = testEngines();

for (const store of testCounterStores()) {
  describe(`login throttling with ${store.name} counters`, () => {
    let app: TestApp;
    let user: TestUser;
    before(async () => {
      assert.ok(engine);
      app = await startTestApp(engine, { counters: await store.create() });
      user = await app.createUser();
    });
    after(() => app.close());

    const freshIp = () => `10.${randomBytes(3).join('.')}`;

    it(`blocks an account after ${loginLimits.perAccount} failures, even with the right password, with a wait time`, async () => {
      const ip = freshIp();
      for (let attempt = 0; attempt < loginLimits.perAccount; attempt += 1) {
        await assert.rejects(
          app.accounts.sessions.verifyLogin(user.email, 'wrong password!', ip),
          LoginFailed,
        );
      }
      await assert.rejects(
        app.accounts.sessions.verifyLogin(user.email, user.password, freshIp()),
        (error: unknown) => {
          assert.ok(error instanceof TooManyRequests);
          const wait = Number(error.headers['retry-after']);
          assert.ok(wait > 0 && wait <= loginLimits.windowSeconds, `Retry-After ${wait}`);
          return true;
        },
      );
    });

    it('treats an unknown email exactly like a known one', async () => {
      const ghost = `ghost-${randomBytes(4).toString('hex')}@example.org`;
      const ip = freshIp();
      for (let attempt = 0; attempt < loginLimits.perAccount; attempt += 1) {
        await assert.rejects(
          app.accounts.sessions.verifyLogin(ghost, 'whatever password', ip),
          LoginFailed,
        );
      }
      await assert.rejects(
        app.accounts.sessions.verifyLogin(ghost, 'whatever password', ip),
        TooManyRequests,
      );
    });

    it(`blocks one address after ${loginLimits.perIp} failures across many accounts`, async () => {
      const ip = freshIp();
      for (let attempt = 0; attempt < loginLimits.perIp; attempt += 1) {
        const email = `spray-${attempt}-${randomBytes(3).toString('hex')}@example.org`;
        await assert.rejects(
          app.accounts.sessions.verifyLogin(email, 'Password1!', ip),
          LoginFailed,
        );
      }
      const other = await app.createUser();
      await assert.rejects(
        app.accounts.sessions.verifyLogin(other.email, other.password, ip),
        TooManyRequests,
      );
      const fromElsewhere = await app.accounts.sessions.verifyLogin(
        other.email,
        other.password,
        freshIp(),
      );
      assert.equal(fromElsewhere.id, other.id);
    });

    it('forgets earlier failures of an account after a successful sign-in', async () => {
      const person = await app.createUser();
      const ip = freshIp();
      for (let attempt = 0; attempt < loginLimits.perAccount - 1; attempt += 1) {
        await assert.rejects(
          app.accounts.sessions.verifyLogin(person.email, 'wrong password!', ip),
          LoginFailed,
        );
      }
      await app.accounts.sessions.verifyLogin(person.email, person.password, ip);
      await assert.rejects(
        app.accounts.sessions.verifyLogin(person.email, 'wrong password!', ip),
        LoginFailed,
      );
      const again = await app.accounts.sessions.verifyLogin(person.email, person.password, ip);
      assert.equal(again.id, person.id);
    });
  });
}
