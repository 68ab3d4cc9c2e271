import type { Child } from 'hono/jsx';
import { languages, type Language } from './i18n.js';
import type { PageContext } from './page-context.js';
import { preloadFont, stylesheetHrefs } from './static-assets.js';

const anyOrigin = 'http://page.invalid';

/** The same page in another language: the current address with `lang` replaced. */
export function languageHref(url: string, lang: Language): string {
  const parsed = new URL(url, anyOrigin);
  parsed.searchParams.set('lang', lang);
  return parsed.pathname + parsed.search;
}

/** The sign-in page, coming back here afterwards unless here is the home or sign-in page. */
export function signInHref(url: string): string {
  const { pathname } = new URL(url, anyOrigin);
  if (pathname === '/' || pathname === '/login') return '/login';
  return `/login?${new URLSearchParams({ next: pathname })}`;
}

export function Layout({
  ctx,
  title,
  children,
}: {
  ctx: PageContext;
  title: string;
  children: Child;
}) {
  const { t } = ctx;
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t('page.title', { page: title })}</title>
        <meta name="description" content={t('site.tagline')} />
        <link rel="preload" href={preloadFont} as="font" type="font/woff2" crossorigin="" />
        {stylesheetHrefs().map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              {t('site.name')}
            </a>
            <nav class="site-nav" aria-label={t('nav.main')}>
              <ul aria-label={t('nav.language')}>
                {languages.map((lang) => (
                  <li>
                    <a
                      href={languageHref(ctx.url, lang)}
                      lang={lang}
                      hreflang={lang}
                      aria-current={lang === ctx.lang ? 'true' : undefined}
                    >
                      {t(lang === 'lo' ? 'switch.lo' : 'switch.en')}
                    </a>
                  </li>
                ))}
              </ul>
              <UserMenu ctx={ctx} />
            </nav>
          </div>
        </header>
        <main id="main" class="wrap">
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>{t('footer.about')}</p>
            <p>
              <a href="/api/docs">{t('footer.apiDocs')}</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

function UserMenu({ ctx }: { ctx: PageContext }) {
  const { t, user } = ctx;
  if (!user) return <a href={signInHref(ctx.url)}>{t('nav.signIn')}</a>;
  return (
    <>
      <span class="user-name">{user.displayName}</span>
      <a href="/account">{t('nav.account')}</a>
      {ctx.csrfToken !== undefined && (
        <form class="inline-form" method="post" action="/logout">
          <input type="hidden" name="_csrf" value={ctx.csrfToken} />
          <button class="link-button" type="submit">
            {t('nav.signOut')}
          </button>
        </form>
      )}
    </>
  );
}
