import "server-only";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import { clock } from "@/lib/clock";
import { currentRequestId } from "@/lib/correlation";
import { getConfig } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { DeliveryResult, OutgoingEmail } from "./types";
import { processSlot } from "@/lib/process-global";

/**
 * The one email path: nodemailer builds the MIME message (MailComposer), and the same bytes go either to SMTP
 * (`SMTP_URL`, or SMTP_HOST/PORT/USER/PASSWORD with TLS) or, in dry run, through nodemailer's stream transport: the
 * message is returned, stored on the notification row, written to `<DATA_DIR>/outbox/<id>.eml` and logged as one
 * structured line without body or links. So a dry-run message is exactly what SMTP would have been sent.
 */

const DEFAULT_FROM = "slotbook <no-reply@slotbook.localhost>";

export function emailFrom(): string {
  return getConfig().env.EMAIL_FROM ?? DEFAULT_FROM;
}

/**
 * `context.redact`: secrets in the message (the guest's manage token) that the copy kept on the notification row must
 * not contain; the row stores the message as sent with each one replaced by "[redacted]". The dry-run `.eml` file
 * (a local development file) keeps the message exactly as built.
 */
export async function sendEmail(
  message: OutgoingEmail,
  context: { kind: string; locale: string; redact?: string[] },
): Promise<DeliveryResult> {
  const { env, modes } = getConfig();
  const domain = /@([^>\s]+)>?\s*$/.exec(message.from)?.[1] ?? "slotbook.localhost";
  const messageId = `<${message.id}@${domain}>`;
  const date = clock.now();
  const requestId = currentRequestId();
  const build = (scrub: (text: string) => string) =>
    compose({
      from: message.from,
      to: message.to,
      subject: message.subject,
      text: scrub(message.text),
      html: scrub(message.html),
      attachments: message.attachments.map((a) => ({
        filename: a.filename,
        content: scrub(a.content),
        contentType: a.contentType,
      })),
      // The request (or job run) that caused the message, so a forwarded email leads to its log lines and rows.
      headers: { ...message.headers, ...(requestId ? { "X-Request-Id": requestId } : {}) },
      messageId,
      date,
      // Fixed boundaries: the stored copy differs from the sent message only where secrets were redacted.
      baseBoundary: message.id.replace(/-/g, ""),
    });
  // Six characters at least (a one-time code): shorter strings would blank out ordinary text.
  const secrets = (context.redact ?? []).filter((s) => s.length >= 6);
  const raw = await build((text) => text);
  const stored =
    secrets.length === 0
      ? raw
      : await build((text) => secrets.reduce((t, secret) => t.split(secret).join("[redacted]"), text));
  const envelope = { from: addressOf(message.from), to: [message.to] };

  if (modes.email === "dry_run") {
    const info = await dryRunTransport().sendMail({ envelope, raw });
    const file = path.resolve(env.DATA_DIR, "outbox", `${message.id}.eml`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, info.message as Buffer);
    logger.info(
      {
        event: "email.dry_run",
        notificationId: message.id,
        to: message.to,
        subject: message.subject,
        template: context.kind,
        locale: context.locale,
        file,
      },
      "email built (dry run, not sent)",
    );
    return { providerMessageId: messageId, rendered: stored.toString("utf8") };
  }

  const info = await smtpTransport().sendMail({ envelope, raw });
  logger.info(
    {
      event: "email.sent",
      notificationId: message.id,
      to: message.to,
      template: context.kind,
      locale: context.locale,
      response: info.response,
    },
    "email sent",
  );
  // The Message-ID we set is what bounces and replies refer to (nodemailer reports its own for raw messages); both
  // transports store it as the provider id, so a stored row looks the same whichever one sent it.
  return { providerMessageId: messageId, rendered: stored.toString("utf8") };
}

/** MailComposer honours `baseBoundary` (nodemailer/lib/mime-node), which its type declarations leave out. */
type ComposeOptions = ConstructorParameters<typeof MailComposer>[0] & { baseBoundary?: string };

function compose(mail: ComposeOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new MailComposer(mail).compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

type Cache = { key: string; smtp?: Transporter; dryRun?: Transporter };
const transports = processSlot<Cache>("emailTransports");

function cache(): Cache {
  const { env } = getConfig();
  const key = [env.SMTP_URL, env.SMTP_HOST, env.SMTP_PORT, env.SMTP_USER, env.SMTP_SECURE].join("|");
  const current = transports.get();
  if (current?.key === key) return current;
  current?.smtp?.close();
  const next: Cache = { key };
  transports.set(next);
  return next;
}

function dryRunTransport(): Transporter {
  const c = cache();
  c.dryRun ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return c.dryRun;
}

function smtpTransport(): Transporter {
  const c = cache();
  if (!c.smtp) {
    const { env } = getConfig();
    const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
    c.smtp = env.SMTP_URL
      ? nodemailer.createTransport(env.SMTP_URL, timeouts)
      : nodemailer.createTransport({
          host: env.SMTP_HOST,
          port: env.SMTP_PORT,
          secure: env.SMTP_SECURE ?? env.SMTP_PORT === 465,
          auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? "" } : undefined,
          ...timeouts,
        });
  }
  return c.smtp;
}
