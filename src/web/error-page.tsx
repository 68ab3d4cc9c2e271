import type { HtmlErrorRenderer } from '../http/error-handler.js';
import type { MessageKey } from './i18n.js';
import { Layout } from './layout.js';
import { pageContext, renderDocument, type PageContext } from './page-context.js';

type ErrorKind = '404' | '403' | 'csrf' | '401' | '429' | '500' | 'other';

const messages: Record<ErrorKind, { title: MessageKey; body: MessageKey }> = {
  '404': { title: 'error.404.title', body: 'error.404.body' },
  '403': { title: 'error.403.title', body: 'error.403.body' },
  csrf: { title: 'error.csrf.title', body: 'error.csrf.body' },
  '401': { title: 'error.401.title', body: 'error.401.body' },
  '429': { title: 'error.429.title', body: 'error.429.body' },
  '500': { title: 'error.500.title', body: 'error.500.body' },
  other: { title: 'error.other.title', body: 'error.other.body' },
};

function kindOf(status: number, code: string): ErrorKind {
  if (code === 'CSRF_FAILED') return 'csrf';
  if (status >= 500) return '500';
  if (status === 404 || status === 403 || status === 401 || status === 429) {
    return String(status) as ErrorKind;
  }
  return 'other';
}

export function ErrorPage({
  ctx,
  kind,
  requestId,
}: {
  ctx: PageContext;
  kind: ErrorKind;
  requestId: string;
}) {
  const { t } = ctx;
  const title = t(messages[kind].title);
  return (
    <Layout ctx={ctx} title={title}>
      <div class="panel">
        <h1>{title}</h1>
        <p>{t(messages[kind].body)}</p>
        <div class="actions">
          <a class="button" href="/">
            {t('error.home')}
          </a>
          {kind === '401' && !ctx.user && (
            <a class="button secondary" href="/login">
              {t('error.signIn')}
            </a>
          )}
        </div>
        <p class="hint">{t('error.reference', { id: requestId })}</p>
      </div>
    </Layout>
  );
}

/**
 * Errors for browsers, in the visitor's language. Only a fixed message per kind is shown:
 * service messages are English and may name internals, and stacks never reach a page.
 */
export const renderErrorPage: HtmlErrorRenderer = (request, reply, error) => {
  try {
    const ctx = pageContext(request);
    const html = renderDocument(
      <ErrorPage ctx={ctx} kind={kindOf(error.status, error.code)} requestId={request.id} />,
    );
    reply
      .header('cache-control', 'no-store')
      .header('content-language', ctx.lang)
      .header('vary', 'Accept-Language, Cookie');
    return html;
  } catch (renderError) {
    request.log.error({ err: renderError }, 'error page could not be rendered');
    return undefined; // the handler then answers with the JSON body
  }
};
