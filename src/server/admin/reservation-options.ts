import "server-only";
import { and, desc, eq, gt, gte, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { clock } from "@/lib/clock";
import type { AuthContext } from "@/server/auth/guard";
import { asUser } from "@/server/db";
import { reservations, services, slots } from "@/server/db/schema";

/** Choices the /manage reservation screens offer, read as the signed-in staff member under RLS. */

export type ServiceOption = { id: string; nameJa: string; nameEn: string; active: boolean };

/** Every service (inactive ones too: their past reservations are still searched), for the list's filter. */
export async function listServiceOptions(auth: AuthContext): Promise<ServiceOption[]> {
  return asUser(auth.claims, (tx) =>
    tx
      .select({ id: services.id, nameJa: services.nameJa, nameEn: services.nameEn, active: services.active })
      .from(services)
      .orderBy(desc(services.active), services.sortOrder, services.nameJa),
  );
}

export type RescheduleOption = { id: string; startsAt: string; endsAt: string; remaining: number };

/**
 * Where a reservation can move (GET /api/admin/reservations/[id]/slots, the detail page's reschedule step): open,
 * future slots of the same service with enough seats left for all its guests, soonest first. The reschedule verb
 * checks all of this again under its locks; this list only saves staff from picking a slot that would be refused.
 */
export async function listRescheduleOptions(
  auth: AuthContext,
  reservationId: string,
  limit = 120,
): Promise<RescheduleOption[]> {
  const target = alias(slots, "t");
  const remaining = sql<number>`${target.capacity} - ${target.reserved}`.mapWith(Number);
  const rows = await asUser(auth.claims, (tx) =>
    tx
      .select({ id: target.id, startsAt: target.startsAt, endsAt: target.endsAt, remaining })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(target, eq(target.serviceId, slots.serviceId))
      .where(
        and(
          eq(reservations.id, reservationId),
          ne(target.id, slots.id),
          eq(target.status, "open"),
          gt(target.startsAt, clock.now()),
          gte(remaining, reservations.quantity),
        ),
      )
      .orderBy(target.startsAt)
      .limit(limit),
  );
  return rows.map((t) => ({ ...t, startsAt: t.startsAt.toISOString(), endsAt: t.endsAt.toISOString() }));
}
