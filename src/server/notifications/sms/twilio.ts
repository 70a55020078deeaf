import "server-only";
import twilio from "twilio";
import { logger } from "@/lib/logger";
import type { DeliveryResult, SmsChannel } from "../types";
import { prepareSms, SmsSendError, type SmsMessage } from "./message";
import { maskPhone } from "./phone";

/**
 * SMS through Twilio's Programmable Messaging API with the official `twilio` SDK:
 * `client.messages.create({ to, from | messagingServiceSid, body })`; the message SID is the provider message id.
 *
 * Errors become SmsSendError: 400 answers (invalid / unsubscribed / non-mobile number, refused body) are permanent;
 * 401/403 (credentials), 429, 5xx and network failures are transient, so the dispatcher retries with backoff.
 * Neither the body nor the full number ever reaches a log line or an error message.
 */

export type TwilioSmsOptions = {
  accountSid: string;
  authToken: string;
  /** Sender: an E.164 number, or a Messaging Service SID (MG…) to send through a Messaging Service. */
  from: string;
  /** The SDK's HTTP client (default: a RequestClient with TWILIO_HTTP_OPTIONS; tests pass a subclass pointed at a stand-in). */
  httpClient?: twilio.RequestClient;
  /** Replaces the whole SDK client (anything with `messages.create`). */
  client?: TwilioMessagesClient;
};

export type TwilioCreateParams = { to: string; body: string; from?: string; messagingServiceSid?: string };

/** The one SDK call the channel makes; the real `twilio(...)` client satisfies it. */
export type TwilioMessagesClient = {
  messages: { create(params: TwilioCreateParams): Promise<{ sid: string; status?: string }> };
};

/**
 * The SDK's HTTP client settings: a 15 s timeout, and 429 answers retried inside the SDK (jittered backoff, at most
 * twice); every other failure is left to the dispatcher's retry with backoff.
 */
export const TWILIO_HTTP_OPTIONS = { timeout: 15_000, autoRetry: true, maxRetries: 2 } as const;

export function createTwilioSmsChannel(options: TwilioSmsOptions): SmsChannel {
  const client: TwilioMessagesClient =
    options.client ??
    twilio(options.accountSid, options.authToken, {
      httpClient: options.httpClient ?? new twilio.RequestClient(TWILIO_HTTP_OPTIONS),
    });
  const sender = options.from.startsWith("MG") ? { messagingServiceSid: options.from } : { from: options.from };

  return {
    mode: "twilio",
    async send(message: SmsMessage): Promise<DeliveryResult> {
      const sms = prepareSms(message);
      let created: { sid: string; status?: string };
      try {
        created = await client.messages.create({ to: sms.to, body: sms.body, ...sender });
      } catch (error) {
        const failure = toSmsSendError(error);
        logger.warn(
          {
            event: "sms.send_failed",
            notificationId: sms.id,
            to: maskPhone(sms.to),
            ...(sms.kind ? { kind: sms.kind } : {}),
            permanent: failure.permanent,
            providerCode: failure.providerCode,
            httpStatus: failure.httpStatus,
            error: failure.message,
          },
          "twilio refused or could not take the message",
        );
        throw failure;
      }
      if (!created?.sid) throw new SmsSendError("Twilio answered without a message SID.", { permanent: false });
      logger.info(
        {
          event: "sms.sent",
          notificationId: sms.id,
          to: maskPhone(sms.to),
          ...(sms.kind ? { kind: sms.kind } : {}),
          length: sms.body.length,
          segments: sms.segments.segments,
          providerMessageId: created.sid,
          providerStatus: created.status,
        },
        "sms handed to twilio",
      );
      return { providerMessageId: created.sid, rendered: sms.body };
    },
  };
}

/**
 * Maps what the SDK throws (RestException for API answers, axios errors for the network) to SmsSendError. The
 * original is deliberately not kept as `cause`: an axios error carries the request config (Basic auth header with
 * the auth token) and Twilio's messages quote the full number, and a logger serialising the cause would print both.
 */
export function toSmsSendError(error: unknown): SmsSendError {
  if (error instanceof SmsSendError) return error;
  if (error instanceof twilio.RestException || isRestExceptionLike(error)) {
    const e = error as { status: number; code?: number; message?: string };
    const permanent = e.status === 400 || e.status === 404 || e.status === 413 || e.status === 422;
    return new SmsSendError(
      `Twilio ${e.status}${e.code ? ` (error ${e.code})` : ""}: ${e.message ?? "request failed"}`,
      {
        permanent,
        providerCode: e.code,
        httpStatus: e.status,
      },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return new SmsSendError(`Twilio unreachable${typeof code === "string" ? ` (${code})` : ""}: ${detail}`, {
    permanent: false,
  });
}

function isRestExceptionLike(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { name?: unknown }).name === "RestException" &&
    typeof (error as { status?: unknown }).status === "number"
  );
}
