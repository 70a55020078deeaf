import "server-only";
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { rejectControlCharacters, validationError } from "@/lib/http";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { notifications, webhookEvents } from "@/server/db/schema";
import { constantTimeEqual } from "@/server/security/cron-guard";
import { isSuppressed, suppress } from "./suppression";
import { isUuid } from "@/lib/uuid";

/**
 * Bounces and complaints from the email provider (POST /api/webhooks/email). Two body forms, one secret:
 *
 *   generic   {"type":"bounce"|"complaint", "email":"…", "messageId"?:"…", "reason"?:"…", "bounceType"?:"hard"|"soft",
 *              "id"?:"sender's event id"}   (no other fields; bounceType defaults to hard and only goes with bounce)
 *   postmark  Postmark's Bounce and SpamComplaint webhooks (RecordType "Bounce" | "SpamComplaint"); other record
 *              types (Delivery, Open, Click, SubscriptionChange) are acknowledged and ignored.
 *
 * Authentication: `Authorization: Bearer <EMAIL_WEBHOOK_SECRET>`, or HTTP Basic with the secret as the password
 * (Postmark: put it in the webhook's "Basic auth" fields, any user name). Constant-time compare. Without the secret
 * configured the endpoint answers 500 config_missing: it is never open.
 *
 * Effect, in one transaction with an inbox row (webhook_events, provider "email" or "postmark"):
 *   hard bounce / complaint  → the notification (found by id or provider message id) becomes `bounced` with the reason
 *                              in last_error, and the address is suppressed (even when no notification matches).
 *   soft bounce              → the reason is recorded in last_error; the address is not suppressed.
 * Idempotent: a repeat (same event or same effect) changes nothing and reports `duplicate: true`.
 */

export const MAX_WEBHOOK_BYTES = 256 * 1024;
const WEBHOOK_ACTOR: Actor = { kind: "system", name: "email-webhook" };

export type FeedbackType = "hard_bounce" | "soft_bounce" | "complaint";
export type FeedbackProvider = "email" | "postmark";

/** One bounce or complaint, whatever form it came in. */
export type EmailFeedback = {
  provider: FeedbackProvider;
  /** Inbox key: the provider's event id, or a digest of the event. */
  eventId: string;
  type: FeedbackType;
  /** Lower-cased. */
  email: string;
  /** Our notification id, our Message-ID (`<id@domain>`), or the provider's message id. */
  messageId?: string;
  /** A notification id the provider echoed back as metadata (Postmark `Metadata.notification_id`). */
  notificationId?: string;
  reason?: string;
  /** The provider's own classification (e.g. Postmark "HardBounce"). */
  providerType?: string;
  /** What is stored in the inbox (bounce dumps and message content left out). */
  payload: Record<string, unknown>;
};

export type FeedbackOutcome = "bounced" | "complained" | "soft_bounce" | "unknown" | "ignored";

export type FeedbackResult = {
  provider: FeedbackProvider;
  eventId: string | null;
  type: FeedbackType | null;
  outcome: FeedbackOutcome;
  notificationId: string | null;
  /** Whether the address is on the suppression list after this event. */
  suppressed: boolean;
  /** Nothing changed: this event (or one with the same effect) was already recorded. */
  duplicate: boolean;
};

// --- authentication ----------------------------------------------------------------------------------------------

/** Throws config_missing (no secret configured) or unauthorized (no or wrong credential). */
export function authorizeEmailWebhook(authorization: string | null): void {
  const secret = getEnv().EMAIL_WEBHOOK_SECRET;
  if (!secret) {
    throw new AppError("config_missing", undefined, { internalDetail: "EMAIL_WEBHOOK_SECRET is not set; /api/webhooks/email is disabled" });
  }
  const given = presentedSecret(authorization);
  if (given === undefined || !constantTimeEqual(given, secret)) {
    throw new AppError("unauthorized", "A valid webhook credential is required (Bearer token, or Basic auth with the secret as password).");
  }
}

function presentedSecret(header: string | null): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

// --- parsing -----------------------------------------------------------------------------------------------------

