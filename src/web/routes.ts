import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { LoginFailed, type Accounts } from '../accounts/index.js';
import { clearSessionCookie, setSessionCookie, type CookieSettings } from '../http/auth.js';
import type { Csrf } from '../http/csrf.js';
import { TooManyRequests } from '../lib/errors.js';
import { accountPages } from './account-routes.js';
import { formatWait } from './format.js';
import { formField, queryParam, safeNext } from './forms.js';
import { t } from './i18n.js';
import { HomePage } from './home-page.js';
import { LoginPage, type LoginForm } from './login-page.js';
import { languageOf, pageRoute, routePageContext, sendPage } from './page-context.js';
import { staticAssets } from './static-assets.js';

export interface WebOptions {
  accounts: Accounts;
  csrf: Csrf;
  cookies: CookieSettings;
}

/** The browser side: home, sign-in and sign-out, the account pages and their assets. */
export const webRoutes: FastifyPluginAsync<WebOptions> = async (app, options) => {
  const { accounts, csrf, cookies } = options;
  await app.register(staticAssets);
  await app.register(accountPages, options);

  app.get('/', pageRoute, async (request, reply) => {
    // Anonymous visitors get no CSRF cookie: the home page has no form for them.
    const csrfToken = request.auth ? csrf.tokenFor(request, reply) : undefined;
    const ctx = routePageContext(request, reply, cookies, csrfToken);
    return sendPage(reply, ctx, 200, HomePage({ ctx }));
  });

  const showLogin = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    form: Omit<LoginForm, 'csrfToken'>,
  ) => {
    const csrfToken = csrf.tokenFor(request, reply);
    const ctx = routePageContext(request, reply, cookies, csrfToken);
    return sendPage(reply, ctx, status, LoginPage({ ctx, form: { ...form, csrfToken } }));
  };

  app.get('/login', pageRoute, async (request, reply) => {
    const next = safeNext(queryParam(request.query, 'next'));
    if (request.auth?.via === 'session') return reply.redirect(next ?? '/account', 303);
    return showLogin(request, reply, 200, { email: '', next, error: undefined });
  });

  app.post(
    '/login',
    // Checked before sign-in too: otherwise another site could sign a visitor into its account.
    { ...pageRoute, config: { csrf: true } },
    async (request, reply) => {
      const email = formField(request.body, 'email');
      const next = safeNext(formField(request.body, 'next'));
      const again = (status: number, error: string) =>
        showLogin(request, reply, status, { email, next, error });
      let user;
      try {
        user = await accounts.sessions.verifyLogin(
          email,
          formField(request.body, 'password'),
          request.ip,
        );
      } catch (error) {
        const lang = languageOf(request);
        if (error instanceof LoginFailed) return again(401, t(lang, 'login.failed'));
        if (error instanceof TooManyRequests) {
          reply.headers(error.headers);
          const wait = formatWait(lang, Number(error.headers['retry-after'] ?? 60));
          return again(429, t(lang, 'login.tooMany', { wait }));
        }
        throw error;
      }
      // A new id on every sign-in, so that an id planted before it is worth nothing after.
      if (request.auth?.sessionId) await accounts.sessions.endSession(request.auth.sessionId);
      const { sessionId } = await accounts.sessions.startSession(user.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      setSessionCookie(reply, sessionId, cookies);
      return reply.redirect(next ?? '/account', 303);
    },
  );

  app.post('/logout', pageRoute, async (request, reply) => {
    if (request.auth?.sessionId) await accounts.sessions.endSession(request.auth.sessionId);
    clearSessionCookie(reply, cookies);
    return reply.redirect('/', 303);
  });
};
