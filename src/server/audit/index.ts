import "server-only";
import { currentRequestId } from "@/lib/correlation";
import type { Tx } from "@/server/db";
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
  await tx.insert(auditLog).values(auditValues(entry));
}

/** The row an entry becomes; also used by single-statement writers (see booking/hold.ts). */
export function auditValues(entry: AuditEntry) {
  const { actor } = entry;
  return {
    actorId: actor.kind === "user" ? actor.id : null,
    actorRole: actor.kind === "user" ? actor.role : actor.kind === "guest" ? "guest" : `system:${actor.name}`,
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
