export { createAccounts, type Accounts, type AccountsOptions } from './accounts.js';
export { LoginFailed } from './session-service.js';
export { accountRoutes } from './routes.js';
export { presentUser, presentToken } from './present.js';
export { normalizeEmail } from './users.js';
export type { AuthUser, Language } from './users.js';
export type { UserRow, TokenRow } from './queries.js';
export { loginLimits } from './login-throttle.js';
export { passwordMinLength } from './passwords.js';
