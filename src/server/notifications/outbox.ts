import "server-only";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { afterCommit, noteOutboxWrite, type Tx } from "@/server/db";
import { logDomainEvent } from "@/server/audit/events";
import { notifications } from "@/server/db/schema";
import { smsRecipientFor } from "./sms/policy";

export const notificationKinds = [
  "confirmed",
  "cancelled",
  "rescheduled",
  "payment_failed",
  "refunded",
  "late_payment_refund",
  "reminder",
  "sign_in_link",
  "staff_alert",
  /** A staff member's own message to the customer about their reservation (email only). */
  "staff_message",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export type OutboxMessage = {
  reservationId?: string;
  userId?: string;
  kind: NotificationKind;
  channel?: "email" | "sms";
  /** Distinguishes repeated events of one kind (e.g. each reschedule is a new revision). */
  revision?: number;
  /** Replaces the revision in the dedupe key when the repeat has its own identity (e.g. one notice per refund id). */
  key?: string;
  recipient: string;
  locale: "ja" | "en";
  payload?: Record<string, unknown>;
  requestId?: string;
  /** The reservation's phone and SMS consent: the SMS policy (sms/policy.ts) decides whether an SMS row goes too. */
  sms?: { customerPhone: string | null; smsConsent: boolean };
};

/** The customer's email notice about their reservation; the revision is the reservation's version. */
export function reservationNotice(
  kind: NotificationKind,
  r: {
    id: string;
    code: string;
    userId: string | null;
    customerEmail: string;
    locale: string;
    version: number;
    customerPhone?: string | null;
    smsConsent?: boolean;
  },
  payload: Record<string, unknown> = {},
  requestId?: string,
): OutboxMessage {
  return {
    ...(r.customerPhone !== undefined
      ? { sms: { customerPhone: r.customerPhone, smsConsent: r.smsConsent ?? false } }
      : {}),
    reservationId: r.id,
    userId: r.userId ?? undefined,
    kind,
    revision: r.version,
    recipient: r.customerEmail,
    locale: r.locale === "en" ? "en" : "ja",
    payload: { code: r.code, ...payload },
    requestId,
  };
}

/**
 * Writes a notification row in the caller's transaction (transactional outbox): it exists exactly when the state
 * change that caused it committed. The unique dedupe key makes a repeated write a no-op, so nothing goes out twice.
 * A reservation notice also gets its SMS row when the policy says so (sms/policy.ts). Returns the new email (or
 * given-channel) row's id, or null when the key existed already.
 */
export async function enqueueNotification(tx: Tx, message: OutboxMessage): Promise<string | null> {
  // Times from the app clock, like every other time the app writes, so due-ness and rate windows agree with it.
  const now = clock.now();
  const insert = (m: OutboxMessage) =>
    tx
      .insert(notifications)
      .values({ ...outboxValues(m), createdAt: now, updatedAt: now, nextAttemptAt: now })
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({ id: notifications.id });
  const [row] = await insert(message);
  const phone =
    message.sms && (message.channel ?? "email") === "email"
      ? smsRecipientFor(message.kind, message.sms, message.locale)
      : null;
  const [text] = phone ? await insert({ ...message, channel: "sms", recipient: phone }) : [];
  noteOutboxWrite(tx);
  const requestId = message.requestId ?? currentRequestId();
  for (const [queued, channel] of [
    [row, message.channel ?? "email"],
    [text, "sms"],
  ] as const) {
    if (!queued) continue;
    afterCommit(tx, () =>
      logDomainEvent("notification.queued", {
        entityType: "notification",
        entityId: queued.id,
        kind: message.kind,
        channel,
        reservationId: message.reservationId,
        requestId,
      }),
    );
  }
  return row?.id ?? null;
}

/** The row a message becomes; also used by single-statement writers (see booking/hold.ts). */
export function outboxValues(message: OutboxMessage) {
  const channel = message.channel ?? "email";
  const revision = message.revision ?? 1;
  const subject = message.reservationId ?? message.userId ?? message.recipient;
  return {
    reservationId: message.reservationId ?? null,
    userId: message.userId ?? null,
    kind: message.kind,
    channel,
    revision,
    dedupeKey: `${subject}:${message.kind}:${channel}:${message.key ?? revision}`,
    recipient: message.recipient,
    locale: message.locale,
    payload: message.payload ?? {},
    requestId: message.requestId ?? currentRequestId() ?? null,
  };
}