const genericSchema = z
  .strictObject({
    id: z.string().trim().min(1).max(200).optional(),
    type: z.enum(["bounce", "complaint"]),
    bounceType: z.enum(["hard", "soft"]).optional(),
    email: z.string().trim().max(320).pipe(z.email()),
    messageId: z.string().trim().min(1).max(500).optional(),
    reason: z.string().max(2000).optional(),
  })
  .refine((b) => !(b.type === "complaint" && b.bounceType !== undefined), {
    path: ["bounceType"],
    message: "only goes with type bounce",
  });

const postmarkSchema = z.looseObject({
  RecordType: z.enum(["Bounce", "SpamComplaint"]),
  ID: z.union([z.number().int(), z.string().min(1).max(200)]).optional(),
  Type: z.string().min(1).max(100),
  TypeCode: z.number().int().optional(),
  Name: z.string().max(200).optional().nullable(),
  MessageID: z.string().max(500).optional().nullable(),
  MessageStream: z.string().max(200).optional().nullable(),
  Email: z.string().trim().max(320).pipe(z.email()),
  Description: z.string().max(5000).optional().nullable(),
  Details: z.string().max(20000).optional().nullable(),
  Inactive: z.boolean().optional().nullable(),
  BouncedAt: z.string().max(100).optional().nullable(),
  Tag: z.string().max(1000).optional().nullable(),
  Metadata: z.record(z.string(), z.unknown()).optional().nullable(),
});

/** Postmark bounce types that mean the address is gone for good (hard) or the recipient objected (complaint). */
const POSTMARK_HARD = new Set(["HardBounce", "BadEmailAddress", "ManuallyDeactivated"]);
const POSTMARK_COMPLAINT = new Set(["SpamComplaint", "Unsubscribe"]);

export type ParsedWebhook = { kind: "feedback"; feedback: EmailFeedback } | { kind: "ignored"; provider: FeedbackProvider; recordType: string };

/** Parses a raw body: 400 malformed_json when it is not JSON, 422 validation_failed when it is not a known form. */
export function parseEmailWebhook(raw: string): ParsedWebhook {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("validation_failed", "body: expected a JSON object", { errors: [{ path: "body", message: "expected a JSON object" }] });
  }
  // The payload is stored as jsonb, which refuses \u0000: the wrapper's rule for parsed bodies, applied to this raw one.
  rejectControlCharacters(body, "body");
  if ("RecordType" in body) {
    const recordType = (body as { RecordType: unknown }).RecordType;
    if (typeof recordType === "string" && recordType !== "Bounce" && recordType !== "SpamComplaint") {
      return { kind: "ignored", provider: "postmark", recordType };
    }
    const parsed = postmarkSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error, "body");
    return { kind: "feedback", feedback: fromPostmark(parsed.data) };
  }
  const parsed = genericSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error, "body");
  return { kind: "feedback", feedback: fromGeneric(parsed.data) };
}

function fromGeneric(b: z.infer<typeof genericSchema>): EmailFeedback {
  const type: FeedbackType = b.type === "complaint" ? "complaint" : b.bounceType === "soft" ? "soft_bounce" : "hard_bounce";
  const email = b.email.toLowerCase();
  const payload = { ...b, email };
  return {
    provider: "email",
    // Without the sender's id, one event is one (type, address, message): a redelivery with other wording is the same.
    eventId: b.id ?? digest([type, email, b.messageId ?? ""]),
    type,
    email,
    messageId: b.messageId,
    reason: b.reason,
    payload,
  };
}

function fromPostmark(b: z.infer<typeof postmarkSchema>): EmailFeedback {
  const complaint = b.RecordType === "SpamComplaint" || POSTMARK_COMPLAINT.has(b.Type);
  const hard = !complaint && (POSTMARK_HARD.has(b.Type) || b.Inactive === true);
  const type: FeedbackType = complaint ? "complaint" : hard ? "hard_bounce" : "soft_bounce";
  const email = b.Email.toLowerCase();
  const metadataId = b.Metadata?.notification_id ?? b.Metadata?.notificationId;
  const reason = [b.Type, b.Description, b.Details].filter((s): s is string => typeof s === "string" && s.trim() !== "").join(": ");
  const messageId = b.MessageID?.trim() || undefined;
  return {
    provider: "postmark",
    eventId: b.ID !== undefined ? String(b.ID) : digest([b.RecordType, b.Type, email, messageId ?? "", b.BouncedAt ?? ""]),
    type,
    email,
    messageId,
    notificationId: typeof metadataId === "string" ? metadataId : undefined,
    reason: reason || undefined,
    providerType: b.Type,
    // The bounce dump (Content) can quote the original message, links and tokens included: never stored.
    payload: {
      RecordType: b.RecordType,
      ID: b.ID,
      Type: b.Type,
      TypeCode: b.TypeCode,
      MessageID: messageId,
      MessageStream: b.MessageStream,
      Email: email,
      Description: b.Description,
      Details: b.Details?.slice(0, 2000),
      Inactive: b.Inactive,
      BouncedAt: b.BouncedAt,
      Metadata: b.Metadata,
    },
  };
}

