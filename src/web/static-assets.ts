import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));

/** Only the subsets and weights the stylesheet names; the package holds dozens more files. */
export const fontFiles: ReadonlySet<string> = new Set([
  'noto-sans-lao-lao-400-normal.woff2',
  'noto-sans-lao-lao-700-normal.woff2',
  'noto-sans-lao-latin-400-normal.woff2',
  'noto-sans-lao-latin-700-normal.woff2',
]);

/** The Lao subset every page needs first (the site name is Lao), worth a preload. */
export const preloadFont = '/assets/fonts/noto-sans-lao-lao-400-normal.woff2';

function fontsourceDir(): string {
  // The package exports only its CSS; its own index.css sits beside the files/ folder.
  const indexCss = createRequire(import.meta.url).resolve('@fontsource/noto-sans-lao');
  return join(dirname(indexCss), 'files');
}

/** Linked in this order: fonts, colours and the frame first, then the parts of pages. */
const stylesheetFiles = ['base.css', 'pages.css'] as const;

let stylesheets: readonly string[] | undefined;

/**
 * The stylesheets' URLs, versioned by content so that they can be cached for a year and
 * still change the moment a new release ships.
 */
export function stylesheetHrefs(): readonly string[] {
  stylesheets ??= stylesheetFiles.map((file) => {
    const digest = createHash('sha256')
      .update(readFileSync(join(assetsDir, file)))
      .digest('hex');
    return `/assets/${file}?v=${digest.slice(0, 12)}`;
  });
  return stylesheets;
}

const cacheForAYear = { maxAge: '365d', immutable: true, index: false, dotfiles: 'deny' } as const;

/** `/assets/*` from src/web/assets and `/assets/fonts/*` from @fontsource/noto-sans-lao. */
export const staticAssets: FastifyPluginAsync = async (app) => {
  // Files need no user: skipping authentication saves a session lookup per asset.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, skipAuth: true };
  });
  await app.register(fastifyStatic, {
    root: assetsDir,
    prefix: '/assets/',
    ...cacheForAYear,
  });
  await app.register(fastifyStatic, {
    root: fontsourceDir(),
    prefix: '/assets/fonts/',
    decorateReply: false,
    allowedPath: (pathName) => fontFiles.has(pathName.replace(/^\//, '')),
    ...cacheForAYear,
  });
};
