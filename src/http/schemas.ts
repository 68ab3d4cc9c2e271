import { Type } from 'typebox';

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
