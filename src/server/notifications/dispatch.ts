import "server-only";
import { sql } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { currentRequestId, withCorrelation } from "@/lib/correlation";
import { errorSummary, logger } from "@/lib/logger";
import { asService, onOutboxCommitted } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { notifications } from "@/server/db/schema";
import { emailFrom, sendEmail } from "./email";
import type { NotificationKind } from "./outbox";
import { getSmsChannel, SmsSendError } from "./sms";
import { isSuppressed } from "./suppression";
import { templateInput } from "./template-input";
import { renderEmail, renderSmsText } from "./templates";
import type { DeliveryResult, TemplateInput } from "./types";
import { processSingleton } from "@/lib/process-global";

/**
 * The outbox dispatcher. Claims due rows with `FOR UPDATE SKIP LOCKED` (several instances or runs never take the same
 * row), marks them `sending` with a lease, renders and sends each one outside any transaction, then records the
 * outcome: `sent` with the provider's message id and the rendered message, or a retry with exponential backoff and
 * jitter, or `failed` after MAX_ATTEMPTS (visible and resendable). A row whose sender crashed stays `sending` until
 * its lease passes and is then claimed again, so a crash between commit and send is delivered on the next run.
 * Runs right after a commit that wrote outbox rows (kickDispatch) and from /api/cron/dispatch-notifications.
 */

export const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 60_000;
const MAX_DELAY_MS = 6 * 3_600_000;
/** Rows claimed per round; each row's lease is renewed right before its send, so a slow batch cannot outlive it. */
const BATCH = 10;
const LEASE_MS = 5 * 60_000;

type Row = {
  id: string;
  reservation_id: string | null;
  kind: NotificationKind;
  channel: "email" | "sms";
  recipient: string;
  locale: string;
  payload: Record<string, unknown>;
  attempts: number;
  revision: number;
  created_at: string;
  request_id: string | null;
};

export type DispatchReport = {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
  skipped: number;
};

export async function dispatchNotifications(options: { limit?: number } = {}): Promise<DispatchReport> {
  const limit = options.limit ?? 50;
  const report: DispatchReport = { claimed: 0, sent: 0, retried: 0, failed: 0, suppressed: 0, skipped: 0 };
  while (report.claimed < limit) {
    const rows = await claim(Math.min(BATCH, limit - report.claimed));
    if (rows.length === 0) break;
    report.claimed += rows.length;
    for (const row of rows) {
      // Renew the lease for this row just before sending; if another dispatcher took it over meanwhile, skip it.
      if (!(await renewLease(row))) {
        report.skipped++;
        continue;
      }
      // A message is sent on behalf of the request or job that queued it: its log lines, its X-Request-Id header
      // and the SMS record carry that id (the dispatcher's own run id only when the row has none).
      const cause = row.request_id ?? currentRequestId();
      report[await (cause ? withCorrelation(cause, () => deliver(row)) : deliver(row))]++;
    }
  }
  if (report.claimed > 0) logger.info({ event: "notifications.dispatched", ...report }, "notifications dispatched");
  return report;
}

async function claim(count: number): Promise<Row[]> {
  const now = clock.now();
  return asService((tx) =>
    queryRows<Row>(
      tx,
      sql`with due as (
            select id from notifications
             where status in ('pending', 'sending') and next_attempt_at <= ${now.toISOString()}::timestamptz
             order by next_attempt_at
             limit ${count}
             for update skip locked
          )
          update notifications n
             set status = 'sending', attempts = n.attempts + 1,
                 next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz,
                 updated_at = ${now.toISOString()}::timestamptz
            from due
           where n.id = due.id
       returning n.id, n.reservation_id, n.kind, n.channel, n.recipient, n.locale, n.payload, n.attempts, n.revision,
                 n.created_at, n.request_id`,
    ),
  );
}

/** The claim token is (status sending, attempts): a re-claim by another dispatcher bumps attempts and wins. */
async function renewLease(row: Row): Promise<boolean> {
  const until = new Date(clock.now().getTime() + LEASE_MS);
  const renewed = await asService((tx) =>
    tx
      .update(notifications)
      .set({ nextAttemptAt: until })
      .where(
        sql`${notifications.id} = ${row.id} and ${notifications.status} = 'sending' and ${notifications.attempts} = ${row.attempts}`,
      )
      .returning({ id: notifications.id }),
  );
  return renewed.length > 0;
}

