import MarkdownIt from 'markdown-it';

// Raw HTML is not allowed: `<script>` and friends come out as visible text, and markdown-it's
// link check refuses javascript:, vbscript:, file: and non-image data: URLs. That makes its
// output safe to put in a page without a separate sanitiser.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  // Publishers' links lead off the portal: no referrer, no window.opener, no ranking credit.
  tokens[index]?.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** HTML for a Markdown description written by a publisher. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
