import "server-only";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { authorizeEmailWebhook } from "./authorize";
import { parseEmailWebhook } from "./parse";
import { recordEmailFeedback } from "./record";
import { MAX_WEBHOOK_BYTES, type FeedbackResult } from "./types";

export { authorizeEmailWebhook } from "./authorize";
export { parseEmailWebhook, type ParsedWebhook } from "./parse";
export { recordEmailFeedback } from "./record";
export * from "./types";

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
 *
 * One module a verb: authorize.ts (the secret), parse.ts (the two body forms), record.ts (the transaction), types.ts.
 */

/** Authenticates, parses and records one webhook delivery (the route's only call). */
export async function ingestEmailWebhook(input: {
  raw: string;
  authorization: string | null;
  requestId?: string;
}): Promise<FeedbackResult> {
  authorizeEmailWebhook(input.authorization);
  if (Buffer.byteLength(input.raw) > MAX_WEBHOOK_BYTES) {
    throw new AppError("payload_too_large", `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);
  }
  const parsed = parseEmailWebhook(input.raw);
  if (parsed.kind === "ignored") {
    logger.info(
      {
        event: "email.webhook",
        provider: parsed.provider,
        recordType: parsed.recordType,
        outcome: "ignored",
        requestId: input.requestId,
      },
      "email webhook ignored",
    );
    return {
      provider: parsed.provider,
      eventId: null,
      type: null,
      outcome: "ignored",
      notificationId: null,
      suppressed: false,
      duplicate: false,
    };
  }
  return recordEmailFeedback(parsed.feedback, { requestId: input.requestId });
}
