import { Conflict, Invalid } from '../lib/errors.js';

export type Language = 'lo' | 'en';

/** A signed-in person as the rest of the app sees them. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  language: Language;
  isSysadmin: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u;

/** Emails are compared case-insensitively, so they are stored trimmed and lower-cased. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.normalize('NFC').trim().toLowerCase();
  if (email.length > 254 || !emailPattern.test(email)) {
    throw new Invalid(field, 'is not a valid email address');
  }
  return email;
}

const controlOrInvisible = /[\p{Cc}\p{Cf}]/gu;

export function normalizeDisplayName(raw: string, field = 'display_name'): string {
  const name = raw.normalize('NFC').replace(controlOrInvisible, '').replace(/\s+/gu, ' ').trim();
  if (name === '') throw new Invalid(field, 'must not be empty');
  if (name.length > 200) throw new Invalid(field, 'must be at most 200 characters long');
  return name;
}

export function emailTaken(): Conflict {
  return new Conflict('A user with this email address already exists', 'email');
}
