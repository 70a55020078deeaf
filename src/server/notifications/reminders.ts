import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { noteOutboxWrite, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";

/**
 * Queues each confirmed reservation's reminder once, REMINDER_HOURS_BEFORE hours before it starts. "Once" is the
 * outbox's unique dedupe key (reservation, kind, channel, revision = the reservation's version): running the job
 * twice, or on two instances at once, inserts nothing the second time. A reschedule bumps the version, so the new
 * time gets its own reminder. SMS reminders go to customers with a phone number and SMS consent while SMS is on.
 */
export async function queueReminders(tx: Tx, options: { now?: Date; smsEnabled: boolean }): Promise<number> {
  const now = options.now ?? clock.now();
  const until = new Date(now.getTime() + getEnv().REMINDER_HOURS_BEFORE * 3_600_000);
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`with due as (
          select r.id, r.user_id, r.version, r.customer_email, r.customer_phone, r.sms_consent, r.locale, r.code
            from reservations r join slots s on s.id = r.slot_id
           where r.status = 'confirmed'
             and s.starts_at > ${now.toISOString()}::timestamptz
             and s.starts_at <= ${until.toISOString()}::timestamptz
        ), emails as (
          insert into notifications (reservation_id, user_id, kind, channel, revision, dedupe_key, recipient, locale, payload)
          select id, user_id, 'reminder', 'email', version, id::text || ':reminder:email:' || version, customer_email, locale,
                 jsonb_build_object('code', code)
            from due
          on conflict (dedupe_key) do nothing
          returning id
        ), texts as (
          insert into notifications (reservation_id, user_id, kind, channel, revision, dedupe_key, recipient, locale, payload)
          select id, user_id, 'reminder', 'sms', version, id::text || ':reminder:sms:' || version, customer_phone, locale,
                 jsonb_build_object('code', code)
            from due
           where ${options.smsEnabled}::boolean and customer_phone is not null and sms_consent
          on conflict (dedupe_key) do nothing
          returning id
        )
        select id from emails union all select id from texts`,
  );
  if (rows.length > 0) noteOutboxWrite(tx);
  return rows.length;
}
