import { hash, verify } from '@node-rs/argon2';
import { Invalid } from '../lib/errors.js';

export const passwordMinLength = 10;
export const passwordMaxLength = 1024;

/** argon2id with the library's defaults (m=19456 KiB, t=2, p=1: the OWASP recommendation). */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordRules(password);
  return hash(password);
}

export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  if (password.length > passwordMaxLength) return false;
  // Unknown accounts still pay for one hash, so response time does not reveal which emails exist.
  const target = passwordHash ?? (await decoyHash());
  const ok = await verify(target, password).catch(() => false);
  return passwordHash !== null && ok;
}

export function checkPasswordRules(password: string, field = 'password'): void {
  if (password.length < passwordMinLength) {
    throw new Invalid(field, `must be at least ${passwordMinLength} characters long`);
  }
  if (password.length > passwordMaxLength) {
    throw new Invalid(field, `must be at most ${passwordMaxLength} characters long`);
  }
}

let decoy: Promise<string> | undefined;
function decoyHash(): Promise<string> {
  decoy ??= hash('decoy password that nobody has');
  return decoy;
}
