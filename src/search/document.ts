import type { StoredRevision } from '../catalog/index.js';
import { wordBreaks } from './highlight.js';
import { foldText, laoText } from './lao-text.js';
import { TsvectorBuilder } from './tsvector.js';

/** Raised whenever the way documents are built changes, so that start-up rebuilds older ones. */
export const indexVersion = 2;

/** Everything one search document is built from: a dataset, one of its revisions, and names. */
export interface DocumentSource {
  dataset: {
    id: string;
    slug: string;
    organization_id: string;
    state: string;
    published_access_level: string | null;
    created_at: Date;
    current_revision: number;
    published_revision: number | null;
  };
  revision: { number: number; metadata: StoredRevision; created_at: Date };
  organization: { slug: string; title_lo: string | null; title_en: string | null };
  themeLabels: ReadonlyMap<string, { lo: string; en: string }>;
  /** Column names and titles of each resource's table (from the datastore), by resource id. */
  columns: ReadonlyMap<string, readonly string[]>;
}

export interface SearchDocumentRow {
  dataset_id: string;
  revision: number;
  is_current: boolean;
  is_published: boolean;
  organization_id: string;
  state: string;
  published_access_level: string | null;
  index_version: number;
  slug: string;
  title_lo: string | null;
  title_en: string | null;
  description_lo: string | null;
  description_en: string | null;
  /** Where the descriptions' words start (see wordBreaks), so that snippets need not cut them. */
  description_lo_breaks: Uint8Array | null;
  description_en_breaks: Uint8Array | null;
  organization_slug: string;
  organization_title_lo: string | null;
  organization_title_en: string | null;
  themes: string[];
  keywords: string[];
  formats: string[];
  license: string | null;
  provinces: string[];
  access_level: string;
  languages: string[];
  created_at: Date;
  modified_at: Date;
  title_sort_lo: string;
  title_sort_en: string;
  title_prefix_lo: string | null;
  title_prefix_en: string | null;
  quality: number;
  document: string;
  trigram_text: string;
}

// A description is searched by its first few thousand words; the rest adds size, not findability.
const maxTermsPerField = 4_000;
const maxTrigramText = 4_000;

/** The lexeme a province's p-code is indexed under, so any spelling of it can find the dataset. */
export const provinceTerm = (pcode: string) => pcode.toLowerCase();

const terms = (...texts: (string | null | undefined)[]) =>
  texts.flatMap((text) => (text ? laoText.tokenize(text).slice(0, maxTermsPerField) : []));

export function buildDocument(source: DocumentSource): SearchDocumentRow {
  const { dataset, revision, organization } = source;
  const m = revision.metadata;
  const provinceNames = laoText.provinces().filter((p) => m.spatial.provinces.includes(p.pcode));
  const themeNames = m.themes.flatMap((code) => {
    const label = source.themeLabels.get(code);
    return label ? [label.lo, label.en] : [];
  });
  const resourceTexts = m.resources.flatMap((r) => [
    r.title.lo,
    r.title.en,
    r.description.lo,
    r.description.en,
    r.file_name,
    ...(source.columns.get(r.id) ?? []),
  ]);
  const document = new TsvectorBuilder()
    .add(terms(m.title.lo, m.title.en), 'A')
    .add(terms(...m.keywords.lo, ...m.keywords.en), 'B')
    .add(terms(organization.title_lo, organization.title_en), 'B')
    .add(
      [
        ...provinceNames.map((p) => provinceTerm(p.pcode)),
        ...terms(...provinceNames.flatMap((p) => [p.nameLo, ...p.namesEn])),
      ],
      'B',
    )
    .add(terms(m.description.lo, m.description.en), 'C')
    .add(terms(...themeNames), 'C')
    .add(terms(...resourceTexts), 'C')
    .add(terms(m.provenance.lo, m.provenance.en), 'D');
  const folded = (text: string | null | undefined) => (text ? foldText(text) : '');
  const trigramText = [
    m.title.lo,
    m.title.en,
    ...m.keywords.lo,
    ...m.keywords.en,
    organization.title_lo,
    organization.title_en,
    ...m.resources.flatMap((r) => [r.title.lo, r.title.en]),
  ]
    .map(folded)
    .filter((text) => text !== '')
    .join(' ')
    .slice(0, maxTrigramText);
  return {
    dataset_id: dataset.id,
    revision: revision.number,
    is_current: revision.number === dataset.current_revision,
    is_published: revision.number === dataset.published_revision,
    organization_id: dataset.organization_id,
    state: dataset.state,
    published_access_level: dataset.published_access_level,
    index_version: indexVersion,
    slug: dataset.slug,
    title_lo: m.title.lo,
    title_en: m.title.en,
    description_lo: m.description.lo,
    description_en: m.description.en,
    description_lo_breaks: m.description.lo === null ? null : wordBreaks(m.description.lo),
    description_en_breaks: m.description.en === null ? null : wordBreaks(m.description.en),
    organization_slug: organization.slug,
    organization_title_lo: organization.title_lo,
    organization_title_en: organization.title_en,
    themes: m.themes,
    keywords: [...new Set([...m.keywords.lo, ...m.keywords.en].map(foldText))],
    formats: [...new Set(m.resources.flatMap((r) => (r.format ? [r.format.toUpperCase()] : [])))],
    license: m.license,
    provinces: m.spatial.provinces,
    access_level: m.access_level,
    languages: m.languages,
    created_at: dataset.created_at,
    modified_at: revision.created_at,
    title_sort_lo: laoSortKey(folded(m.title.lo ?? m.title.en)),
    title_sort_en: folded(m.title.en ?? m.title.lo),
    title_prefix_lo: m.title.lo === null ? null : folded(m.title.lo),
    title_prefix_en: m.title.en === null ? null : folded(m.title.en),
    quality: qualityOf(m),
    document: document.toString(),
    trigram_text: trigramText,
  };
}

/**
 * Lao dictionaries order words by their first consonant: a vowel written before it (ເ ແ ໂ ໃ ໄ)
 * is read after it, so ເກືອ sorts among the ກ words.
 */
export function laoSortKey(folded: string): string {
  return folded.replace(/([\u0EC0-\u0EC4])([\u0E81-\u0EAE\u0EDC-\u0EDF])/g, '$2$1');
}

/** How complete a description is, 0..1: what DCAT-AP recommends and a reader looks for. */
function qualityOf(m: StoredRevision): number {
  const checks = [
    m.title.lo !== null && m.title.en !== null,
    m.description.lo !== null && m.description.en !== null,
    m.keywords.lo.length + m.keywords.en.length > 0,
    m.themes.length > 0,
    m.license !== null,
    m.contact_point.email !== null || m.contact_point.phone !== null,
    m.frequency !== null,
    m.spatial.provinces.length > 0,
    m.temporal.start !== null,
    m.resources.length > 0,
  ];
  return checks.filter(Boolean).length / checks.length;
}
