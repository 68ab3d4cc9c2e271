export { renderErrorPage } from './error-page.js';
export { webRoutes, type WebOptions } from './routes.js';
