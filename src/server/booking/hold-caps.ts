import "server-only";
import { createHmac } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { queryRows, type Db } from "@/server/db/client";
import { clientKeySecret } from "./codes";

/**
 * Seat hoarding: no client address and no email address may hold more than MAX_HELD_SEATS_PER_CLIENT /
 * MAX_HELD_SEATS_PER_EMAIL unpaid seats at once (defaults 20 and 10), over all their holds. Held seats are the ones
 * in reservations still `held` and not past hold_expires_at; a paid, cancelled or expired hold frees its share.
 *
 * Why those numbers: a family books up to MAX_SEATS_PER_BOOKING (10) at once, and may hold one or two bookings while
 * paying; people behind one office or mobile-carrier NAT share an address, so the address cap is twice the email
 * cap. An attacker who rotates email addresses still stops at 20 seats per address, and the hold.ip rate limit
 * (10 holds a minute) slows address rotation's twin, request floods.
 *
 * The check is part of the hold's one statement (hold.ts), so it costs no round trip; two holds racing from the
 * same client can each see the other's seats as not yet taken and end at most one booking over the cap.
 */

/** The client address as stored on a hold: a keyed hash, so the table holds no address. */
export function holdClientKey(ip: string | undefined): string | null {
  if (!ip) return null;
  return createHmac("sha256", clientKeySecret()).update(`hold-client:${ip}`).digest("base64url").slice(0, 32);
}

type CapInput = { clientKey: string | null; email: string; quantity: number; at: string };

/** Conditions for the hold's `taken` CTE: true while both caps leave room for `quantity` more seats. */
export function heldSeatCapCondition({ clientKey, email, quantity, at }: CapInput): SQL {
  const { MAX_HELD_SEATS_PER_CLIENT, MAX_HELD_SEATS_PER_EMAIL } = getEnv();
  const byClient = clientKey
    ? sql`and (select coalesce(sum(h.quantity), 0) from reservations h
                where h.status = 'held' and h.hold_client = ${clientKey} and h.hold_expires_at > ${at}::timestamptz)
              + ${quantity} <= ${MAX_HELD_SEATS_PER_CLIENT}`
    : sql``;
  return sql`${byClient}
         and (select coalesce(sum(h.quantity), 0) from reservations h
               where h.status = 'held' and lower(h.customer_email) = lower(${email}) and h.hold_expires_at > ${at}::timestamptz)
             + ${quantity} <= ${MAX_HELD_SEATS_PER_EMAIL}`;
}

/**
 * On the failure path only: 429 too_many_holds when a cap is what refused the hold, with Retry-After set to when the
 * first of those holds expires (paying or cancelling frees the seats sooner). Undefined when the caps leave room.
 */
export async function heldSeatCapRefusal(db: Db, input: CapInput): Promise<AppError | undefined> {
  const { MAX_HELD_SEATS_PER_CLIENT, MAX_HELD_SEATS_PER_EMAIL } = getEnv();
  const [row] = await queryRows<{ by_client: number | string; by_email: number | string; first_expiry: string | null }>(
    db,
    sql`select
          coalesce(sum(h.quantity) filter (where ${input.clientKey}::text is not null and h.hold_client = ${input.clientKey}), 0)::int as by_client,
          coalesce(sum(h.quantity) filter (where lower(h.customer_email) = lower(${input.email})), 0)::int as by_email,
          to_json(min(h.hold_expires_at)) #>> '{}' as first_expiry
        from reservations h
       where h.status = 'held' and h.hold_expires_at > ${input.at}::timestamptz
         and ((${input.clientKey}::text is not null and h.hold_client = ${input.clientKey}) or lower(h.customer_email) = lower(${input.email}))`,
  );
  const byClient = Number(row?.by_client ?? 0);
  const byEmail = Number(row?.by_email ?? 0);
  const overClient = input.clientKey !== null && byClient + input.quantity > MAX_HELD_SEATS_PER_CLIENT;
  const overEmail = byEmail + input.quantity > MAX_HELD_SEATS_PER_EMAIL;
  if (!overClient && !overEmail) return undefined;
  const retryAfterSeconds = row?.first_expiry
    ? Math.max(1, Math.ceil((new Date(row.first_expiry).getTime() - new Date(input.at).getTime()) / 1000))
    : 60;
  const held = overEmail ? byEmail : byClient;
  const cap = overEmail ? MAX_HELD_SEATS_PER_EMAIL : MAX_HELD_SEATS_PER_CLIENT;
  return new AppError(
    "too_many_holds",
    `You already hold ${held} seat(s) awaiting payment (at most ${cap} at once). Pay for or cancel a booking in progress, or try again when a hold expires.`,
    { retryAfterSeconds },
  );
}
