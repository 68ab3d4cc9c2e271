import { Type } from 'typebox';
import { NullableInput, NullableString, StringEnum } from '../../http/schemas.js';
import { TranslatableInput, TranslatableOutput } from '../translatable.js';

const Kind = StringEnum(['ministry', 'province', 'department', 'state_enterprise', 'other'], {
  description: 'ministry, province, department (under a ministry), state_enterprise or other',
});
const Role = StringEnum(['admin', 'editor', 'member'], {
  description:
    'admin: manages members and approves; editor: creates and submits datasets; member: sees drafts',
});
const NullableText = (options: { maxLength: number; format?: string }) =>
  NullableInput(Type.String(options));
const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 });

export const OrganizationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    title: TranslatableOutput,
    description: TranslatableOutput,
    kind: Kind,
    parent: Type.Union([Type.Object({ id: Type.String(), slug: Type.String() }), Type.Null()]),
    website: NullableString(),
    contact_email: NullableString(),
    contact_phone: NullableString(),
    logo_url: NullableString(),
    demo: Type.Boolean({ description: 'Demo content, not real government data' }),
    version: Type.Integer({ description: 'Send it back as If-Match: "<version>" when editing' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Organization' },
);

const editable = {
  description: Type.Optional(TranslatableInput(20_000)),
  kind: Kind,
  parent: Type.Optional(
    NullableInput(Type.String({ maxLength: 100 }), { description: 'id or slug' }),
  ),
  website: Type.Optional(NullableText({ maxLength: 500 })),
  contact_email: Type.Optional(NullableText({ maxLength: 254 })),
  contact_phone: Type.Optional(NullableText({ maxLength: 50 })),
  logo_url: Type.Optional(NullableText({ maxLength: 500 })),
};

export const CreateOrganizationBody = Type.Object(
  {
    slug: Type.Optional(Slug),
    title: TranslatableInput(300),
    ...editable,
    kind: Type.Optional(Kind),
    demo: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdateOrganizationBody = Type.Object(
  {
    slug: Type.Optional(Slug),
    title: Type.Optional(TranslatableInput(300)),
    ...editable,
    kind: Type.Optional(Kind),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const OrganizationListQuery = Type.Object({
  kind: Type.Optional(Kind),
  parent: Type.Optional(Type.String({ maxLength: 100, description: 'id or slug of the parent' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  after: Type.Optional(
    Type.String({ maxLength: 100, description: 'Cursor: the `next` of the previous page' }),
  ),
});

export const OrganizationListSchema = Type.Object({
  total: Type.Integer(),
  items: Type.Array(OrganizationSchema),
  next: NullableString(),
});

export const MemberSchema = Type.Object(
  {
    user_id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    display_name: Type.String(),
    role: Role,
    since: Type.String({ format: 'date-time' }),
  },
  { title: 'Member' },
);

export const MemberListSchema = Type.Object({ items: Type.Array(MemberSchema) });

export const AddMemberBody = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 254 })),
    user_id: Type.Optional(Type.String({ maxLength: 100 })),
    role: Role,
  },
  { additionalProperties: false },
);

export const ChangeRoleBody = Type.Object({ role: Role }, { additionalProperties: false });

export const OrganizationParams = Type.Object({
  id: Type.String({ maxLength: 100, description: 'id or slug' }),
});
export const MemberParams = Type.Object({
  id: Type.String({ maxLength: 100, description: 'organization id or slug' }),
  userId: Type.String({ maxLength: 100 }),
});
