import { normalizeEmail } from '../../accounts/index.js';
import type { AccessLevel } from '../../db/index.js';
import { foldLao, isBlank, normalizeLaoInput } from '../../lao/index.js';
import { Invalid } from '../../lib/errors.js';
import { httpUrl } from '../../lib/http-url.js';
import { cleanTranslatable, requireTranslatable, type Translatable } from '../translatable.js';
import { frequencyByCode } from '../vocabularies/frequencies.js';
import { provinceByPcode } from '../vocabularies/provinces.js';

/**
 * The DCAT-AP description of a dataset as one revision stores it. Resources are kept beside it
 * in the same revision, so that what the public sees is one consistent snapshot.
 */
export interface DatasetMetadata {
  title: Translatable;
  description: Translatable;
  keywords: { lo: string[]; en: string[] };
  themes: string[];
  license: string | null;
  contact_point: { name: string | null; email: string | null; phone: string | null };
  access_level: AccessLevel;
  spatial: { provinces: string[]; geometry: Geometry | null };
  temporal: { start: string | null; end: string | null };
  frequency: string | null;
  languages: string[];
  version_info: string | null;
  provenance: Translatable;
  documentation_url: string | null;
  extras: Record<string, string>;
}

/** A GeoJSON geometry; only its shape is checked, coordinates are kept as given. */
export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: unknown[] | undefined;
}

type TextIn = { lo?: string | null | undefined; en?: string | null | undefined };

/** What a client may send; every field optional, as in PATCH. */
export interface MetadataInput {
  title?: TextIn | undefined;
  description?: TextIn | undefined;
  keywords?: { lo?: string[] | undefined; en?: string[] | undefined } | undefined;
  themes?: string[] | undefined;
  license?: string | null | undefined;
  contact_point?:
    | {
        name?: string | null | undefined;
        email?: string | null | undefined;
        phone?: string | null | undefined;
      }
    | undefined;
  access_level?: AccessLevel | undefined;
  spatial?:
    { provinces?: string[] | undefined; geometry?: Geometry | null | undefined } | undefined;
  temporal?: { start?: string | null | undefined; end?: string | null | undefined } | undefined;
  frequency?: string | null | undefined;
  languages?: string[] | undefined;
  version_info?: string | null | undefined;
  provenance?: TextIn | undefined;
  documentation_url?: string | null | undefined;
  extras?: Record<string, string> | undefined;
}

/** The vocabularies the metadata is checked against, read once per change. */
export interface Vocabulary {
  themes: ReadonlySet<string>;
  licences: ReadonlySet<string>;
}

export const emptyMetadata: DatasetMetadata = {
  title: { lo: null, en: null },
  description: { lo: null, en: null },
  keywords: { lo: [], en: [] },
  themes: [],
  license: null,
  contact_point: { name: null, email: null, phone: null },
  access_level: 'public',
  spatial: { provinces: [], geometry: null },
  temporal: { start: null, end: null },
  frequency: null,
  languages: [],
  version_info: null,
  provenance: { lo: null, en: null },
  documentation_url: null,
  extras: {},
};

const maxGeometryBytes = 1_000_000;
const geometryTypes = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

/** `base` with the given fields replaced, each cleaned and checked; throws Invalid naming the field. */
export function applyMetadata(
  base: DatasetMetadata,
  input: MetadataInput,
  vocabulary: Vocabulary,
): DatasetMetadata {
  const next: DatasetMetadata = structuredClone(base);
  if (input.title !== undefined) next.title = requireTranslatable(input.title, 'title');
  if (input.description !== undefined)
    next.description = requireTranslatable(input.description, 'description', { multiline: true });
  if (input.keywords !== undefined) {
    next.keywords = {
      lo: cleanKeywords(input.keywords.lo ?? [], 'keywords.lo'),
      en: cleanKeywords(input.keywords.en ?? [], 'keywords.en'),
    };
  }
  if (input.themes !== undefined) {
    const themes = [...new Set(input.themes.map((code) => code.trim().toUpperCase()))];
    for (const code of themes)
      if (!vocabulary.themes.has(code)) throw new Invalid('themes', `unknown theme ${code}`);
    next.themes = themes;
  }
  if (input.license !== undefined) {
    const license = input.license?.trim() ?? null;
    if (license !== null && !vocabulary.licences.has(license))
      throw new Invalid('license', `unknown licence ${license}; see /api/v1/licences`);
    next.license = license;
  }
  if (input.contact_point !== undefined) next.contact_point = cleanContact(input.contact_point);
  if (input.access_level !== undefined) next.access_level = input.access_level;
  if (input.spatial !== undefined) {
    next.spatial = {
      provinces: cleanProvinces(input.spatial.provinces ?? []),
      geometry: cleanGeometry(input.spatial.geometry ?? null),
    };
  }
  if (input.temporal !== undefined) next.temporal = cleanTemporal(input.temporal);
  if (input.frequency !== undefined) {
    if (input.frequency !== null && !frequencyByCode.has(input.frequency))
      throw new Invalid('frequency', 'must be a code of the EU frequency vocabulary, e.g. ANNUAL');
    next.frequency = input.frequency;
  }
  if (input.languages !== undefined) {
    const languages = [...new Set(input.languages.map((code) => code.trim().toLowerCase()))];
    for (const code of languages)
      if (!/^[a-z]{2,3}$/.test(code))
        throw new Invalid('languages', `${code} is not an ISO 639 language code`);
    next.languages = languages;
  }
  if (input.version_info !== undefined) next.version_info = optionalLine(input.version_info);
  if (input.provenance !== undefined)
    next.provenance = cleanTranslatable(input.provenance, { multiline: true });
  if (input.documentation_url !== undefined) {
    next.documentation_url =
      input.documentation_url === null || isBlank(input.documentation_url)
        ? null
        : httpUrl(input.documentation_url, 'documentation_url');
  }
  if (input.extras !== undefined) next.extras = cleanExtras(input.extras);
  return next;
}

