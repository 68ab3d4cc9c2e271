import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../accounts/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { AccountPage } from './account-page.js';
import { formField, queryParam } from './forms.js';
import { isLanguage, type MessageKey, type MessageParams } from './i18n.js';
import { pageRoute, rememberLanguage, routePageContext, sendPage } from './page-context.js';
import type { WebOptions } from './routes.js';
import { tokenLifetimes } from './token-section.js';

interface Message {
  key: MessageKey;
  params?: MessageParams;
}

/** What one rendering of the account page shows besides the stored account. */
interface AccountState {
  status: number;
  notice?: MessageKey | undefined;
  profile?: { displayName: string; language: string; error: Message };
  token?: { name: string; lifetime: string; error: Message };
  listError?: Message;
  created?: { name: string; token: string };
}

/** Confirmations named by the redirect that follows a change (post/redirect/get). */
const notices = new Map<string, MessageKey>([
  ['profile', 'account.profile.saved'],
  ['revoked', 'account.tokens.revoked'],
]);

const defaultLifetime = '90';
const dayMs = 24 * 60 * 60 * 1000;

/** `/account` and the forms on it; every change answers with a redirect back to the page. */
export const accountPages: FastifyPluginAsync<WebOptions> = async (
  app,
  { accounts, csrf, cookies },
) => {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    user: AuthUser,
    state: AccountState,
  ) => {
    const csrfToken = csrf.tokenFor(request, reply);
    const ctx = routePageContext(request, reply, cookies, csrfToken);
    const say = (message: Message | undefined) =>
      message && ctx.t(message.key, message.params ?? {});
    const tokens = await accounts.tokens.listTokens(user.id);
    const page = AccountPage({
      ctx,
      csrfToken,
      user,
      tokens,
      now: new Date(),
      notice: state.notice && ctx.t(state.notice),
      profileForm: {
        displayName: state.profile?.displayName ?? user.displayName,
        language: state.profile?.language ?? user.language,
        error: say(state.profile?.error),
      },
      tokenForm: {
        name: state.token?.name ?? '',
        lifetime: state.token?.lifetime ?? defaultLifetime,
        error: say(state.token?.error),
      },
      listError: say(state.listError),
      created: state.created,
    });
    return sendPage(reply, ctx, state.status, page);
  };

  /** The signed-in user, or undefined after answering with a redirect to the sign-in page. */
  const signedIn = (request: FastifyRequest, reply: FastifyReply): AuthUser | undefined => {
    if (request.auth) return request.auth.user;
    void reply.redirect('/login?next=/account', 303);
    return undefined;
  };

  app.get('/account', pageRoute, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const done = queryParam(request.query, 'done');
    return show(request, reply, user, {
      status: 200,
      notice: done ? notices.get(done) : undefined,
    });
  });

  app.post('/account/profile', pageRoute, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const displayName = formField(request.body, 'display_name');
    const language = formField(request.body, 'language');
    const fail = (key: MessageKey) =>
      show(request, reply, user, {
        status: 400,
        profile: { displayName, language, error: { key } },
      });
    if (!isLanguage(language)) return fail('account.profile.languageInvalid');
    try {
      await accounts.users.updateUser(user.id, { displayName, language });
    } catch (error) {
      if (error instanceof Invalid) return fail('account.profile.nameInvalid');
      throw error;
    }
    // The new preference shows at once, also over a language picked earlier in the header.
    rememberLanguage(reply, language, cookies);
    return reply.redirect('/account?done=profile', 303);
  });

  app.post('/account/tokens', pageRoute, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const name = formField(request.body, 'name');
    const lifetime = formField(request.body, 'lifetime');
    const fail = (status: number, error: Message) =>
      show(request, reply, user, { status, token: { name, lifetime, error } });
    const choice = tokenLifetimes.find((option) => option.value === lifetime);
    if (!choice) return fail(400, { key: 'account.tokens.lifetimeInvalid' });
    const expiresAt =
      choice.days === undefined ? undefined : new Date(Date.now() + choice.days * dayMs);
    let created;
    try {
      created = await accounts.tokens.createToken(user.id, { name, expiresAt });
    } catch (error) {
      if (error instanceof Conflict)
        return fail(409, { key: 'account.tokens.nameTaken', params: { name: name.trim() } });
      if (error instanceof Invalid) return fail(400, { key: 'account.tokens.nameInvalid' });
      throw error;
    }
    // Shown on this answer and never again: no redirect, and the page is not cached.
    return show(request, reply, user, {
      status: 201,
      created: { name: created.row.name, token: created.token },
    });
  });

  app.post<{ Params: { id: string } }>(
    '/account/tokens/:id/revoke',
    pageRoute,
    async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      try {
        await accounts.tokens.revokeToken(user.id, request.params.id);
      } catch (error) {
        if (error instanceof NotFound)
          return show(request, reply, user, {
            status: 404,
            listError: { key: 'account.tokens.notFound' },
          });
        throw error;
      }
      return reply.redirect('/account?done=revoked', 303);
    },
  );
};
