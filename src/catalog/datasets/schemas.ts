import { Type } from 'typebox';
import { NullableInput, NullableString, StringEnum } from '../../http/schemas.js';
import { TranslatableInput, TranslatableOutput } from '../translatable.js';
import { frequencyCodes } from '../vocabularies/frequencies.js';

const states = ['draft', 'in_review', 'published', 'archived'] as const;
const accessLevels = ['public', 'restricted', 'non_public'] as const;
const State = StringEnum(states, {
  description: 'draft → in_review → published → archived; in_review → draft when returned',
});
const AccessLevel = StringEnum(accessLevels, {
  description: 'public: anyone; restricted and non_public: only members of the publisher',
});
const NullableText = (maxLength: number, description?: string) =>
  NullableInput(Type.String({ maxLength }), description ? { description } : {});
const Keywords = Type.Object(
  {
    lo: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
    en: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
const Geometry = Type.Object(
  {
    type: Type.String({ maxLength: 30 }),
    coordinates: Type.Optional(Type.Unknown()),
    geometries: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 1000 })),
  },
  { description: 'A GeoJSON geometry (RFC 7946), at most 1 MB' },
);

const metadataFields = {
  slug: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'URL name; made from the English title, or the Lao one spelled out, when absent',
    }),
  ),
  title: TranslatableInput(500),
  description: TranslatableInput(100_000),
  keywords: Type.Optional(Keywords),
  themes: Type.Optional(
    Type.Array(Type.String({ maxLength: 32 }), {
      maxItems: 30,
      description: 'Theme codes from /api/v1/themes',
    }),
  ),
  license: Type.Optional(NullableText(64, 'Licence id from /api/v1/licences')),
  contact_point: Type.Optional(
    Type.Object(
      {
        name: Type.Optional(NullableText(200)),
        email: Type.Optional(NullableText(254)),
        phone: Type.Optional(NullableText(50)),
      },
      { additionalProperties: false },
    ),
  ),
  access_level: Type.Optional(AccessLevel),
  spatial: Type.Optional(
    Type.Object(
      {
        provinces: Type.Optional(
          Type.Array(Type.String({ maxLength: 8 }), {
            maxItems: 18,
            description: 'Province p-codes LA01–LA18',
          }),
        ),
        geometry: Type.Optional(NullableInput(Geometry)),
      },
      { additionalProperties: false },
    ),
  ),
  temporal: Type.Optional(
    Type.Object(
      {
        start: Type.Optional(NullableText(10, 'YYYY-MM-DD')),
        end: Type.Optional(NullableText(10, 'YYYY-MM-DD')),
      },
      { additionalProperties: false },
    ),
  ),
  frequency: Type.Optional(
    NullableInput(StringEnum(frequencyCodes), {
      description: 'EU frequency vocabulary code',
    }),
  ),
  languages: Type.Optional(Type.Array(Type.String({ maxLength: 3 }), { maxItems: 10 })),
  version_info: Type.Optional(NullableText(100)),
  provenance: Type.Optional(TranslatableInput(10_000)),
  documentation_url: Type.Optional(NullableText(2000)),
  extras: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String())),
};

export const CreateDatasetBody = Type.Object(
  {
    organization: Type.String({ maxLength: 100, description: 'Publisher id or slug' }),
    publish: Type.Optional(
      Type.Boolean({
        description: 'Publish at once, skipping review (organization admins and sysadmins only)',
      }),
    ),
    ...metadataFields,
  },
  { additionalProperties: false },
);

const { title, description, ...optionalFields } = metadataFields;
export const UpdateDatasetBody = Type.Object(
  { title: Type.Optional(title), description: Type.Optional(description), ...optionalFields },
  { additionalProperties: false },
);

export const DatasetParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
export const RevisionParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  number: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});
export const DatasetQuery = Type.Object({
  revision: Type.Optional(
    StringEnum(['working', 'published'], {
      description:
        'Members see the working copy by default; `published` shows what the public sees',
    }),
  ),
});
export const ReturnBody = Type.Object(
  { comment: Type.String({ maxLength: 5000, description: 'What the editor should change' }) },
  { additionalProperties: false },
);

export const DatasetListQuery = Type.Object({
  organization: Type.Optional(Type.String({ maxLength: 100 })),
  state: Type.Optional(State),
  theme: Type.Optional(Type.String({ maxLength: 32 })),
  license: Type.Optional(Type.String({ maxLength: 64 })),
  province: Type.Optional(Type.String({ maxLength: 8 })),
  access_level: Type.Optional(AccessLevel),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: Type.Optional(
    Type.String({ maxLength: 200, description: 'The `next` of the previous page' }),
  ),
});

const OrganizationRef = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  title: TranslatableOutput,
});

export const ResourceSchema = Type.Object(
  {
    id: Type.String(),
    position: Type.Integer(),
    title: TranslatableOutput,
    description: TranslatableOutput,
    kind: StringEnum(['file', 'link']),
    url: Type.String({ description: 'Where to get it: the download address or the link' }),
    file_name: NullableString(),
    size_bytes: Type.Union([Type.Integer(), Type.Null()]),
    sha256: NullableString(),
    media_type: NullableString(),
    format: NullableString(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Resource' },
);

const datasetCore = {
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  organization: OrganizationRef,
  state: State,
  title: TranslatableOutput,
  themes: Type.Array(Type.String()),
  license: NullableString(),
  access_level: AccessLevel,
  demo: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  published_at: NullableString({ format: 'date-time' }),
};

export const DatasetSummarySchema = Type.Object(
  {
    ...datasetCore,
    description: TranslatableOutput,
    resource_count: Type.Integer(),
  },
  { title: 'DatasetSummary' },
);

export const DatasetSchema = Type.Object(
  {
    ...datasetCore,
    revision: Type.Integer({ description: 'The revision shown' }),
    published_revision: Type.Union([Type.Integer(), Type.Null()]),
    current_revision: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The working copy; shown to members of the publisher only',
    }),
    has_unpublished_changes: Type.Boolean(),
    review_comment: NullableString(),
    description: TranslatableOutput,
    description_html: TranslatableOutput,
    keywords: Type.Object({ lo: Type.Array(Type.String()), en: Type.Array(Type.String()) }),
    contact_point: Type.Object({
      name: NullableString(),
      email: NullableString(),
      phone: NullableString(),
    }),
    spatial: Type.Object({
      provinces: Type.Array(Type.String()),
      geometry: Type.Unknown(),
    }),
    temporal: Type.Object({ start: NullableString(), end: NullableString() }),
    frequency: NullableString(),
    languages: Type.Array(Type.String()),
    version_info: NullableString(),
    provenance: TranslatableOutput,
    documentation_url: NullableString(),
    extras: Type.Record(Type.String(), Type.String()),
    resources: Type.Array(ResourceSchema),
    version: Type.Integer({ description: 'Also sent as the ETag; send it back in If-Match' }),
  },
  { title: 'Dataset' },
);

export const DatasetListSchema = Type.Object({
  total: Type.Optional(Type.Integer({ description: 'Counted on the first page only' })),
  items: Type.Array(DatasetSummarySchema),
  next: NullableString(),
});

export const HistorySchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      at: Type.String({ format: 'date-time' }),
      actor_id: NullableString(),
      action: Type.String(),
      diff: Type.Unknown(),
    }),
  ),
  next: Type.Union([Type.Integer(), Type.Null()]),
});
