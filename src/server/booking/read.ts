import "server-only";
import { desc, eq, type SQL } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import { asService, asUser, type JwtClaims, type Tx } from "@/server/db";
import { payments, reservations, services, slots } from "@/server/db/schema";
import { timingSafeEqual } from "node:crypto";
import { hashManageToken, manageTokenFor, previousManageTokenFor } from "./codes";

export type ReservationView = {
  id: string;
  code: string;
  status: string;
  quantity: number;
  holdExpiresAt: string | null;
  amount: { amount: number; currency: string };
  locale: string;
  customer: { name: string; email: string; phone: string | null };
  slot: { id: string; startsAt: string; endsAt: string };
  service: { id: string; slug: string; nameJa: string; nameEn: string };
  version: number;
  createdAt: string;
  /** The latest payment attempt, or null before checkout started (and for free services). */
  payment: PaymentView | null;
};

export type PaymentView = {
  id: string;
  attempt: number;
  status: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  failureCode: string | null;
  failureMessage: string | null;
  latePayment: boolean;
  outcome: string | null;
  checkoutUrl: string | null;
  sessionExpiresAt: string | null;
};

/** Who is asking: a guest with the manage token from their link, or a signed-in person (read under RLS). */
export type ReservationAccess = { token: string } | { claims: JwtClaims };

/** Looks a reservation up by id or by its public code (the manage page's URL). */
export type ReservationRef = { id: string } | { code: string };

export async function getReservation(ref: ReservationRef, access: ReservationAccess): Promise<ReservationView> {
  const row =
    "token" in access
      ? await asService((tx) => selectView(tx, ref, access.token))
      : await asUser(access.claims, (tx) => selectView(tx, ref));
  if (!row) throw new AppError("reservation_not_found", "No reservation matches this link.");
  return row;
}

/**
 * A guest's token is valid when it is the reservation's token under the current MANAGE_LINK_SECRET (the link every
 * email carries) or, during a rotation, under MANAGE_LINK_SECRET_PREVIOUS, or matches the stored hash (the link shown at booking; also reservations from before tokens were
 * derived). Compared in constant time. Reservations without a token hash (signed-in owners) accept no token.
 */
function tokenMatches(r: { id: string; manageTokenHash: string | null }, token: string): boolean {
  if (!r.manageTokenHash) return false;
  const expected = Buffer.from(manageTokenFor(r.id).token);
  const given = Buffer.from(token);
  if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  const previous = previousManageTokenFor(r.id);
  if (previous !== null) {
    const before = Buffer.from(previous);
    if (before.length === given.length && timingSafeEqual(before, given)) return true;
  }
  const hash = Buffer.from(hashManageToken(token));
  const stored = Buffer.from(r.manageTokenHash);
  return hash.length === stored.length && timingSafeEqual(hash, stored);
}

/** One reservation (whole row) with its slot and service, as the customer's view and the staff detail read it. */
export async function reservationWithSlot(tx: Tx, where: SQL) {
  const [row] = await tx
    .select({ r: reservations, slot: slots, service: services })
    .from(reservations)
    .innerJoin(slots, eq(slots.id, reservations.slotId))
    .innerJoin(services, eq(services.id, slots.serviceId))
    .where(where);
  return row;
}

async function selectView(tx: Tx, ref: ReservationRef, token?: string): Promise<ReservationView | undefined> {
  const row = await reservationWithSlot(
    tx,
    "id" in ref ? eq(reservations.id, ref.id) : eq(reservations.code, ref.code),
  );
  if (!row) return undefined;
  if (token !== undefined && !tokenMatches(row.r, token)) return undefined;
  const { r, slot, service } = row;
  const [p] = await tx
    .select()
    .from(payments)
    .where(eq(payments.reservationId, r.id))
    .orderBy(desc(payments.attempt))
    .limit(1);
  return {
    id: r.id,
    code: r.code,
    status: r.status,
    quantity: r.quantity,
    holdExpiresAt: r.holdExpiresAt?.toISOString() ?? null,
    amount: { amount: r.amount, currency: r.currency },
    locale: r.locale,
    customer: { name: r.customerName, email: r.customerEmail, phone: r.customerPhone },
    slot: { id: slot.id, startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString() },
    service: { id: service.id, slug: service.slug, nameJa: service.nameJa, nameEn: service.nameEn },
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    payment: p
      ? {
          ...paymentFields(p),
          checkoutUrl: p.status === "pending" ? p.checkoutUrl : null,
          sessionExpiresAt: p.sessionExpiresAt?.toISOString() ?? null,
        }
      : null,
  };
}

/** A payment attempt's fields as every API shows them (the customer's view adds the checkout link, staff the times). */
export function paymentFields(p: typeof payments.$inferSelect): Omit<PaymentView, "checkoutUrl" | "sessionExpiresAt"> {
  return {
    id: p.id,
    attempt: p.attempt,
    status: p.status,
    amount: p.amount,
    amountRefunded: p.amountRefunded,
    currency: p.currency,
    failureCode: p.failureCode,
    failureMessage: p.failureMessage,
    latePayment: p.latePayment,
    outcome: p.outcome,
  };
}
