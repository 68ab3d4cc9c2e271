export { diffObjects, creationDiff, type Diff } from './diff.js';
export {
  recordAuditEvent,
  listAuditEvents,
  type AuditEventRow,
  type NewAuditEvent,
} from './queries.js';
