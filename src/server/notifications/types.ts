import type { NotificationKind } from "./outbox";

/**
 * The contracts between the notification dispatcher (dispatch.ts), the templates (templates/) and the channels
 * (email.ts, sms/). The dispatcher loads a row and its reservation, builds a TemplateInput, renders it for the row's
 * channel and hands the result to that channel.
 */

export type Locale = "ja" | "en";

/** What a template may show about the reservation (already in the customer's language where it matters). */
export type TemplateReservation = {
  id: string;
  code: string;
  status: string;
  serviceName: string;
  /** ISO instants; templates format them in `timeZone` in the locale's style (e.g. 2026年11月24日(火) 14:00). */
  startsAt: string;
  endsAt: string;
  quantity: number;
  amount: { amount: number; currency: string };
  customerName: string;
  holdExpiresAt: string | null;
};

export type TemplateInput = {
  kind: NotificationKind;
  locale: Locale;
  timeZone: string;
  businessName: string;
  /** Null for messages not about a reservation (sign-in link, some staff alerts). */
  reservation: TemplateReservation | null;
  /** Absolute URLs built from APP_BASE_URL (never from a request's Host header). */
  links: { manage?: string; pay?: string; signIn?: string; site: string };
  /** The outbox row's payload (e.g. refund amount, decline code, staff alert message). */
  payload: Record<string, unknown>;
};

export type EmailAttachment = { filename: string; content: string; contentType: string };

export type RenderedEmail = { subject: string; html: string; text: string; attachments: EmailAttachment[] };

export type OutgoingEmail = RenderedEmail & {
  /** The notification id: used for the Message-ID, so a retry of the same row is recognisably the same message. */
  id: string;
  to: string;
  from: string;
  headers?: Record<string, string>;
};

export type OutgoingSms = { id: string; to: string; body: string; kind?: string };

/** What a channel reports for one delivered message. `rendered` is stored on the row (full MIME for email). */
export type DeliveryResult = { providerMessageId: string; rendered: string };

export interface SmsChannel {
  readonly mode: "twilio" | "dry_run";
  send(message: OutgoingSms): Promise<DeliveryResult>;
}
