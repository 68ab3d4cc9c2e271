import type { Kysely, Selectable } from 'kysely';
import type { LicencesTable, Schema, ThemesTable } from '../../db/index.js';

type Db = Kysely<Schema>;
export type ThemeRow = Selectable<ThemesTable>;
export type LicenceRow = Selectable<LicencesTable>;

export function listThemes(db: Db): Promise<ThemeRow[]> {
  return db.selectFrom('themes').selectAll().orderBy('is_national').orderBy('code').execute();
}

export function listLicences(db: Db): Promise<LicenceRow[]> {
  return db.selectFrom('licences').selectAll().orderBy('id').execute();
}

/** Inserts unless the code is taken; undefined when it was. */
export function insertTheme(
  db: Db,
  theme: { code: string; label_lo: string; label_en: string; uri: string | null },
): Promise<ThemeRow | undefined> {
  return db
    .insertInto('themes')
    .values({ ...theme, is_national: true })
    .onConflict((conflict) => conflict.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function insertLicence(
  db: Db,
  licence: { id: string; title_lo: string; title_en: string; url: string | null; is_open: boolean },
): Promise<LicenceRow | undefined> {
  return db
    .insertInto('licences')
    .values(licence)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
}
