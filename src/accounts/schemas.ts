import { Type } from 'typebox';
import { NullableString, StringEnum } from '../http/schemas.js';

const Language = StringEnum(['lo', 'en'], {
  description: 'Preferred language of the interface and of emails',
});
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = NullableString({ format: 'date-time' });

export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String({ format: 'email' }),
    display_name: Type.String(),
    language: Language,
    active: Type.Boolean(),
    sysadmin: Type.Boolean(),
    created_at: Timestamp,
    last_login_at: NullableTimestamp,
  },
  { title: 'User' },
);

export const MeSchema = Type.Object({
  ...UserSchema.properties,
  authenticated_by: StringEnum(['token', 'session']),
});

export const TokenSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart' }),
    created_at: Timestamp,
    expires_at: NullableTimestamp,
    last_used_at: NullableTimestamp,
    revoked_at: NullableTimestamp,
  },
  { title: 'ApiToken' },
);

export const CreatedTokenSchema = Type.Object({
  ...TokenSchema.properties,
  token: Type.String({
    description: 'The secret token. It is shown only this once; store it now.',
  }),
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(Language),
    sysadmin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(Language),
    active: Type.Optional(Type.Boolean()),
    sysadmin: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UpdateMeBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ maxLength: 200 })),
    language: Type.Optional(Language),
    current_password: Type.Optional(Type.String({ maxLength: 1024 })),
    new_password: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const UserListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  after: Type.Optional(
    Type.String({ maxLength: 254, description: 'Cursor: the `next` of the previous page' }),
  ),
});

export const UserListSchema = Type.Object({
  items: Type.Array(UserSchema),
  next: NullableString(),
});

export const TokenListSchema = Type.Object({ items: Type.Array(TokenSchema) });
