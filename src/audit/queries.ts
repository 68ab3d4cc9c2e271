import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, Schema } from '../db/index.js';
import type { Diff } from './diff.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

export interface NewAuditEvent {
  actorId: string | null;
  entityType: string;
  entityId: string;
  action: string;
  organizationId: string | null;
  diff: Diff;
  requestId?: string | null;
}

/** Call inside the transaction of the change itself, so a change and its record stand or fall together. */
export async function recordAuditEvent(db: Kysely<Schema>, event: NewAuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_id: event.actorId,
      entity_type: event.entityType,
      entity_id: event.entityId,
      action: event.action,
      organization_id: event.organizationId,
      diff: JSON.stringify(event.diff),
      request_id: event.requestId ?? null,
    })
    .execute();
}

/** Events of one entity, oldest first, after event `afterId` (keyset paging). */
export function listAuditEvents(
  db: Kysely<Schema>,
  where: { entityType: string; entityId: string },
  limit: number,
  afterId?: number,
): Promise<AuditEventRow[]> {
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .where('entity_type', '=', where.entityType)
    .where('entity_id', '=', where.entityId)
    .orderBy('id')
    .limit(limit);
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  return query.execute();
}
