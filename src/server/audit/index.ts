import "server-only";
import { currentRequestId } from "@/lib/correlation";
import { afterCommit, type Tx } from "@/server/db";
import { isDomainEvent, logDomainEvent } from "./events";
import { auditLog } from "@/server/db/schema";

/** Who did something: a signed-in person (with their role), a guest holding a manage token, or the system. */
export type Actor =
  | { kind: "user"; id: string; role: "admin" | "staff" | "user"; ip?: string }
  | { kind: "guest"; ip?: string }
  | { kind: "system"; name: string };

export type AuditEntry = {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  requestId?: string;
};

/** Appends one audit row in the caller's transaction, so the record and the change commit or roll back together. */
export async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const values = auditValues(entry);
  await tx.insert(auditLog).values(values);
  const { action } = entry;
  if (isDomainEvent(action)) {
    const { entityType, entityId, actorRole: actor, requestId } = values;
    afterCommit(tx, () => logDomainEvent(action, { entityType, entityId, actor, requestId }));
  }
}

/** The row an entry becomes; also used by single-statement writers (see booking/hold.ts). */
export function auditValues(entry: AuditEntry) {
  const { actor } = entry;
  return {
    actorId: actor.kind === "user" ? actor.id : null,
    actorRole: actorRole(actor),
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    reason: entry.reason ?? null,
    requestId: entry.requestId ?? currentRequestId() ?? null,
    ip: actor.kind === "system" ? null : (actor.ip ?? null),
  };
}

/** How an actor is named on audit rows and domain-event lines: the role, `guest`, or `system:<name>`. */
export function actorRole(actor: Actor): string {
  return actor.kind === "user" ? actor.role : actor.kind === "guest" ? "guest" : `system:${actor.name}`;
}
