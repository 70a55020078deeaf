import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { logger } from "@/lib/logger";
import { isUuid } from "@/lib/uuid";
import { writeAudit } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { notifications, webhookEvents } from "@/server/db/schema";
import { isSuppressed, suppress } from "../suppression";
import { WEBHOOK_ACTOR, type EmailFeedback, type FeedbackOutcome, type FeedbackResult } from "./types";

type NotificationRow = { id: string; status: string; recipient: string; last_error: string | null };

/** Applies one bounce or complaint in one transaction with its inbox row. Safe to repeat and to run concurrently. */
export async function recordEmailFeedback(
  feedback: EmailFeedback,
  options: { requestId?: string } = {},
): Promise<FeedbackResult> {
  const { requestId } = options;
  const result = await asService(async (tx) => {
    const now = clock.now();
    // The inbox row first: a concurrent delivery of the same event waits here until this one commits.
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`insert into webhook_events (provider, event_id, type, payload, status, attempts, request_id, received_at, processed_at)
          values (${feedback.provider}, ${feedback.eventId}, ${feedback.type}, ${JSON.stringify(feedback.payload)}::jsonb,
                  'processed', 1, ${requestId ?? currentRequestId() ?? null}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
          on conflict (provider, event_id) do nothing
          returning id`,
    );
    const seenBefore = inserted.length === 0;

    const notification = await findNotification(tx, feedback);
    let changed = false;
    const reasonText = describeFeedback(feedback);

    if (notification) {
      if (feedback.type === "soft_bounce") {
        if (notification.status !== "bounced" && notification.last_error !== reasonText) {
          await tx
            .update(notifications)
            .set({ lastError: reasonText, updatedAt: now })
            .where(eq(notifications.id, notification.id));
          changed = true;
        }
      } else if (notification.status !== "bounced") {
        await tx
          .update(notifications)
          .set({ status: "bounced", lastError: reasonText, updatedAt: now })
          .where(eq(notifications.id, notification.id));
        await writeAudit(tx, {
          actor: WEBHOOK_ACTOR,
          action: "notification.bounced",
          entityType: "notification",
          entityId: notification.id,
          before: { status: notification.status },
          after: { status: "bounced", type: feedback.type, provider: feedback.provider },
          reason: reasonText,
          requestId,
        });
        changed = true;
      }
    }

    let suppressed: boolean;
    if (feedback.type === "soft_bounce") {
      suppressed = await isSuppressed(tx, feedback.email);
    } else {
      const s = await suppress(tx, {
        email: feedback.email,
        reason: feedback.type === "complaint" ? "complaint" : "bounce",
        source: `webhook:${feedback.provider}`,
        notificationId: notification?.id,
        actor: WEBHOOK_ACTOR,
        requestId,
        note: reasonText,
      });
      suppressed = true;
      changed ||= s.created || s.updated;
    }

    const outcome: FeedbackOutcome = !notification
      ? "unknown"
      : feedback.type === "complaint"
        ? "complained"
        : feedback.type === "hard_bounce"
          ? "bounced"
          : "soft_bounce";
    if (!seenBefore || changed) {
      await tx
        .update(webhookEvents)
        .set({
          status: "processed",
          outcome,
          processedAt: now,
          ...(seenBefore ? { attempts: sql`${webhookEvents.attempts} + 1` } : {}),
        })
        .where(and(eq(webhookEvents.provider, feedback.provider), eq(webhookEvents.eventId, feedback.eventId)));
    }
    return { outcome, notificationId: notification?.id ?? null, suppressed, duplicate: seenBefore && !changed };
  });

  logger.info(
    {
      event: "email.webhook",
      provider: feedback.provider,
      eventId: feedback.eventId,
      type: feedback.type,
      providerType: feedback.providerType,
      outcome: result.outcome,
      notificationId: result.notificationId ?? undefined,
      suppressed: result.suppressed,
      duplicate: result.duplicate,
      requestId,
    },
    `email ${feedback.type}: ${result.outcome}`,
  );
  return { provider: feedback.provider, eventId: feedback.eventId, type: feedback.type, ...result };
}

/**
 * The email notification an event is about, locked for update: by the notification id the provider echoed, or by
 * messageId as our notification id, our Message-ID (`<id@domain>`, with or without brackets), or the provider message
 * id stored at send time (the Message-ID for both the SMTP and the dry-run transport; rows stored by older builds as
 * `dryrun-<…>` are still found by the notification id inside the Message-ID). Only a row addressed to the bounced
 * address counts.
 */
async function findNotification(tx: Tx, feedback: EmailFeedback): Promise<NotificationRow | undefined> {
  const ids = new Set<string>();
  const providerIds = new Set<string>();
  if (feedback.notificationId && isUuid(feedback.notificationId)) ids.add(feedback.notificationId.toLowerCase());
  const m = feedback.messageId;
  if (m) {
    const bare = m.replace(/^<|>$/g, "");
    for (const v of [m, bare, `<${bare}>`]) providerIds.add(v);
    const local = bare.split("@")[0] ?? "";
    for (const v of [bare, local]) if (isUuid(v)) ids.add(v.toLowerCase());
  }
  // By id first (primary key); provider_message_id only when that finds nothing.
  const select = (condition: ReturnType<typeof sql>) =>
    queryRows<NotificationRow>(
      tx,
      sql`select n.id::text as id, n.status, n.recipient, n.last_error
            from notifications n
           where ${condition} and n.channel = 'email' and lower(n.recipient) = ${feedback.email}
           order by n.created_at desc
           limit 1
             for update`,
    );
  if (ids.size > 0) {
    const [row] = await select(
      sql`n.id in (${sql.join(
        [...ids].map((v) => sql`${v}::uuid`),
        sql`, `,
      )})`,
    );
    if (row) return row;
  }
  if (providerIds.size > 0) {
    const [row] = await select(
      sql`n.provider_message_id in (${sql.join(
        [...providerIds].map((v) => sql`${v}`),
        sql`, `,
      )})`,
    );
    if (row) return row;
  }
  return undefined;
}

function describeFeedback(feedback: EmailFeedback): string {
  const label =
    feedback.type === "complaint" ? "complaint" : feedback.type === "hard_bounce" ? "hard bounce" : "soft bounce";
  return `${label}${feedback.reason ? `: ${feedback.reason}` : ""}`.slice(0, 500);
}
