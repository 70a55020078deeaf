import "server-only";
import { and, desc, eq, gte, ilike, inArray, like, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import {
  blank,
  containsPattern,
  csvList,
  dateRangeFields,
  escapeLike,
  pageFields,
  rangeBounds,
  searchText,
} from "@/server/admin/list-query";
import { reasonField } from "@/lib/reason";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import type { AuthContext } from "@/server/auth/guard";
import { asUser, type Tx } from "@/server/db";
import { webhookEvents } from "@/server/db/schema";
import { processInboxEvent } from "@/server/payments/webhook";

/**
 * The webhook inbox (/manage/webhooks, GET /api/admin/webhooks): every stored provider event, read as the signed-in
 * staff member under Row Level Security, and a replay that runs a stored Stripe event through processInboxEvent,
 * the same path the webhook route and the reconcile job use. That path is idempotent (the inbox row lock and the
 * payment's own state decide), so replaying an event already processed changes nothing and reports "duplicate".
 */

export const webhookStatuses = ["received", "processed", "ignored", "failed"] as const;

export const webhookQuery = z.strictObject({
  provider: searchText(40),
  /** An event type, or a prefix ending in `*` (e.g. `checkout.session.*`). */
  type: searchText(100),
  status: blank(csvList(webhookStatuses).optional()),
  /** Part of the provider's event id. */
  q: searchText(200),
  ...dateRangeFields,
  ...pageFields,
});
export type WebhookQuery = z.infer<typeof webhookQuery>;

export const replayBody = z.strictObject({ reason: reasonField });

export type WebhookListRow = {
  id: string;
  provider: string;
  eventId: string;
  type: string;
  status: string;
  outcome: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
};

export type WebhookDetail = WebhookListRow & { requestId: string | null; payload: unknown };

/**
 * The list's columns through the query builder (also the staff reservation detail's webhook events): timestamps come
 * back as Date and integers as numbers on both drivers.
 */
export const webhookListColumns = {
  id: webhookEvents.id,
  provider: webhookEvents.provider,
  eventId: webhookEvents.eventId,
  type: webhookEvents.type,
  status: webhookEvents.status,
  outcome: webhookEvents.outcome,
  attempts: webhookEvents.attempts,
  lastError: webhookEvents.lastError,
  receivedAt: webhookEvents.receivedAt,
  processedAt: webhookEvents.processedAt,
};
type Row = Omit<typeof webhookEvents.$inferSelect, "payload" | "requestId">;

function listRow(r: Row): WebhookListRow {
  return { ...r, receivedAt: r.receivedAt.toISOString(), processedAt: r.processedAt?.toISOString() ?? null };
}

export async function searchWebhookEvents(
  auth: AuthContext,
  query: WebhookQuery,
): Promise<{ events: WebhookListRow[]; total: number; page: number; pageSize: number }> {
  const w = webhookEvents;
  const filters: SQL[] = [];
  if (query.provider) filters.push(eq(w.provider, query.provider));
  if (query.type?.endsWith("*")) filters.push(like(w.type, `${escapeLike(query.type.slice(0, -1))}%`));
  else if (query.type) filters.push(eq(w.type, query.type));
  if (query.status) filters.push(inArray(w.status, query.status));
  if (query.q) filters.push(ilike(w.eventId, containsPattern(query.q)));
  const { from, to } = rangeBounds(query, getEnv().BUSINESS_TIMEZONE);
  if (from) filters.push(gte(w.receivedAt, from));
  if (to) filters.push(lt(w.receivedAt, to));
  const where = and(...filters);

  return asUser(auth.claims, async (tx) => {
    // count(*) is a bigint: a string on postgres.js, a number on PGlite; mapWith(Number) makes it a number on both.
    const rows = await tx
      .select({ ...webhookListColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(w)
      .where(where)
      .orderBy(desc(w.receivedAt), desc(w.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    const total = rows[0]?.total ?? (query.page === 1 ? 0 : await tx.$count(w, where));
    return {
      events: rows.map(({ total: _total, ...r }) => listRow(r)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  });
}

async function readEvent(tx: Tx, id: string): Promise<WebhookDetail | undefined> {
  const [row] = await tx
    .select({ ...webhookListColumns, requestId: webhookEvents.requestId, payload: webhookEvents.payload })
    .from(webhookEvents)
    .where(eq(webhookEvents.id, id));
  if (!row) return undefined;
  const { requestId, payload, ...list } = row;
  return { ...listRow(list), requestId, payload };
}

export async function getWebhookEvent(auth: AuthContext, id: string): Promise<WebhookDetail> {
  const event = await asUser(auth.claims, (tx) => readEvent(tx, id));
  if (!event) throw new AppError("not_found", "No such webhook event.");
  return event;
}

export type ReplayResult = {
  id: string;
  /** What processing decided this time: e.g. confirmed, duplicate (already processed), or failed. */
  outcome: string;
  duplicate: boolean;
  before: { status: string; outcome: string | null; attempts: number };
  after: { status: string; outcome: string | null; attempts: number; lastError: string | null };
};

/**
 * Replays one stored event and records who asked and why (webhook.replayed, before/after status). Processing runs in
 * its own transactions (it calls the gateway between them, as a delivery does), so the audit row follows it and
 * records the state it left, including a failure: a replay that fails is reported with the error, not hidden.
 */
export async function replayWebhookEvent(input: {
  auth: AuthContext;
  actor: Actor;
  id: string;
  reason: string;
  requestId: string;
}): Promise<ReplayResult> {
  const before = await asUser(input.auth.claims, async (tx) => {
    const event = await readEvent(tx, input.id);
    if (!event) throw new AppError("not_found", "No such webhook event.");
    if (event.provider !== "stripe") {
      throw new AppError(
        "invalid_state",
        "Only Stripe events are replayed; email feedback is applied when it arrives.",
      );
    }
    // On record before anything runs: if the process dies mid-replay, who asked for it and why is still in the log.
    await writeAudit(tx, {
      actor: input.actor,
      action: "webhook.replay_requested",
      entityType: "webhook_event",
      entityId: input.id,
      before: { status: event.status, outcome: event.outcome, attempts: event.attempts },
      reason: input.reason,
      requestId: input.requestId,
    });
    return event;
  });

  let outcome: string;
  let duplicate = false;
  try {
    const result = await processInboxEvent(input.id, input.requestId);
    outcome = result.outcome;
    duplicate = result.duplicate;
  } catch (error) {
    // processInboxEvent has already stored the failure on the row (status failed, last_error); report it.
    logger.warn(
      { event: "webhook.replay_failed", inboxId: input.id, requestId: input.requestId, err: error },
      "webhook replay failed",
    );
    outcome = "failed";
  }

  return asUser(input.auth.claims, async (tx) => {
    const after = await readEvent(tx, input.id);
    if (!after) throw new Error("webhook inbox row vanished during replay");
    const state = { status: before.status, outcome: before.outcome, attempts: before.attempts };
    const now = { status: after.status, outcome: after.outcome, attempts: after.attempts, lastError: after.lastError };
    await writeAudit(tx, {
      actor: input.actor,
      action: "webhook.replayed",
      entityType: "webhook_event",
      entityId: input.id,
      before: state,
      after: { ...now, result: outcome, eventId: after.eventId, type: after.type },
      reason: input.reason,
      requestId: input.requestId,
    });
    return { id: input.id, outcome, duplicate, before: state, after: now };
  });
}
