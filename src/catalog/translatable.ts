import { Type, type Static } from 'typebox';
import { isBlank, normalizeLaoInput, type InputOptions } from '../lao/index.js';
import { NullableInput, NullableString } from '../http/schemas.js';
import { Invalid } from '../lib/errors.js';

/** Text given in Lao and/or English: `{"lo": "...", "en": "..."}` in every API. */
export const TranslatableInput = (maxLength: number) =>
  Type.Object(
    {
      lo: Type.Optional(NullableInput(Type.String({ maxLength }))),
      en: Type.Optional(NullableInput(Type.String({ maxLength }))),
    },
    { additionalProperties: false },
  );

export const TranslatableOutput = Type.Object({
  lo: NullableString(),
  en: NullableString(),
});

export type Translatable = Static<typeof TranslatableOutput>;
type TranslatableIn = { lo?: string | null | undefined; en?: string | null | undefined };

/**
 * Stored form: NFC, invisible characters removed, whitespace tidied; text that is blank after
 * that (spaces, zero-width characters) counts as absent.
 */
export function cleanTranslatable(input: TranslatableIn, options: InputOptions = {}): Translatable {
  const clean = (value: string | null | undefined) =>
    value === undefined || value === null || isBlank(value)
      ? null
      : normalizeLaoInput(value, options);
  return { lo: clean(input.lo), en: clean(input.en) };
}

/** Like `cleanTranslatable`, but at least one language must remain. */
export function requireTranslatable(
  input: TranslatableIn,
  field: string,
  options: InputOptions = {},
): Translatable {
  const text = cleanTranslatable(input, options);
  if (text.lo === null && text.en === null) {
    throw new Invalid(field, 'needs a Lao or an English text that is not only spaces');
  }
  return text;
}
