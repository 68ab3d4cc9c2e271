import { Type, type TSchema } from 'typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. NOT_FOUND' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
      request_id: Type.String(),
    }),
  },
  { title: 'Error' },
);

/** The error answers every authenticated JSON route can give, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  429: ErrorSchema,
} as const;

// Response schemas are compiled by fast-json-stringify, which checks every value of an
// `anyOf` (TypeBox's Union) with a validator, formats included, on every response. A type
// array or a typed enum is resolved with `typeof` instead, so shared shapes use these forms.

/** One of a fixed set of strings. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** A string or null. */
export const NullableString = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

/**
 * A request value that may be null. Null is listed first on purpose: with type coercion on,
 * Ajv tries the branches in order and would turn `null` into `""` for a string branch before
 * ever reaching the null one.
 */
export const NullableInput = <T extends TSchema>(
  schema: T,
  options: { description?: string } = {},
) => Type.Union([Type.Null(), schema], options);

/** OpenAPI `security` of routes that need a signed-in caller: a token or a browser session. */
export const signedIn: Array<Record<string, string[]>> = [
  { bearerAuth: [] },
  { apiKey: [] },
  { session: [] },
];
