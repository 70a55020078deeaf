import "server-only";
import { and, desc, eq, gt, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { asService } from "@/server/db";
import { payments, refunds, webhookEvents } from "@/server/db/schema";
import { alertStaff } from "./alerts";
import { listEventsSince, retrieveCheckoutSession, retrievePaymentIntent } from "./gateway";
import { lockPayment, submitRefund } from "./refunds";
import { recordSessionExpired, settlePaid } from "./settle";
import { handledEventTypes, ingestStripeEvent, processInboxEvent } from "./webhook";
import { count, setReconcileDrift } from "@/server/observability/metrics";

/**
 * The safety net behind the webhook inbox (invariant 4), run by /api/cron/reconcile-payments:
 *   1. events: lists recent payment events at the gateway and ingests any the inbox never received (older than
 *      5 minutes: younger ones are probably still being delivered);
 *   2. inbox: processes rows left received/failed (a crash or a 5xx the sender gave up on);
 *   3. sessions: re-reads checkout sessions still pending after PAYMENT_RECONCILE_AFTER_MINUTES and settles them;
 *   4. refunds: resubmits ledger rows still pending without a gateway id (found by metadata, else a new key: refunds.ts);
 *   5. drift: compares each recent captured payment's amount and refunded total with the gateway and reports drift.
 * Each step is independent: a failing gateway call is logged and the step moves on.
 */
export type ReconcileReport = {
  eventsIngested: number;
  inboxProcessed: number;
  sessionsSettled: number;
  refundsSubmitted: number;
  drift: { paymentId: string; field: "amount" | "amount_refunded"; ledger: number; gateway: number }[];
  errors: number;
};

const EVENT_WINDOW_MS = 3 * 24 * 3_600_000;
/** Events younger than this are probably still being delivered; reconcile leaves them to the webhook. */
const EVENT_GRACE_MS = 5 * 60_000;
const INBOX_GRACE_MS = 60_000;

export async function reconcilePayments(options: { requestId?: string } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    eventsIngested: 0,
    inboxProcessed: 0,
    sessionsSettled: 0,
    refundsSubmitted: 0,
    drift: [],
    errors: 0,
  };
  const now = clock.now();
  const { requestId } = options;
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      report.errors++;
      logger.warn({ event: "payment.reconcile_error", step: what, err: error, requestId }, "reconcile step failed");
    }
  };

  await attempt("events", async () => {
    const graceEnd = Math.floor((now.getTime() - EVENT_GRACE_MS) / 1000);
    const events = (await listEventsSince(new Date(now.getTime() - EVENT_WINDOW_MS), [...handledEventTypes])).filter(
      (e) => e.created <= graceEnd,
    );
    if (events.length === 0) return;
    const known = await asService((tx) =>
      tx
        .select({ eventId: webhookEvents.eventId })
        .from(webhookEvents)
        .where(
          and(
            eq(webhookEvents.provider, "stripe"),
            inArray(
              webhookEvents.eventId,
              events.map((e) => e.id),
            ),
          ),
        ),
    );
    const seen = new Set(known.map((k) => k.eventId));
    for (const event of events.filter((e) => !seen.has(e.id))) {
      await attempt("events", async () => {
        await ingestStripeEvent(event, requestId);
        report.eventsIngested++;
      });
    }
  });

  await attempt("inbox", async () => {
    const stuck = await asService((tx) =>
      tx
        .select({ id: webhookEvents.id })
        .from(webhookEvents)
        .where(
          and(
            eq(webhookEvents.provider, "stripe"),
            inArray(webhookEvents.status, ["received", "failed"]),
            lt(webhookEvents.receivedAt, new Date(now.getTime() - INBOX_GRACE_MS)),
          ),
        )
        .orderBy(webhookEvents.receivedAt)
        .limit(200),
    );
    for (const row of stuck) {
      await attempt("inbox", async () => {
        await processInboxEvent(row.id, requestId);
        report.inboxProcessed++;
      });
    }
  });

  await attempt("sessions", async () => {
    const cutoff = new Date(now.getTime() - getEnv().PAYMENT_RECONCILE_AFTER_MINUTES * 60_000);
    const pending = await asService((tx) =>
      tx
        .select({ id: payments.id, sessionId: payments.checkoutSessionId })
        .from(payments)
        .where(
          and(
            inArray(payments.status, ["pending", "failed"]),
            isNotNull(payments.checkoutSessionId),
            lt(payments.createdAt, cutoff),
          ),
        )
        .orderBy(payments.createdAt)
        .limit(100),
    );
    for (const p of pending) {
      await attempt("sessions", async () => {
        const session = await retrieveCheckoutSession(p.sessionId as string);
        const pi = session.payment_intent;
        const settled = await asService(async (tx) => {
          const payment = await lockPayment(tx, p.id);
          if (!payment) return null;
          if (session.status === "complete" && session.payment_status === "paid" && pi) {
            return settlePaid(
              tx,
              payment,
              {
                paymentIntentId: typeof pi === "string" ? pi : pi.id,
                amountReceived: typeof pi === "string" ? (session.amount_total ?? payment.amount) : pi.amount_received,
              },
              requestId,
            );
          }
          if (session.status === "expired") return recordSessionExpired(tx, payment, requestId);
          return null;
        });
        if (settled) {
          report.sessionsSettled++;
          for (const refundId of settled.refundIds) await submitRefund(refundId, requestId);
          logger.info(
            { event: "payment.reconciled", paymentId: p.id, outcome: settled.outcome, requestId },
            "reconcile settled a pending payment",
          );
        }
      });
    }
  });

  await attempt("refunds", async () => {
    const pending = await asService((tx) =>
      tx
        .select({ id: refunds.id })
        .from(refunds)
        .where(
          and(
            eq(refunds.status, "pending"),
            sql`${refunds.providerRefundId} is null`,
            lt(refunds.updatedAt, new Date(now.getTime() - INBOX_GRACE_MS)),
          ),
        )
        .limit(100),
    );
    for (const r of pending) {
      await attempt("refunds", async () => {
        const result = await submitRefund(r.id, requestId);
        if (result.submitted) report.refundsSubmitted++;
      });
    }
  });

  await attempt("drift", async () => {
    const recent = await asService((tx) =>
      tx
        .select()
        .from(payments)
        .where(
          and(
            inArray(payments.status, ["succeeded", "partially_refunded", "refunded"]),
            isNotNull(payments.paymentIntentId),
            gt(payments.updatedAt, new Date(now.getTime() - 7 * 86_400_000)),
          ),
        )
        .orderBy(desc(payments.updatedAt))
        .limit(100),
    );
    for (const p of recent) {
      await attempt("drift", async () => {
        const intent = await retrievePaymentIntent(p.paymentIntentId as string);
        const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null;
        const ledgerSucceeded = await asService(async (tx) => {
          const rows = await tx
            .select({ amount: refunds.amount, status: refunds.status })
            .from(refunds)
            .where(eq(refunds.paymentId, p.id));
          return {
            settled: rows.filter((r) => r.status === "succeeded").reduce((s, r) => s + r.amount, 0),
            pending: rows.some((r) => r.status === "pending"),
          };
        });
        const drifts: ReconcileReport["drift"] = [];
        if (intent.amount_received !== p.amount)
          drifts.push({ paymentId: p.id, field: "amount", ledger: p.amount, gateway: intent.amount_received });
        if (charge && !ledgerSucceeded.pending && charge.amount_refunded !== ledgerSucceeded.settled) {
          drifts.push({
            paymentId: p.id,
            field: "amount_refunded",
            ledger: ledgerSucceeded.settled,
            gateway: charge.amount_refunded,
          });
        }
        for (const d of drifts) {
          report.drift.push(d);
          count("reconcile_drift", { field: d.field });
          await asService((tx) =>
            alertStaff(tx, {
              kind: "payment_drift",
              reservationId: p.reservationId,
              paymentId: p.id,
              message: `Ledger and gateway disagree on ${d.field}: ledger ${d.ledger}, gateway ${d.gateway}.`,
              dedupeKey: `drift:${p.id}:${d.field}:${d.gateway}`,
              requestId,
            }),
          );
        }
      });
    }
  });

  setReconcileDrift(report.drift.length);
  logger.info({ event: "payment.reconcile", ...report, drift: report.drift.length, requestId }, "payments reconciled");
  return report;
}
