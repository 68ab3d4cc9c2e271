import type { TokenRow } from '../accounts/index.js';
import { formatDateTime } from './format.js';
import type { MessageKey } from './i18n.js';
import type { PageContext } from './page-context.js';

/** The choices of the "valid for" menu: form value → days (undefined: no expiry). */
export const tokenLifetimes: ReadonlyArray<{
  value: string;
  days: number | undefined;
  label: MessageKey;
}> = [
  { value: '90', days: 90, label: 'account.tokens.lifetime90' },
  { value: '30', days: 30, label: 'account.tokens.lifetime30' },
  { value: '365', days: 365, label: 'account.tokens.lifetime365' },
  { value: 'none', days: undefined, label: 'account.tokens.lifetimeNone' },
];

export interface TokenSectionProps {
  ctx: PageContext;
  csrfToken: string;
  tokens: TokenRow[];
  now: Date;
  /** Typed values and messages (translated) of the create form. */
  form: { name: string; lifetime: string; error: string | undefined };
  /** A message about the list itself, such as a token that was already revoked. */
  listError: string | undefined;
  /** Shown once, right after creation: the secret is not stored anywhere we could read. */
  created: { name: string; token: string } | undefined;
}

export function TokenSection(props: TokenSectionProps) {
  const { ctx, form } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">{t('account.tokens.heading')}</h2>
      <p>{t('account.tokens.intro')}</p>
      <p>{t('account.tokens.usage')}</p>
      <pre>
        <code>Authorization: Bearer kh_…</code>
      </pre>
      {props.created && (
        <div class="notice warning" role="status" id="token-result">
          <h3>{t('account.tokens.createdHeading', { name: props.created.name })}</h3>
          <p>{t('account.tokens.copyNow')}</p>
          <code class="secret">{props.created.token}</code>
        </div>
      )}
      {props.listError !== undefined && (
        <p class="notice error" role="alert">
          {props.listError}
        </p>
      )}
      {props.tokens.length === 0 ? <p>{t('account.tokens.none')}</p> : <TokenTable {...props} />}
      <h3>{t('account.tokens.create')}</h3>
      {form.error !== undefined && (
        <div id="token-result">
          <p class="notice error" role="alert" id="token-error">
            {form.error}
          </p>
        </div>
      )}
      {/* The answer scrolls to the new token or the error: on a phone both are far down. */}
      <form method="post" action="/account/tokens#token-result">
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <div class="field">
          <label for="token-name">{t('account.tokens.newName')}</label>
          <span class="hint" id="token-name-hint">
            {t('account.tokens.newNameHint')}
          </span>
          <input
            id="token-name"
            name="name"
            type="text"
            required
            maxlength={100}
            value={form.name}
            aria-describedby={
              form.error !== undefined ? 'token-name-hint token-error' : 'token-name-hint'
            }
          />
        </div>
        <div class="field">
          <label for="token-lifetime">{t('account.tokens.lifetime')}</label>
          <select id="token-lifetime" name="lifetime">
            {tokenLifetimes.map((choice) => (
              <option value={choice.value} selected={choice.value === form.lifetime}>
                {t(choice.label)}
              </option>
            ))}
          </select>
        </div>
        <button class="button" type="submit">
          {t('account.tokens.createSubmit')}
        </button>
      </form>
    </section>
  );
}

function TokenTable({ ctx, csrfToken, tokens, now }: TokenSectionProps) {
  const { t, lang } = ctx;
  const labels = {
    name: t('account.tokens.name'),
    prefix: t('account.tokens.prefix'),
    created: t('account.tokens.created'),
    lastUsed: t('account.tokens.lastUsed'),
    expires: t('account.tokens.expires'),
    actions: t('account.tokens.actions'),
  };
  return (
    <table class="tokens">
      <thead>
        <tr>
          <th scope="col">{labels.name}</th>
          <th scope="col">{labels.prefix}</th>
          <th scope="col">{labels.created}</th>
          <th scope="col">{labels.lastUsed}</th>
          <th scope="col">{labels.expires}</th>
          <th scope="col">{labels.actions}</th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => {
          const expired = token.expires_at !== null && token.expires_at <= now;
          return (
            <tr>
              <td data-label={labels.name}>{token.name}</td>
              <td data-label={labels.prefix}>
                <code>{token.prefix}…</code>
              </td>
              <td data-label={labels.created}>{formatDateTime(lang, token.created_at)}</td>
              <td data-label={labels.lastUsed}>
                {token.last_used_at
                  ? formatDateTime(lang, token.last_used_at)
                  : t('account.tokens.neverUsed')}
              </td>
              <td data-label={labels.expires} class={expired ? 'expired' : undefined}>
                {token.expires_at === null
                  ? t('account.tokens.noExpiry')
                  : expired
                    ? t('account.tokens.expired')
                    : formatDateTime(lang, token.expires_at)}
              </td>
              <td data-label={labels.actions}>
                <form
                  class="inline-form"
                  method="post"
                  action={`/account/tokens/${encodeURIComponent(token.id)}/revoke`}
                >
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <button
                    class="button danger"
                    type="submit"
                    aria-label={t('account.tokens.revokeNamed', { name: token.name })}
                  >
                    {t('account.tokens.revoke')}
                  </button>
                </form>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
