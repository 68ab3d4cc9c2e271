export { listeningApplication } from './notifications.js';
export {
  openDatabase,
  pgliteImage,
  type Database,
  type DatabaseLocation,
  type Settings,
  type ConnectionStats,
} from './database.js';
export { followedCache, type FollowedCache } from './followed-cache.js';
export { migrate, loadMigrations, isMigrated, MigrationError, type Migration } from './migrate.js';
export { DataDirLocked } from './data-dir-lock.js';
export type {
  Schema,
  UsersTable,
  SessionsTable,
  ApiTokensTable,
  OrganizationsTable,
  MembershipsTable,
  AuditEventsTable,
  OrganizationKind,
  MembershipRole,
  ThemesTable,
  LicencesTable,
  DatasetsTable,
  DatasetRevisionsTable,
  ResourcesTable,
  DatastoreIngestsTable,
  IngestState,
  DatasetState,
  AccessLevel,
} from './schema.js';
