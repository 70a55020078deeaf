import "server-only";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { DeliveryResult, SmsChannel } from "../types";
import { prepareSms, SmsSendError, type SmsMessage } from "./message";
import { maskPhone } from "./phone";

/**
 * The SMS channel of the embedded default: validates exactly as the Twilio channel does, then keeps the message
 * instead of sending it — `${DATA_DIR}/outbox/sms-<id>.txt` (recipient, kind, size, body) and one structured log line
 * `sms.dry_run` with the recipient masked and no body. The dispatcher stores `rendered` (the body) on the row.
 */
export type DryRunSmsOptions = {
  /** Directory the files go to; default `${DATA_DIR}/outbox`. */
  outboxDir?: string;
};

export function createDryRunSmsChannel(options: DryRunSmsOptions = {}): SmsChannel {
  return {
    mode: "dry_run",
    async send(message: SmsMessage): Promise<DeliveryResult> {
      const sms = prepareSms(message);
      const dir = options.outboxDir ?? path.join(getEnv().DATA_DIR, "outbox");
      const file = path.join(dir, `sms-${safeFileId(sms.id)}.txt`);
      const requestId = currentRequestId();
      const content = [
        `To: ${sms.to}`,
        `Kind: ${sms.kind ?? "unknown"}`,
        `Date: ${clock.now().toISOString()}`,
        `Encoding: ${sms.segments.encoding}`,
        `Length: ${sms.body.length}`,
        `Segments: ${sms.segments.segments}`,
        // Twilio has no per-message metadata; the dry-run record names the request that caused the text.
        ...(requestId ? [`Request-Id: ${requestId}`] : []),
        "",
        sms.body,
        "",
      ].join("\n");
      await mkdir(dir, { recursive: true });
      await writeFile(file, content, "utf8");
      const providerMessageId = `dryrun-sms-${sms.id}`;
      logger.info(
        {
          event: "sms.dry_run",
          notificationId: sms.id,
          to: maskPhone(sms.to),
          ...(sms.kind ? { kind: sms.kind } : {}),
          length: sms.body.length,
          segments: sms.segments.segments,
          encoding: sms.segments.encoding,
          file,
          providerMessageId,
        },
        "sms recorded (dry run)",
      );
      return { providerMessageId, rendered: sms.body };
    },
  };
}

/** Notification ids are UUIDs; anything else must not be able to climb out of the outbox directory. */
function safeFileId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id))
    throw new SmsSendError("The SMS id must be 1-100 characters of [A-Za-z0-9_-].", { permanent: true });
  return id;
}
