import "server-only";
import type { Tx } from "@/server/db";
import { notifications } from "@/server/db/schema";

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
};

/** The customer's email notice about their reservation; the revision is the reservation's version. */
export function reservationNotice(
  kind: NotificationKind,
  r: { id: string; code: string; userId: string | null; customerEmail: string; locale: string; version: number },
  payload: Record<string, unknown> = {},
  requestId?: string,
): OutboxMessage {
  return {
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
 * Delivery (dispatcher, channels, templates) is the notifications capability's job.
 */
export async function enqueueNotification(tx: Tx, message: OutboxMessage): Promise<void> {
  await tx.insert(notifications).values(outboxValues(message)).onConflictDoNothing({ target: notifications.dedupeKey });
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
    requestId: message.requestId ?? null,
  };
}
