import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { writeAudit } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { count } from "@/server/observability/metrics";

/**
 * Releases holds whose hold_expires_at has passed (invariant 3): status → expired, seats returned, one audit row
 * each, in one transaction per batch. `FOR UPDATE SKIP LOCKED` lets several instances run at once without waiting on
 * each other, and the `status = 'held'` condition on the UPDATE means a hold is released exactly once even if a
 * confirmation or another run touches it concurrently.
 */
export async function expireHolds(options: { now?: Date; limit?: number; requestId?: string } = {}): Promise<number> {
  const now = options.now ?? clock.now();
  return asService((tx) => expireDueHolds(tx, now, options.limit ?? 500, options.requestId));
}

export async function expireDueHolds(tx: Tx, now: Date, limit: number, requestId?: string): Promise<number> {
  // Raw SQL parameters go through the driver as-is: pass instants as ISO strings, which both drivers accept.
  const at = now.toISOString();
  const expired = await queryRows<{ id: string; slot_id: string; quantity: number }>(
    tx,
    sql`with due as (
          select id from reservations
          where status = 'held' and hold_expires_at <= ${at}::timestamptz
          order by hold_expires_at
          limit ${limit}
          for update skip locked
        )
        update reservations r
           set status = 'expired', version = r.version + 1, updated_at = ${at}::timestamptz
          from due
         where r.id = due.id and r.status = 'held'
     returning r.id, r.slot_id, r.quantity`,
  );
  if (expired.length === 0) return 0;
  count("holds_expired", {}, expired.length);

  const perSlot = new Map<string, number>();
  for (const r of expired) perSlot.set(r.slot_id, (perSlot.get(r.slot_id) ?? 0) + Number(r.quantity));
  // Slot-id order keeps lock order consistent with reschedules (invariant 6).
  for (const [slotId, seats] of [...perSlot.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await tx.execute(
      sql`update slots set reserved = reserved - ${seats}, updated_at = ${at}::timestamptz where id = ${slotId}`,
    );
  }
  for (const r of expired) {
    await writeAudit(tx, {
      actor: { kind: "system", name: "expire-holds" },
      action: "reservation.expired",
      entityType: "reservation",
      entityId: r.id,
      before: { status: "held" },
      after: { status: "expired", seatsReleased: Number(r.quantity) },
      requestId,
    });
  }
  return expired.length;
}
