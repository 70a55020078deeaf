import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { rejectControlCharacters, validationError } from "@/server/http/route";
import type { EmailFeedback, FeedbackProvider, FeedbackType } from "./types";

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

export type ParsedWebhook =
  { kind: "feedback"; feedback: EmailFeedback } | { kind: "ignored"; provider: FeedbackProvider; recordType: string };

/** Parses a raw body: 400 malformed_json when it is not JSON, 422 validation_failed when it is not a known form. */
export function parseEmailWebhook(raw: string): ParsedWebhook {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("validation_failed", "body: expected a JSON object", {
      errors: [{ path: "body", message: "expected a JSON object" }],
    });
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
  const type: FeedbackType =
    b.type === "complaint" ? "complaint" : b.bounceType === "soft" ? "soft_bounce" : "hard_bounce";
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
  const reason = [b.Type, b.Description, b.Details]
    .filter((s): s is string => typeof s === "string" && s.trim() !== "")
    .join(": ");
  const messageId = b.MessageID?.trim() || undefined;
  return {
    provider: "postmark",
    eventId:
      b.ID !== undefined ? String(b.ID) : digest([b.RecordType, b.Type, email, messageId ?? "", b.BouncedAt ?? ""]),
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
