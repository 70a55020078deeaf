import "server-only";
import { desc, eq } from "drizzle-orm";
import { manageTokenFor } from "@/server/booking/codes";
import { asUser } from "@/server/db";
import { reservations, services, slots } from "@/server/db/schema";
import type { AuthContext } from "@/server/auth/session";

export type OwnReservation = {
  id: string;
  code: string;
  status: string;
  quantity: number;
  amount: { amount: number; currency: string };
  serviceNameJa: string;
  serviceNameEn: string;
  startsAt: string;
  endsAt: string;
  /** The manage page of this booking (the same link its emails carry). */
  managePath: string;
};

/**
 * The signed-in customer's own bookings (/account), newest slot first. Read under RLS as that person, and filtered
 * to their user id as well: RLS alone would also let a staff member's /account show every booking.
 */
export async function listOwnReservations(auth: AuthContext, limit = 100): Promise<OwnReservation[]> {
  const rows = await asUser(auth.claims, (tx) =>
    tx
      .select({ r: reservations, slot: slots, service: services })
      .from(reservations)
      .innerJoin(slots, eq(slots.id, reservations.slotId))
      .innerJoin(services, eq(services.id, slots.serviceId))
      .where(eq(reservations.userId, auth.userId))
      .orderBy(desc(slots.startsAt))
      .limit(limit),
  );
  return rows.map(({ r, slot, service }) => ({
    id: r.id,
    code: r.code,
    status: r.status,
    quantity: r.quantity,
    amount: { amount: r.amount, currency: r.currency },
    serviceNameJa: service.nameJa,
    serviceNameEn: service.nameEn,
    startsAt: slot.startsAt.toISOString(),
    endsAt: slot.endsAt.toISOString(),
    managePath: `/reservations/${encodeURIComponent(r.code)}?token=${encodeURIComponent(manageTokenFor(r.id).token)}`,
  }));
}