async function deliver(row: Row): Promise<"sent" | "retried" | "failed" | "suppressed" | "skipped"> {
  const log = logger.child({ notificationId: row.id, kind: row.kind, channel: row.channel });
  try {
    if (row.channel === "email" && (await asService((tx) => isSuppressed(tx, row.recipient)))) {
      await finish(row, { status: "suppressed", lastError: "address suppressed after a bounce or complaint" });
      log.info({ event: "notification.suppressed" }, "recipient suppressed; not sent");
      return "suppressed";
    }
    const input = await templateInput(row);
    const stale = staleReason(row, input);
    if (stale) {
      await finish(row, { status: "cancelled", lastError: stale });
      log.info({ event: "notification.stale", reason: stale }, "notification no longer applies; not sent");
      return "skipped";
    }
    let result: DeliveryResult;
    if (row.channel === "sms") {
      const channel = getSmsChannel();
      if (!channel) {
        await finish(row, { status: "cancelled", lastError: "SMS is off (SMS_PROVIDER=off)" });
        return "skipped";
      }
      result = await channel.send({ id: row.id, to: row.recipient, body: renderSmsText(input), kind: row.kind });
    } else {
      const rendered = await renderEmail(input);
      // Postmark returns this metadata with bounces, so a bounce finds its notification (src/server/notifications/bounces/).
      const headers = { "X-PM-Metadata-notification_id": row.id };
      result = await sendEmail(
        { ...rendered, id: row.id, to: row.recipient, from: emailFrom(), headers },
        { kind: row.kind, locale: input.locale, redact: secretsOf(input) },
      );
    }
    await finish(row, { status: "sent", providerMessageId: result.providerMessageId, rendered: result.rendered });
    return "sent";
  } catch (error) {
    const message = errorSummary(error).slice(0, 500);
    // A message the provider will never accept (invalid number, body too long) is not retried.
    const permanent = error instanceof SmsSendError && error.permanent;
    if (permanent || row.attempts >= MAX_ATTEMPTS) {
      await finish(row, { status: "failed", lastError: message });
      log.error(
        { event: "notification.failed", attempts: row.attempts, err: error },
        "notification failed for good; resend it from /manage",
      );
      return "failed";
    }
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (row.attempts - 1)) * (0.8 + Math.random() * 0.4);
    await finish(row, {
      status: "pending",
      lastError: message,
      nextAttemptAt: new Date(clock.now().getTime() + delay),
    });
    log.warn(
      { event: "notification.retry", attempts: row.attempts, delayMs: Math.round(delay), err: error },
      "notification not sent; retrying later",
    );
    return "retried";
  }
}

/** A notice that no longer applies when its turn comes (e.g. SMTP was down for hours) is not sent. */
function staleReason(row: Row, input: TemplateInput): string | null {
  const r = input.reservation;
  if (!r) return null;
  const now = clock.now().getTime();
  if (row.kind === "reminder" && (r.status !== "confirmed" || Date.parse(r.startsAt) <= now))
    return `reminder no longer applies (${r.status})`;
  if (row.kind === "payment_failed" && r.status !== "held")
    return `payment-failed notice no longer applies (${r.status})`;
  return null;
}

/** The secrets a message carries, replaced by "[redacted]" in the copy kept on the row: manage token, sign-in link and code. */
function secretsOf(input: TemplateInput): string[] {
  const secrets: string[] = [];
  if (input.links.manage) secrets.push(manageTokenOf(input.links.manage));
  if (input.links.signIn) {
    const tokenHash = new URL(input.links.signIn).searchParams.get("token_hash");
    if (tokenHash) secrets.push(tokenHash);
  }
  if (input.kind === "sign_in_link" && typeof input.payload.oneTimeCode === "string")
    secrets.push(input.payload.oneTimeCode);
  return secrets;
}

function manageTokenOf(link: string): string {
  return new URL(link).searchParams.get("token") ?? "";
}

async function finish(
  row: Pick<Row, "id" | "attempts">,
  outcome: {
    status: "sent" | "pending" | "failed" | "suppressed" | "cancelled";
    providerMessageId?: string;
    rendered?: string;
    lastError?: string;
    nextAttemptAt?: Date;
  },
): Promise<void> {
  const now = clock.now();
  await asService((tx) =>
    tx
      .update(notifications)
      .set({
        status: outcome.status,
        updatedAt: now,
        ...(outcome.status === "sent"
          ? {
              providerMessageId: outcome.providerMessageId,
              renderedMessage: outcome.rendered,
              sentAt: now,
              lastError: null,
            }
          : { lastError: outcome.lastError ?? null }),
        ...(outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
        // A sign-in link is a credential: kept only while a retry may still need it (the stored copy is redacted).
        ...(outcome.status === "pending"
          ? {}
          : {
              payload: sql`case when ${notifications.kind} = 'sign_in_link' then '{}'::jsonb else ${notifications.payload} end`,
            }),
      })
      .where(
        sql`${notifications.id} = ${row.id} and ${notifications.status} = 'sending' and ${notifications.attempts} = ${row.attempts}`,
      ),
  );
}

/**
 * Wakes the dispatcher after a commit that wrote outbox rows. One run at a time per process; a kick during a run
 * makes it go round once more. Failures are logged; the cron job retries.
 */
type KickState = { running: boolean; again: boolean; enabled: boolean };
const kickState = processSingleton<KickState>("dispatchKick", () => ({ running: false, again: false, enabled: true }));

export function kickDispatch(): void {
  const state = kickState();
  if (!state.enabled) return;
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = true;
  void (async () => {
    try {
      do {
        state.again = false;
        await dispatchNotifications();
      } while (state.again);
    } catch (error) {
      logger.warn(
        { event: "notifications.kick_failed", err: error },
        "dispatch after commit failed; the cron job retries",
      );
    } finally {
      state.running = false;
    }
  })();
}

/** Tests: turn the after-commit dispatch off (the default in integration tests) or on. */
export function setAutoDispatch(enabled: boolean): void {
  kickState().enabled = enabled;
}

onOutboxCommitted(kickDispatch);
