import type { AuthUser } from '../accounts/index.js';
import { formatDateTime } from './format.js';
import { languages, type Language } from './i18n.js';
import { Layout } from './layout.js';
import type { PageContext } from './page-context.js';
import { TokenSection, type TokenSectionProps } from './token-section.js';

export interface AccountPageProps extends Omit<TokenSectionProps, 'form'> {
  user: AuthUser;
  /** A confirmation (translated) after a change, from the redirect that followed it. */
  notice: string | undefined;
  profileForm: { displayName: string; language: string; error: string | undefined };
  tokenForm: TokenSectionProps['form'];
}

export function AccountPage(props: AccountPageProps) {
  const { ctx, user, profileForm } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('account.title')}>
      <h1>{t('account.title')}</h1>
      {props.notice !== undefined && (
        <p class="notice ok" role="status">
          {props.notice}
        </p>
      )}
      <section aria-labelledby="profile">
        <h2 id="profile">{t('account.profile.heading')}</h2>
        <dl class="details">
          <dt>{t('account.name')}</dt>
          <dd>{user.displayName}</dd>
          <dt>{t('account.email')}</dt>
          <dd>{user.email}</dd>
          <dt>{t('account.language')}</dt>
          <dd>{languageName(ctx, user.language)}</dd>
          <dt>{t('account.createdAt')}</dt>
          <dd>{formatDateTime(ctx.lang, user.createdAt)}</dd>
        </dl>
        <h3>{t('account.profile.edit')}</h3>
        {profileForm.error !== undefined && (
          <p class="notice error" role="alert" id="profile-error">
            {profileForm.error}
          </p>
        )}
        <form method="post" action="/account/profile" class="panel">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <div class="field">
            <label for="display-name">{t('account.name')}</label>
            <input
              id="display-name"
              name="display_name"
              type="text"
              required
              maxlength={200}
              autocomplete="name"
              value={profileForm.displayName}
              aria-describedby={profileForm.error !== undefined ? 'profile-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="language">{t('account.language')}</label>
            <select id="language" name="language">
              {languages.map((lang) => (
                <option value={lang} selected={lang === profileForm.language}>
                  {languageName(ctx, lang)}
                </option>
              ))}
            </select>
          </div>
          <button class="button" type="submit">
            {t('account.profile.save')}
          </button>
        </form>
      </section>
      <TokenSection {...props} form={props.tokenForm} />
    </Layout>
  );
}

function languageName(ctx: PageContext, lang: Language): string {
  return ctx.t(lang === 'lo' ? 'language.lo' : 'language.en');
}
