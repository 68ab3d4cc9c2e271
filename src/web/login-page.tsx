import { Layout } from './layout.js';
import type { PageContext } from './page-context.js';

export interface LoginForm {
  csrfToken: string;
  email: string;
  /** Where to go after signing in; already checked to be a path on this site. */
  next: string | undefined;
  /** A message for the visitor, already translated. */
  error: string | undefined;
}

export function LoginPage({ ctx, form }: { ctx: PageContext; form: LoginForm }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('login.title')}>
      <div class="panel">
        <h1>{t('login.title')}</h1>
        <p>{t('login.intro')}</p>
        {form.error !== undefined && (
          <p class="notice error" role="alert" id="login-error">
            {form.error}
          </p>
        )}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={form.csrfToken} />
          {form.next !== undefined && <input type="hidden" name="next" value={form.next} />}
          <div class="field">
            <label for="email">{t('login.email')}</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="username"
              required
              value={form.email}
              autofocus={form.email === ''}
              aria-describedby={form.error !== undefined ? 'login-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="password">{t('login.password')}</label>
            <input
              id="password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus={form.email !== ''}
            />
          </div>
          <div class="actions">
            <button class="button" type="submit">
              {t('login.submit')}
            </button>
          </div>
        </form>
        <p class="hint">{t('login.noAccount')}</p>
      </div>
    </Layout>
  );
}
