import { hash, randomBytes } from 'node:crypto';

/** Tokens start with `kh_` so that secret scanners and people can recognise a leaked one. */
const tokenPrefix = 'kh_';

export function generateApiToken(): string {
  return tokenPrefix + randomBytes(32).toString('base64url');
}

export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is stored: a stolen database opens no account. */
export function sha256Hex(secret: string): string {
  // The one-shot form: it is on every API call's path and skips building a Hash object.
  return hash('sha256', secret, 'hex');
}

/** What owners see of a token after creation: enough to tell tokens apart, too little to use. */
export function visiblePrefix(token: string): string {
  return token.slice(0, tokenPrefix.length + 6);
}
