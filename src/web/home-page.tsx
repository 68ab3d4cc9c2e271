import { Layout } from './layout.js';
import type { PageContext } from './page-context.js';

/** What Khomoun is and what works today; no catalog exists yet, so none is pretended. */
export function HomePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('home.title')}>
      <section class="hero">
        <h1>{t('home.heading')}</h1>
        <p class="lead">{t('home.intro')}</p>
      </section>
      <section class="notice" aria-labelledby="status">
        <h2 id="status">{t('home.status.heading')}</h2>
        <p>{t('home.status.body')}</p>
        <p>{t('home.status.works')}</p>
      </section>
      <div class="cards">
        <section class="card">
          <h2>{t('home.citizens.heading')}</h2>
          <p>{t('home.citizens.body')}</p>
        </section>
        <section class="card">
          <h2>{t('home.developers.heading')}</h2>
          <p>{t('home.developers.body')}</p>
          <a class="button secondary" href="/api/docs">
            {t('home.developers.link')}
          </a>
        </section>
        <section class="card">
          <h2>{t('home.publishers.heading')}</h2>
          <p>{t('home.publishers.body')}</p>
          {ctx.user ? (
            <a class="button" href="/account">
              {t('home.publishers.account')}
            </a>
          ) : (
            <a class="button" href="/login">
              {t('home.publishers.signIn')}
            </a>
          )}
        </section>
      </div>
    </Layout>
  );
}
