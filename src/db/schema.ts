import type { ColumnType, Generated } from 'kysely';

/** Row types of the catalog database, kept in step with migrations/*.sql by hand. */
export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  schema_migrations: SchemaMigrationsTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  audit_events: AuditEventsTable;
  themes: ThemesTable;
  licences: LicencesTable;
  datasets: DatasetsTable;
  dataset_revisions: DatasetRevisionsTable;
  resources: ResourcesTable;
  datastore_ingests: DatastoreIngestsTable;
}

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string | null;
  language: 'lo' | 'en';
  active: Generated<boolean>;
  is_sysadmin: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  last_login_at: Date | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Date;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: CreatedAt;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: CreatedAt;
}

export type OrganizationKind =
  'ministry' | 'province' | 'department' | 'state_enterprise' | 'other';
export type MembershipRole = 'admin' | 'editor' | 'member';

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  title_lo: string | null;
  title_en: string | null;
  description_lo: string | null;
  description_en: string | null;
  kind: OrganizationKind;
  parent_id: string | null;
  website: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  logo_url: string | null;
  is_demo: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  version: Generated<number>;
  deleted_at: Date | null;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: MembershipRole;
  created_at: CreatedAt;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: CreatedAt;
  actor_id: string | null;
  entity_type: string;
  entity_id: string;
  action: string;
  organization_id: string | null;
  diff: ColumnType<Record<string, unknown>, string, never>;
  request_id: string | null;
}

export interface ThemesTable {
  code: string;
  label_lo: string;
  label_en: string;
  uri: string | null;
  is_national: Generated<boolean>;
  created_at: CreatedAt;
}

export interface LicencesTable {
  id: string;
  title_lo: string;
  title_en: string;
  url: string | null;
  is_open: Generated<boolean>;
  created_at: CreatedAt;
}

export type DatasetState = 'draft' | 'in_review' | 'published' | 'archived';
export type AccessLevel = 'public' | 'restricted' | 'non_public';

export interface DatasetsTable {
  id: Generated<string>;
  slug: string;
  organization_id: string;
  state: Generated<DatasetState>;
  current_revision: Generated<number>;
  published_revision: number | null;
  published_access_level: AccessLevel | null;
  /** Copied from the published revision for indexed public filtering. */
  published_themes: Generated<string[]>;
  published_provinces: Generated<string[]>;
  published_license: string | null;
  review_comment: string | null;
  is_demo: Generated<boolean>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  published_at: Date | null;
  version: Generated<number>;
  deleted_at: Date | null;
  deleted_by: string | null;
}

export interface DatasetRevisionsTable {
  dataset_id: string;
  number: number;
  /** JSON text on the way in; parsed on the way out. */
  metadata: ColumnType<unknown, string, string>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ResourcesTable {
  id: Generated<string>;
  dataset_id: string;
  position: number;
  title_lo: string | null;
  title_en: string | null;
  description_lo: string | null;
  description_en: string | null;
  url: string | null;
  blob_sha256: string | null;
  file_name: string | null;
  size_bytes: number | null;
  media_type: string | null;
  format: string | null;
  table_schema: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  deleted_at: Date | null;
  datastore_ingest_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type IngestState = 'queued' | 'running' | 'done' | 'failed';

/** JSON columns are read back parsed and written as JSON text. */
type Json = ColumnType<unknown, string | null | undefined, string | null>;

export interface DatastoreIngestsTable {
  id: Generated<string>;
  resource_id: string;
  blob_sha256: string;
  file_name: string | null;
  options: ColumnType<unknown, string | undefined, string>;
  state: ColumnType<IngestState, IngestState | undefined, IngestState>;
  job_id: string | null;
  attempts: Generated<number>;
  bytes_total: number | null;
  bytes_done: Generated<number>;
  rows_done: Generated<number>;
  heartbeat_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  schema_edited_at: Date | null;
  error: string | null;
  report: Json;
  table_schema: Json;
  table_name: string | null;
  parquet_sha256: string | null;
  row_count: number | null;
  created_by: string | null;
  created_at: CreatedAt;
}
