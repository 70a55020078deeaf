import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import type { AuthContext } from "@/server/auth/guard";
import { asUser } from "@/server/db";
import { queryRows } from "@/server/db/client";

/** Choices the /manage reservation screens offer, read as the signed-in staff member under RLS. */

export type ServiceOption = { id: string; nameJa: string; nameEn: string; active: boolean };

/** Every service (inactive ones too: their past reservations are still searched), for the list's filter. */
export async function listServiceOptions(auth: AuthContext): Promise<ServiceOption[]> {
  const rows = await asUser(auth.claims, (tx) =>
    queryRows<{ id: string; name_ja: string; name_en: string; active: boolean }>(
      tx,
      sql`select id, name_ja, name_en, active from services order by active desc, sort_order, name_ja`,
    ),
  );
  return rows.map((s) => ({ id: s.id, nameJa: s.name_ja, nameEn: s.name_en, active: s.active }));
}

export type RescheduleOption = { id: string; startsAt: string; endsAt: string; remaining: number };

/**
 * Where a reservation can move (GET /api/admin/reservations/[id]/slots, the detail page's reschedule step): open,
 * future slots of the same service with enough seats left for all its guests, soonest first. The reschedule verb
 * checks all of this again under its locks; this list only saves staff from picking a slot that would be refused.
 */
export async function listRescheduleOptions(auth: AuthContext, reservationId: string, limit = 120): Promise<RescheduleOption[]> {
  const rows = await asUser(auth.claims, (tx) =>
    queryRows<{ id: string; starts_at: string | Date; ends_at: string | Date; remaining: number }>(
      tx,
      sql`select t.id, t.starts_at, t.ends_at, (t.capacity - t.reserved)::int as remaining
            from reservations r
            join slots s on s.id = r.slot_id
            join slots t on t.service_id = s.service_id
           where r.id = ${reservationId}::uuid and t.id <> s.id and t.status = 'open'
             and t.starts_at > ${clock.now().toISOString()}::timestamptz and t.capacity - t.reserved >= r.quantity
           order by t.starts_at
           limit ${limit}`,
    ),
  );
  return rows.map((t) => ({
    id: t.id,
    startsAt: new Date(t.starts_at).toISOString(),
    endsAt: new Date(t.ends_at).toISOString(),
    remaining: Number(t.remaining),
  }));
}
