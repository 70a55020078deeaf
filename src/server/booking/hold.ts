import "server-only";
import { randomUUID } from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Locale } from "@/lib/locale";
import { actorRole, auditValues, type Actor } from "@/server/audit";
import { logDomainEvent } from "@/server/audit/events";
import { getDatabase, outboxCommitted, type Db } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { services, slots } from "@/server/db/schema";
import { outboxValues, reservationNotice } from "@/server/notifications/outbox";
import { smsRecipientFor } from "@/server/notifications/sms/policy";
import { manageTokenFor, newReservationCode } from "./codes";
import { heldSeatCapCondition, heldSeatCapRefusal, holdClientKey } from "./hold-caps";
import { processSingleton } from "@/lib/process-global";
import { count } from "@/server/observability/metrics";

export type HoldInput = {
  slotId: string;
  quantity: number;
  customer: { name: string; email: string; phone?: string };
  /** Consent to SMS about this booking; only counts with a phone number. */
  smsConsent?: boolean;
  locale: Locale;
  /** Set when a signed-in person books (their /account lists it); everyone gets a manage token. */
  userId?: string;
  actor: Actor;
  /** The client's address (route wrapper's clientIp), for the per-client held-seat cap; undefined when unknown. */
  clientIp?: string;
  requestId?: string;
  /**
   * An UPDATE (ending in its WHERE clause) that becomes part of the hold's statement, e.g. storing the idempotent
   * response, so it commits exactly when the reservation does.
   */
  completeWith?: (result: HoldResult) => SQL;
};

export type HeldReservation = {
  id: string;
  code: string;
  status: "held" | "confirmed";
  slotId: string;
  quantity: number;
  holdExpiresAt: string | null;
  amount: { amount: number; currency: string };
};

export type HoldResult = { reservation: HeldReservation; manageToken: string | null; paid: boolean };

/**
 * Takes seats on a slot (invariant 1) in ONE SQL statement: a CTE runs the conditional
 * `UPDATE slots SET reserved = reserved + n WHERE … reserved + n <= capacity`, inserts the reservation, its audit row,
 * (free service) its confirmation outbox row and, when the caller passes one, the idempotency completion — all or
 * nothing, with no transaction round trips. It runs as the app's connection role (the tables' owner, the same trust
 * level as the service role; guests have no JWT to run it as). The service's price is read first (and cached
 * briefly, see slotPrice) and the statement only takes seats while that price still holds; if it changed, the hold
 * retries with the current price.
 * A paid service is held until `hold_expires_at`; a free one is confirmed at once.
 */
export async function holdReservation(input: HoldInput): Promise<HoldResult> {
  const { HOLD_MINUTES, MAX_SEATS_PER_BOOKING } = getEnv();
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_SEATS_PER_BOOKING) {
    throw new AppError("quantity_invalid", `Book between 1 and ${MAX_SEATS_PER_BOOKING} seats.`, {
      errors: [{ path: "body.quantity", message: `must be between 1 and ${MAX_SEATS_PER_BOOKING}` }],
    });
  }
  const { db } = await getDatabase();
  const clientKey = holdClientKey(input.clientIp);
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = clock.now();
    const price = await slotPrice(db, input.slotId, { fresh: attempt > 0 });
    if (!price) throw new AppError("slot_not_found", "This time slot does not exist.");

    const paid = price.amount > 0;
    const id = randomUUID();
    // Signed-in owners get the same link as guests: every email and the /account page open the one manage page.
    const manage = manageTokenFor(id);
    const reservation: HeldReservation = {
      id,
      code: newReservationCode(),
      status: paid ? "held" : "confirmed",
      slotId: input.slotId,
      quantity: input.quantity,
      holdExpiresAt: paid ? new Date(now.getTime() + HOLD_MINUTES * 60_000).toISOString() : null,
      amount: { amount: price.amount * input.quantity, currency: price.currency },
    };
    const result: HoldResult = { paid, manageToken: manage.token, reservation };
    const taken = await queryRows<{ id: string }>(
      db,
      holdStatement({
        input,
        reservation,
        price,
        tokenHash: manage.hash,
        clientKey,
        now,
        completion: input.completeWith?.(result),
      }),
    );
    if (taken.length > 0) {
      count("holds_created", { kind: paid ? "paid" : "free" });
      if (!paid) count("confirmations", { via: "free" });
      // One statement wrote the reservation, its audit row and (free booking) its outbox rows: it has committed.
      const requestId = input.requestId ?? currentRequestId();
      const actor = actorRole(input.actor);
      logDomainEvent(paid ? "reservation.held" : "reservation.confirmed", {
        entityType: "reservation",
        entityId: reservation.id,
        actor,
        requestId,
      });
      if (!paid) {
        for (const channel of confirmationSmsRecipient(input) ? ["email", "sms"] : ["email"]) {
          logDomainEvent("notification.queued", {
            entityType: "reservation",
            entityId: reservation.id,
            kind: "confirmed",
            channel,
            actor,
            requestId,
          });
        }
        outboxCommitted(); // the free booking's confirmation rows committed with the statement
      }
      return result;
    }
    const reason =
      (await whyNotBookable(db, input.slotId, now, price, input.quantity)) ??
      (paid
        ? await heldSeatCapRefusal(db, {
            clientKey,
            email: input.customer.email,
            quantity: input.quantity,
            at: now.toISOString(),
          })
        : undefined);
    if (reason) {
      count("holds_refused", { reason: reason.code });
      throw reason;
    }
  }
  throw new AppError("conflict", "The price of this service changed while booking; please try again.");
}

