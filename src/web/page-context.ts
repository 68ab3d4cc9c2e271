import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { CookieSettings } from '../http/auth.js';
import { queryParam } from './forms.js';
import {
  isLanguage,
  negotiateLanguage,
  t,
  type Language,
  type MessageKey,
  type MessageParams,
} from './i18n.js';

export const languageCookie = 'khomoun_lang';
const oneYearSeconds = 365 * 24 * 60 * 60;

/** Page routes are for browsers: keep them out of the OpenAPI document. */
export const pageRoute = { schema: { hide: true } } as const;

/** Everything the layout needs to know about the request it renders for. */
export interface PageContext {
  lang: Language;
  t: (key: MessageKey, params?: MessageParams) => string;
  /** Path and query of this page, so that the language switch comes back to it. */
  url: string;
  user: { displayName: string } | undefined;
  /** For the sign-out form; error pages have none and show a plain account link instead. */
  csrfToken: string | undefined;
}

export function languageOf(request: FastifyRequest): Language {
  return negotiateLanguage({
    query: queryParam(request.query, 'lang'),
    cookie: request.cookies[languageCookie],
    acceptLanguage: request.headers['accept-language'],
  });
}

export function rememberLanguage(
  reply: FastifyReply,
  lang: Language,
  cookies: CookieSettings,
): void {
  reply.setCookie(languageCookie, lang, {
    path: '/',
    maxAge: oneYearSeconds,
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
  });
}

export function pageContext(
  request: FastifyRequest,
  options: { csrfToken?: string | undefined } = {},
): PageContext {
  const lang = languageOf(request);
  const user = request.auth?.user;
  return {
    lang,
    t: (key, params) => t(lang, key, params),
    url: request.url,
    user: user && { displayName: user.displayName },
    csrfToken: options.csrfToken,
  };
}

/**
 * The context of a page route: `?lang=` is remembered in a cookie so that the choice sticks
 * as the visitor moves on.
 */
export function routePageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: CookieSettings,
  csrfToken: string | undefined,
): PageContext {
  const chosen = queryParam(request.query, 'lang');
  if (isLanguage(chosen) && request.cookies[languageCookie] !== chosen)
    rememberLanguage(reply, chosen, cookies);
  return pageContext(request, { csrfToken });
}

/** hono/jsx renders synchronous components to a string; pages must not be async. */
export function renderDocument(page: JSX.Element): string {
  // A JSX node renders to a promise when any component in it is async.
  const html: unknown = page instanceof Promise ? page : page.toString();
  if (typeof html !== 'string') throw new Error('Page components must be synchronous');
  return '<!DOCTYPE html>' + html;
}

/** Pages carry CSRF tokens and personal data: never stored by a shared or browser cache. */
export function sendPage(
  reply: FastifyReply,
  ctx: PageContext,
  status: number,
  page: JSX.Element,
): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-language', ctx.lang)
    .header('vary', 'Accept-Language, Cookie')
    .send(renderDocument(page));
}
