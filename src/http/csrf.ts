import type {} from '@fastify/cookie';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Check a CSRF token even without a session: forms such as sign-in. */
    csrf?: boolean;
  }
}

const anonymousCookie = 'khomoun_csrf';
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class CsrfFailed extends AppError {
  constructor() {
    super(
      403,
      'CSRF_FAILED',
      'The form has expired or did not come from this site; reload the page and try again',
    );
  }
}

/**
 * Cross-site request forgery protection for everything a browser cookie authenticates. A
 * signed-in user's token is an HMAC of their session id; before sign-in it is bound to a
 * random cookie. Token-authenticated API calls carry no ambient credential and need none.
 */
export function createCsrf(secret: string, secureCookies: boolean) {
  const sign = (value: string) =>
    createHmac('sha256', secret)
      .update('csrf:' + value)
      .digest('base64url');

  const tokenFor = (request: FastifyRequest, reply: FastifyReply): string => {
    if (request.auth?.via === 'session' && request.auth.sessionId)
      return sign(request.auth.sessionId);
    let value = request.cookies[anonymousCookie];
    if (!value) {
      value = randomBytes(18).toString('base64url');
      reply.setCookie(anonymousCookie, value, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
      });
      // The same request may render a second form; let it see the cookie it just set.
      request.cookies[anonymousCookie] = value;
    }
    return sign(value);
  };

  const verify = (request: FastifyRequest): void => {
    const bound =
      request.auth?.via === 'session' ? request.auth.sessionId : request.cookies[anonymousCookie];
    const header = request.headers['x-csrf-token'];
    const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    const supplied = typeof header === 'string' ? header : typeof field === 'string' ? field : '';
    if (!bound || !supplied) throw new CsrfFailed();
    const expected = Buffer.from(sign(bound));
    const given = Buffer.from(supplied);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new CsrfFailed();
  };

  const plugin = fp(
    async (app) => {
      app.addHook('preHandler', (request, _reply, done) => {
        if (!unsafeMethods.has(request.method)) return done();
        if (request.auth?.via !== 'session' && !request.routeOptions.config.csrf) return done();
        try {
          verify(request);
          done();
        } catch (error) {
          done(error as Error);
        }
      });
    },
    { name: 'khomoun-csrf', dependencies: ['khomoun-auth'] },
  );

  return { tokenFor, plugin };
}

export type Csrf = ReturnType<typeof createCsrf>;