/**
 * The DCAT-AP recommended fields a dataset needs before it can be submitted for review; a
 * draft may be saved without them. Empty when complete.
 */
export function missingForReview(metadata: DatasetMetadata): string[] {
  const missing: string[] = [];
  if (metadata.keywords.lo.length + metadata.keywords.en.length === 0) missing.push('keywords');
  if (metadata.themes.length === 0) missing.push('themes');
  if (metadata.license === null) missing.push('license');
  if (metadata.contact_point.email === null && metadata.contact_point.phone === null)
    missing.push('contact_point');
  if (metadata.frequency === null) missing.push('frequency');
  return missing;
}

function optionalLine(value: string | null): string | null {
  if (value === null || isBlank(value)) return null;
  return normalizeLaoInput(value);
}

function cleanKeywords(words: string[], field: string): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of words) {
    if (isBlank(raw)) continue;
    const word = normalizeLaoInput(raw);
    if (word.length > 100) throw new Invalid(field, 'keywords must be at most 100 characters');
    // Spelling variants (ຫລ/ຫຼ, ໍາ/ຳ) of one keyword count as the same keyword.
    const key = foldLao(word);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(word);
  }
  if (kept.length > 50) throw new Invalid(field, 'at most 50 keywords per language');
  return kept;
}

function cleanContact(input: NonNullable<MetadataInput['contact_point']>) {
  const name = optionalLine(input.name ?? null);
  const email =
    input.email === undefined || input.email === null || isBlank(input.email)
      ? null
      : normalizeEmail(input.email, 'contact_point.email');
  const phone = optionalLine(input.phone ?? null);
  if (phone !== null && !/^\+?[0-9 ()-]{5,30}$/.test(phone))
    throw new Invalid('contact_point.phone', 'is not a phone number');
  return { name, email, phone };
}

function cleanProvinces(codes: string[]): string[] {
  const provinces = [...new Set(codes.map((code) => code.trim().toUpperCase()))];
  for (const code of provinces)
    if (!provinceByPcode.has(code))
      throw new Invalid('spatial.provinces', `${code} is not a province p-code (LA01–LA18)`);
  return provinces.sort();
}

function cleanGeometry(geometry: Geometry | null, depth = 0): Geometry | null {
  if (geometry === null) return null;
  if (depth === 0 && JSON.stringify(geometry).length > maxGeometryBytes)
    throw new Invalid('spatial.geometry', 'is larger than 1 MB; simplify it first');
  if (!geometryTypes.has(geometry.type))
    throw new Invalid('spatial.geometry', `${geometry.type} is not a GeoJSON geometry type`);
  if (geometry.type === 'GeometryCollection') {
    if (!Array.isArray(geometry.geometries) || depth > 2)
      throw new Invalid('spatial.geometry', 'a GeometryCollection needs geometries');
    return {
      type: geometry.type,
      geometries: geometry.geometries.map((part) => cleanGeometry(part as Geometry, depth + 1)),
    };
  }
  if (!Array.isArray(geometry.coordinates) || !onlyNumbers(geometry.coordinates))
    throw new Invalid('spatial.geometry', 'coordinates must be nested arrays of numbers');
  return { type: geometry.type, coordinates: geometry.coordinates };
}

function onlyNumbers(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(onlyNumbers);
  return typeof value === 'number' && Number.isFinite(value);
}

function cleanTemporal(input: NonNullable<MetadataInput['temporal']>) {
  const date = (value: string | null | undefined, field: string) => {
    if (value === undefined || value === null || isBlank(value)) return null;
    const text = value.trim();
    const parsed = new Date(`${text}T00:00:00Z`);
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== text
    )
      throw new Invalid(field, 'must be a date written YYYY-MM-DD');
    return text;
  };
  const start = date(input.start, 'temporal.start');
  const end = date(input.end, 'temporal.end');
  if (start !== null && end !== null && start > end)
    throw new Invalid('temporal.end', 'must not be before temporal.start');
  return { start, end };
}

function cleanExtras(extras: Record<string, string>): Record<string, string> {
  const entries = Object.entries(extras);
  if (entries.length > 50) throw new Invalid('extras', 'at most 50 entries');
  const clean: Record<string, string> = {};
  for (const [rawKey, rawValue] of entries) {
    const key = normalizeLaoInput(rawKey);
    if (key === '' || key.length > 100)
      throw new Invalid('extras', 'keys must be 1 to 100 characters');
    if (rawValue.length > 2000) throw new Invalid(`extras.${key}`, 'at most 2,000 characters');
    clean[key] = normalizeLaoInput(rawValue, { multiline: true });
  }
  return clean;
}
