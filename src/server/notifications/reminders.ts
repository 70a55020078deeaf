import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import type { Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { enqueueNotification, reservationNotice } from "./outbox";

/**
 * Queues each confirmed reservation's reminder once, REMINDER_HOURS_BEFORE hours before it starts, through the same
 * enqueueNotification as every other notice (so the SMS policy and phone normalisation apply). "Once" is the
 * outbox's unique dedupe key (reservation, kind, channel, revision = the reservation's version): running the job
 * twice, or on two instances at once, inserts nothing the second time; a reschedule bumps the version, so the new
 * time gets its own reminder. Reservations already reminded for their version are not even selected.
 */
type Due = {
  id: string;
  code: string;
  user_id: string | null;
  customer_email: string;
  customer_phone: string | null;
  sms_consent: boolean;
  locale: string;
  version: number;
};

export async function queueReminders(tx: Tx, options: { now?: Date } = {}): Promise<number> {
  const now = options.now ?? clock.now();
  const until = new Date(now.getTime() + getEnv().REMINDER_HOURS_BEFORE * 3_600_000);
  const due = await queryRows<Due>(
    tx,
    sql`select r.id, r.code, r.user_id, r.customer_email, r.customer_phone, r.sms_consent, r.locale, r.version
          from reservations r join slots s on s.id = r.slot_id
         where r.status = 'confirmed'
           and s.starts_at > ${now.toISOString()}::timestamptz
           and s.starts_at <= ${until.toISOString()}::timestamptz
           and not exists (
             select 1 from notifications n where n.dedupe_key = r.id::text || ':reminder:email:' || r.version
           )
         order by s.starts_at
         limit 1000`,
  );
  let queued = 0;
  for (const r of due) {
    const notice = reservationNotice(
      "reminder",
      {
        id: r.id,
        code: r.code,
        userId: r.user_id,
        customerEmail: r.customer_email,
        customerPhone: r.customer_phone,
        smsConsent: r.sms_consent,
        locale: r.locale,
        version: Number(r.version),
      },
      {},
    );
    if (await enqueueNotification(tx, notice)) queued++;
  }
  return queued;
}