function digest(parts: string[]): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(parts)).digest("hex")}`;
}

// --- processing --------------------------------------------------------------------------------------------------

/** Authenticates, parses and records one webhook delivery (the route's only call). */
export async function ingestEmailWebhook(input: { raw: string; authorization: string | null; requestId?: string }): Promise<FeedbackResult> {
  authorizeEmailWebhook(input.authorization);
  if (Buffer.byteLength(input.raw) > MAX_WEBHOOK_BYTES) {
    throw new AppError("payload_too_large", `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);
  }
  const parsed = parseEmailWebhook(input.raw);
  if (parsed.kind === "ignored") {
    logger.info({ event: "email.webhook", provider: parsed.provider, recordType: parsed.recordType, outcome: "ignored", requestId: input.requestId }, "email webhook ignored");
    return { provider: parsed.provider, eventId: null, type: null, outcome: "ignored", notificationId: null, suppressed: false, duplicate: false };
  }
  return recordEmailFeedback(parsed.feedback, { requestId: input.requestId });
}

type NotificationRow = { id: string; status: string; recipient: string; last_error: string | null };

/** Applies one bounce or complaint in one transaction with its inbox row. Safe to repeat and to run concurrently. */
export async function recordEmailFeedback(feedback: EmailFeedback, options: { requestId?: string } = {}): Promise<FeedbackResult> {
  const { requestId } = options;
  const result = await asService(async (tx) => {
    const now = clock.now();
    // The inbox row first: a concurrent delivery of the same event waits here until this one commits.
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`insert into webhook_events (provider, event_id, type, payload, status, attempts, request_id, received_at, processed_at)
          values (${feedback.provider}, ${feedback.eventId}, ${feedback.type}, ${JSON.stringify(feedback.payload)}::jsonb,
                  'processed', 1, ${requestId ?? null}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
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
          await tx.update(notifications).set({ lastError: reasonText, updatedAt: now }).where(eq(notifications.id, notification.id));
          changed = true;
        }
      } else if (notification.status !== "bounced") {
        await tx.update(notifications).set({ status: "bounced", lastError: reasonText, updatedAt: now }).where(eq(notifications.id, notification.id));
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
 * messageId as our notification id, our Message-ID (`<id@domain>`, with or without brackets or the dry-run prefix),
 * or the provider message id stored at send time. Only a row addressed to the bounced address counts.
 */
async function findNotification(tx: Tx, feedback: EmailFeedback): Promise<NotificationRow | undefined> {
  const ids = new Set<string>();
  const providerIds = new Set<string>();
  if (feedback.notificationId && isUuid(feedback.notificationId)) ids.add(feedback.notificationId.toLowerCase());
  const m = feedback.messageId;
  if (m) {
    const bare = m.replace(/^dryrun-/, "").replace(/^<|>$/g, "");
    for (const v of [m, bare, `<${bare}>`, `dryrun-<${bare}>`]) providerIds.add(v);
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
    const [row] = await select(sql`n.id in (${sql.join([...ids].map((v) => sql`${v}::uuid`), sql`, `)})`);
    if (row) return row;
  }
  if (providerIds.size > 0) {
    const [row] = await select(sql`n.provider_message_id in (${sql.join([...providerIds].map((v) => sql`${v}`), sql`, `)})`);
    if (row) return row;
  }
  return undefined;
}

function describeFeedback(feedback: EmailFeedback): string {
  const label = feedback.type === "complaint" ? "complaint" : feedback.type === "hard_bounce" ? "hard bounce" : "soft bounce";
  return `${label}${feedback.reason ? `: ${feedback.reason}` : ""}`.slice(0, 500);
}