/**
 * The price a slot is booked at, remembered for PRICE_TTL_MS per process. A stale entry can never charge a wrong
 * price: the hold statement only takes seats while the service still has exactly this price, and otherwise the hold
 * retries with `fresh: true`.
 */
const PRICE_TTL_MS = 30_000;
const PRICE_CACHE_MAX = 10_000;
type CachedPrice = { amount: number; currency: string; until: number };
const priceCache = processSingleton("slotPrices", () => new Map<string, CachedPrice>());

async function slotPrice(db: Db, slotId: string, options: { fresh: boolean }): Promise<CachedPrice | undefined> {
  const cache = priceCache();
  const hit = cache.get(slotId);
  if (hit && !options.fresh && hit.until > Date.now()) return hit;
  const [row] = await db
    .select({ amount: services.priceAmount, currency: services.currency })
    .from(slots)
    .innerJoin(services, eq(services.id, slots.serviceId))
    .where(eq(slots.id, slotId));
  if (!row) return undefined;
  if (cache.size >= PRICE_CACHE_MAX) cache.clear();
  const entry = { ...row, until: Date.now() + PRICE_TTL_MS };
  cache.set(slotId, entry);
  return entry;
}

/** A free booking's confirmation SMS recipient, when the policy sends one (sms/policy.ts). */
function confirmationSmsRecipient(input: HoldInput): string | null {
  const smsConsent = Boolean(input.smsConsent && input.customer.phone);
  return smsRecipientFor("confirmed", { customerPhone: input.customer.phone ?? null, smsConsent }, input.locale);
}

type StatementParts = {
  input: HoldInput;
  reservation: HeldReservation;
  price: { amount: number; currency: string };
  tokenHash: string | null;
  clientKey: string | null;
  now: Date;
  completion: SQL | undefined;
};

