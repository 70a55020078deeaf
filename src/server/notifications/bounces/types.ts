import "server-only";
import type { Actor } from "@/server/audit";

export const MAX_WEBHOOK_BYTES = 256 * 1024;
export const WEBHOOK_ACTOR: Actor = { kind: "system", name: "email-webhook" };

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
