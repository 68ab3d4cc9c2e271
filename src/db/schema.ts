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