function holdStatement({ input, reservation: r, price, tokenHash, clientKey, now, completion }: StatementParts): SQL {
  const at = now.toISOString();
  const audit = auditValues({
    actor: input.actor,
    action: r.status === "held" ? "reservation.held" : "reservation.confirmed",
    entityType: "reservation",
    entityId: r.id,
    after: { status: r.status, slotId: r.slotId, quantity: r.quantity, amount: r.amount.amount },
    requestId: input.requestId,
  });
  const smsConsent = Boolean(input.smsConsent && input.customer.phone);
  const notice = reservationNotice(
    "confirmed",
    { ...r, userId: input.userId ?? null, customerEmail: input.customer.email, locale: input.locale, version: 1 },
    {},
    input.requestId,
  );
  const outbox = outboxValues(notice);
  const phone = r.status === "confirmed" ? confirmationSmsRecipient(input) : null;
  const text = phone ? outboxValues({ ...notice, channel: "sms", recipient: phone }) : null;
  return sql`
    with taken as (
      update slots s
         set reserved = s.reserved + ${input.quantity}, updated_at = ${at}::timestamptz
        from services sv
       where s.id = ${input.slotId}::uuid and sv.id = s.service_id and sv.active
         and sv.price_amount = ${price.amount} and sv.currency = ${price.currency}
         and s.status = 'open' and s.starts_at > ${at}::timestamptz
         and s.reserved + ${input.quantity} <= s.capacity
         ${r.status === "held" ? heldSeatCapCondition({ clientKey, email: input.customer.email, quantity: input.quantity, at }) : sql``}
      returning s.id
    ), r as (
      insert into reservations (id, code, slot_id, user_id, customer_name, customer_email, customer_phone, sms_consent,
                                quantity, status, hold_expires_at, amount, currency, locale, manage_token_hash,
                                hold_client, confirmed_at, created_at, updated_at)
      select ${r.id}::uuid, ${r.code}, taken.id, ${input.userId ?? null}::uuid, ${input.customer.name},
             ${input.customer.email}, ${input.customer.phone ?? null}, ${smsConsent}, ${r.quantity}, ${r.status},
             ${r.holdExpiresAt}::timestamptz, ${r.amount.amount}, ${r.amount.currency}, ${input.locale}, ${tokenHash},
             ${r.status === "held" ? clientKey : null}, ${r.status === "confirmed" ? at : null}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        from taken
      returning id
    ), audit as (
      insert into audit_log (actor_id, actor_role, action, entity_type, entity_id, after, request_id, ip)
      select ${audit.actorId}::uuid, ${audit.actorRole}, ${audit.action}, ${audit.entityType},
             ${audit.entityId}, ${JSON.stringify(audit.after)}::jsonb, ${audit.requestId}, ${audit.ip}
        from r
    ), outbox as (
      insert into notifications (reservation_id, user_id, kind, channel, revision, dedupe_key, recipient, locale,
                                 payload, request_id)
      select r.id, ${outbox.userId}::uuid, ${outbox.kind}, ${outbox.channel}, ${outbox.revision}, ${outbox.dedupeKey},
             ${outbox.recipient}, ${outbox.locale}, ${JSON.stringify(outbox.payload)}::jsonb, ${outbox.requestId}
        from r
       where ${r.status === "confirmed"}::boolean
    )${
      text
        ? sql`, text as (
      insert into notifications (reservation_id, user_id, kind, channel, revision, dedupe_key, recipient, locale,
                                 payload, request_id)
      select r.id, ${text.userId}::uuid, ${text.kind}, ${text.channel}, ${text.revision}, ${text.dedupeKey},
             ${text.recipient}, ${text.locale}, ${JSON.stringify(text.payload)}::jsonb, ${text.requestId}
        from r
    )`
        : sql``
    }${completion ? sql`, completion as (${completion} and exists (select 1 from r))` : sql``}
    select id from r`;
}

/**
 * Only on the failure path: tells the caller precisely why the statement took no seats, or undefined when the
 * slot had the seats (the price it was checked against changed and the caller retries, or a held-seat cap refused).
 */
async function whyNotBookable(
  db: Db,
  slotId: string,
  now: Date,
  price: { amount: number; currency: string },
  quantity: number,
): Promise<AppError | undefined> {
  const [row] = await db
    .select({ slot: slots, service: services })
    .from(slots)
    .innerJoin(services, eq(services.id, slots.serviceId))
    .where(eq(slots.id, slotId));
  if (!row) return new AppError("slot_not_found", "This time slot does not exist.");
  if (row.slot.status !== "open" || !row.service.active)
    return new AppError("slot_closed", "This time slot is not open for booking.");
  if (row.slot.startsAt <= now) return new AppError("slot_in_past", "This time slot has already started.");
  if (row.service.priceAmount !== price.amount || row.service.currency !== price.currency) return undefined;
  if (row.slot.reserved + quantity > row.slot.capacity)
    return new AppError("sold_out", "Not enough seats are left in this time slot.");
  // Seats were free: the held-seat caps refused (the caller asks which), or a hold raced for the last seats.
  return undefined;
}
