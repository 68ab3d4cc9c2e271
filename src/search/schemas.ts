import { Type, type Static } from 'typebox';
import { NullableString, StringEnum } from '../http/schemas.js';

const Text = Type.Object({ lo: NullableString(), en: NullableString() });
const Values = (description: string, maxLength = 100) =>
  Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength }), {
      maxItems: 20,
      description: `${description}; repeat the parameter for several (any of them matches)`,
    }),
  );

const sorts = ['relevance', 'newest', 'updated', 'title_lo', 'title_en'] as const;

export const SearchQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 10_000,
      description:
        'Words in Lao or English, any spelling (ຫລ/ຫຼ, ໍາ/ຳ, Lao digits); an English word also finds Lao-only datasets and the other way round. Empty: everything, newest first. Only the first 512 characters are searched.',
    }),
  ),
  organization: Values('Publisher slug'),
  theme: Values('Theme code, e.g. HEAL', 32),
  keyword: Values('Keyword (compared folded)'),
  format: Values('Resource format, e.g. CSV', 20),
  license: Values('Licence id, e.g. CC-BY-4.0', 64),
  province: Values('Province in any spelling: LA06, LA-LP, ຫຼວງພະບາງ, Luang Prabang'),
  access_level: Type.Optional(
    Type.Array(StringEnum(['public', 'restricted', 'non_public']), { maxItems: 3 }),
  ),
  language: Values('ISO 639 language code of the data, e.g. lo', 3),
  modified_since: Type.Optional(
    Type.String({ maxLength: 40, description: 'A date (2024-01-31) or date-time' }),
  ),
  modified_until: Type.Optional(
    Type.String({ maxLength: 40, description: 'A date (the whole day counts) or date-time' }),
  ),
  sort: Type.Optional(
    StringEnum(sorts, {
      description:
        'relevance (default with q), newest (default without), updated, title_lo (Lao dictionary order), title_en',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 0 })),
});
export type SearchQueryInput = Static<typeof SearchQuery>;

const FacetValue = Type.Object({
  value: Type.String(),
  count: Type.Integer(),
  label: Type.Optional(Text),
});
const FacetList = Type.Array(FacetValue);

export const SearchResultSchema = Type.Object(
  {
    total: Type.Integer({
      description:
        'Matches the caller may see; when totalIsLowerBound, at least this many (a broad search stops counting at 500)',
    }),
    totalIsLowerBound: Type.Boolean({
      description:
        'The search matched more datasets than were counted: total is a lower bound, and facets are counted and results ranked over the first 500 matches',
    }),
    results: Type.Array(
      Type.Object({
        id: Type.String(),
        slug: Type.String(),
        title: Text,
        snippet: Type.String({
          description: 'HTML-escaped excerpt of the description, matched words in <mark>',
        }),
        organization: Type.Object({ slug: Type.String(), title: Text }),
        state: Type.Optional(
          StringEnum(['draft', 'in_review', 'published', 'archived'], {
            description: 'Only for members of the publisher, who see its working copy',
          }),
        ),
        themes: Type.Array(Type.String()),
        keywords: Type.Array(Type.String()),
        formats: Type.Array(Type.String()),
        license: NullableString(),
        provinces: Type.Array(Type.String()),
        access_level: Type.String(),
        languages: Type.Array(Type.String()),
        created: Type.String({ format: 'date-time' }),
        modified: Type.String({ format: 'date-time' }),
        score: Type.Number(),
        match: StringEnum(['words', 'some', 'translation', 'similar', 'all'], {
          description:
            'words: every word as typed; translation: only through the Lao–English dictionary; some: no dataset has every word, this one has some; similar: no word found, closest by trigrams; all: no query',
        }),
      }),
    ),
    facets: Type.Object({
      organization: FacetList,
      theme: FacetList,
      keyword: FacetList,
      format: FacetList,
      license: FacetList,
      province: FacetList,
      access_level: FacetList,
      language: FacetList,
    }),
    didYouMean: Type.Optional(Type.String()),
  },
  { title: 'SearchResult' },
);

export const SuggestQuery = Type.Object({
  q: Type.String({ maxLength: 200, description: 'What the user has typed so far' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 5 })),
});

export const SuggestSchema = Type.Object(
  {
    datasets: Type.Array(Type.Object({ slug: Type.String(), title: Text })),
    organizations: Type.Array(Type.Object({ slug: Type.String(), title: Text })),
    keywords: Type.Array(Type.Object({ keyword: Type.String(), count: Type.Integer() })),
    provinces: Type.Array(Type.Object({ pcode: Type.String(), name: Text })),
  },
  { title: 'Suggestions' },
);
