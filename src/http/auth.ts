import type {} from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts, AuthUser, TokenUser } from '../accounts/index.js';
import { Forbidden, Unauthenticated } from '../lib/errors.js';

export interface Auth {
  user: AuthUser;
  via: 'token' | 'session';
  tokenId?: string;
  /** The raw session id from the cookie; CSRF tokens are bound to it. */
  sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    /** Routes that must answer without looking at credentials (health checks, metrics). */
    skipAuth?: boolean;
  }
}

export const sessionCookie = 'khomoun_session';

export interface CookieSettings {
  secure: boolean;
  maxAgeSeconds: number;
}

/**
 * Works out who is calling: an API token (`Authorization: Bearer`, `X-API-Key`, or a bare
 * `Authorization` value as CKAN clients send), else a browser session cookie. A token that is
 * present but not valid is refused outright rather than treated as anonymous, so that clients
 * notice a revoked or mistyped key.
 */
export const authPlugin = fp<{ accounts: Accounts; cookies: CookieSettings }>(
  async (app, { accounts, cookies }) => {
    app.decorateRequest('auth', null);

    const fromSession = async (request: FastifyRequest, reply: FastifyReply, sessionId: string) => {
      const session = await accounts.sessions.resolveSession(sessionId);
      if (!session) {
        clearSessionCookie(reply, cookies);
        return;
      }
      request.auth = { user: session.user, via: 'session', sessionId };
      if (session.extendedUntil) setSessionCookie(reply, sessionId, cookies);
    };

    // A callback hook, not an async one: a cached token is answered without a promise, and this
    // runs on every API call.
    app.addHook('onRequest', (request, reply, done) => {
      if (request.routeOptions.config.skipAuth) return done();
      const token = presentedToken(request);
      if (token === undefined) {
        const sessionId = request.cookies[sessionCookie];
        if (sessionId === undefined || sessionId === '') return done();
        fromSession(request, reply, sessionId).then(() => done(), done);
        return;
      }
      if (token === '')
        return done(new Unauthenticated('The Authorization header has an unsupported scheme'));
      const found = accounts.tokens.authenticate(token);
      const accept = (user: TokenUser | undefined) => {
        if (!user)
          return done(
            new Unauthenticated('The API token is not valid, has expired or was revoked'),
          );
        request.auth = { user, via: 'token', tokenId: user.tokenId };
        done();
      };
      if (found instanceof Promise) found.then(accept, done);
      else accept(found);
    });
  },
  { name: 'khomoun-auth', dependencies: ['@fastify/cookie'] },
);

/** undefined: no credentials; '': credentials in a form we do not accept. */
function presentedToken(request: FastifyRequest): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  const header = request.headers.authorization?.trim();
  if (!header) {
    // DATA.GO.KR clients send their key in the URL (access logs redact it, see logging.ts).
    const serviceKey = (request.query as Record<string, unknown> | undefined)?.['serviceKey'];
    return typeof serviceKey === 'string' && serviceKey.trim() !== ''
      ? serviceKey.trim()
      : undefined;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  return /\s/.test(header) ? '' : header;
}

export function setSessionCookie(
  reply: FastifyReply,
  sessionId: string,
  cookies: CookieSettings,
): void {
  reply.setCookie(sessionCookie, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
    maxAge: cookies.maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, cookies: CookieSettings): void {
  reply.clearCookie(sessionCookie, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
  });
}

export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.auth) throw new Unauthenticated();
  return request.auth.user;
}

export function requireSysadmin(request: FastifyRequest): AuthUser {
  const user = requireUser(request);
  if (!user.isSysadmin) throw new Forbidden('Only platform administrators can do this');
  return user;
}
