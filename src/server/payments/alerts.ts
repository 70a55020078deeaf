import "server-only";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { writeAudit } from "@/server/audit";
import type { Tx } from "@/server/db";
import { enqueueNotification } from "@/server/notifications/outbox";
import { reportStaffAlert } from "@/server/observability/errors";

/**
 * Tells staff that a payment needs a person's attention (late payment, failed refund, drift). Three traces, all in
 * the caller's transaction or next to it: an audit row (`staff.alert`, shown in /manage), a structured warn log line
 * for log-based alerting, and, when STAFF_ALERT_EMAIL is set, an outbox email to that address. With error tracking
 * on, also one warning-level Sentry event (src/server/observability/errors.ts).
 */
export async function alertStaff(
  tx: Tx,
  alert: {
    kind: string;
    reservationId: string;
    paymentId?: string;
    message: string;
    dedupeKey: string;
    requestId?: string;
  },
): Promise<void> {
  await writeAudit(tx, {
    actor: { kind: "system", name: "payments" },
    action: "staff.alert",
    entityType: "reservation",
    entityId: alert.reservationId,
    after: { kind: alert.kind, paymentId: alert.paymentId ?? null, message: alert.message },
    requestId: alert.requestId,
  });
  logger.warn(
    {
      event: "staff.alert",
      alert: alert.kind,
      reservationId: alert.reservationId,
      paymentId: alert.paymentId,
      requestId: alert.requestId,
    },
    alert.message,
  );
  reportStaffAlert(alert.kind, { requestId: alert.requestId, reservationId: alert.reservationId });
  const to = getEnv().STAFF_ALERT_EMAIL;
  if (to) {
    await enqueueNotification(tx, {
      reservationId: alert.reservationId,
      kind: "staff_alert",
      key: alert.dedupeKey,
      recipient: to,
      locale: "ja",
      payload: { alert: alert.kind, message: alert.message, paymentId: alert.paymentId ?? null },
      requestId: alert.requestId,
    });
  }
}
