// Long on purpose: one /manage screen's read model: its query schema, list, detail and resend,
// which share the filters and the row shape.
import "server-only";
import { and, desc, eq, gte, ilike, inArray, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import {
  blank,
  containsPattern,
  csvList,
  dateRangeFields,
  pageFields,
  rangeBounds,
  searchText,
} from "@/server/admin/list-query";
import { reasonField } from "@/lib/reason";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/audit";
import type { AuthContext } from "@/server/auth/guard";
import { asUser } from "@/server/db";
import { notificationStatuses, notifications, reservations } from "@/server/db/schema";
import { notificationKinds } from "@/server/notifications/outbox";
import { resendNotification } from "@/server/notifications/resend";

/**
 * The notifications log (/manage/notifications, GET /api/admin/notifications): every outbox row, filtered and paged,
 * read as the signed-in staff member under Row Level Security; one row's detail with the message as it went out
 * (the stored dry-run / sent copy, secrets already redacted by the dispatcher); and a resend with a reason.
 */

export const notificationQuery = z.strictObject({
  status: blank(csvList(notificationStatuses).optional()),
  channel: blank(z.enum(["email", "sms"]).optional()),
  kind: blank(z.enum(notificationKinds).optional()),
  /** Part of the recipient's address or number. */
  q: searchText(200),
  reservationId: blank(z.uuid().optional()),
  ...dateRangeFields,
  ...pageFields,
});
export type NotificationQuery = z.infer<typeof notificationQuery>;

export const resendBody = z.strictObject({ reason: reasonField });

export type NotificationListRow = {
  id: string;
  kind: string;
  channel: string;
  status: string;
  recipient: string;
  attempts: number;
  lastError: string | null;
  reservation: { id: string; code: string } | null;
  createdAt: string;
  sentAt: string | null;
};

export type NotificationDetail = NotificationListRow & {
  locale: string;
  revision: number;
  nextAttemptAt: string;
  providerMessageId: string | null;
  requestId: string | null;
  payload: Record<string, unknown>;
  /** The stored message, parsed: email headers + text + HTML (shown in a sandboxed frame), or an SMS body. */
  message: ParsedMessage | null;
  resendOf: string | null;
  resends: { id: string; status: string; createdAt: string }[];
};

/** The list's columns through the query builder: timestamps come back as Date and integers as numbers on both drivers. */
const listColumns = {
  id: notifications.id,
  kind: notifications.kind,
  channel: notifications.channel,
  status: notifications.status,
  recipient: notifications.recipient,
  attempts: notifications.attempts,
  lastError: notifications.lastError,
  reservationId: notifications.reservationId,
  code: reservations.code,
  createdAt: notifications.createdAt,
  sentAt: notifications.sentAt,
};
type Row = Pick<
  typeof notifications.$inferSelect,
  | "id"
  | "kind"
  | "channel"
  | "status"
  | "recipient"
  | "attempts"
  | "lastError"
  | "reservationId"
  | "createdAt"
  | "sentAt"
> & {
  code: string | null;
};

function listRow(r: Row): NotificationListRow {
  return {
    id: r.id,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    recipient: r.recipient,
    attempts: r.attempts,
    lastError: r.lastError,
    reservation: r.reservationId && r.code ? { id: r.reservationId, code: r.code } : null,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  };
}

export async function searchNotifications(
  auth: AuthContext,
  query: NotificationQuery,
): Promise<{ notifications: NotificationListRow[]; total: number; page: number; pageSize: number }> {
  const n = notifications;
  const filters: SQL[] = [];
  if (query.status) filters.push(inArray(n.status, query.status));
  if (query.channel) filters.push(eq(n.channel, query.channel));
  if (query.kind) filters.push(eq(n.kind, query.kind));
  if (query.q) filters.push(ilike(n.recipient, containsPattern(query.q)));
  if (query.reservationId) filters.push(eq(n.reservationId, query.reservationId));
  const { from, to } = rangeBounds(query, getEnv().BUSINESS_TIMEZONE);
  if (from) filters.push(gte(n.createdAt, from));
  if (to) filters.push(lt(n.createdAt, to));
  const where = and(...filters);

  return asUser(auth.claims, async (tx) => {
    // count(*) is a bigint: a string on postgres.js, a number on PGlite; mapWith(Number) makes it a number on both.
    const rows = await tx
      .select({ ...listColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(n)
      .leftJoin(reservations, eq(reservations.id, n.reservationId))
      .where(where)
      .orderBy(desc(n.createdAt), desc(n.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    // A page past the end has no row to carry the window count.
    const total = rows[0]?.total ?? (query.page === 1 ? 0 : await tx.$count(n, where));
    return {
      notifications: rows.map(({ total: _total, ...r }) => listRow(r)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  });
}

/** Payload values that are credentials: links with a token, and a sign-in row's one-time code. Never shown. */
const isSecret = (kind: string, key: string) =>
  ["signInUrl", "token", "manageUrl"].includes(key) || (kind === "sign_in_link" && key === "code");

export async function getNotification(auth: AuthContext, id: string): Promise<NotificationDetail> {
  return asUser(auth.claims, async (tx) => {
    const [found] = await tx
      .select({ n: notifications, code: reservations.code })
      .from(notifications)
      .leftJoin(reservations, eq(reservations.id, notifications.reservationId))
      .where(eq(notifications.id, id));
    if (!found) throw new AppError("not_found", "No such notification.");
    const row = { ...found.n, code: found.code };
    const resends = await tx
      .select({ id: notifications.id, status: notifications.status, createdAt: notifications.createdAt })
      .from(notifications)
      .where(sql`${notifications.payload} ->> 'resendOf' = ${id}`)
      .orderBy(notifications.createdAt, notifications.id);
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    return {
      ...listRow(row),
      locale: row.locale,
      revision: row.revision,
      nextAttemptAt: row.nextAttemptAt.toISOString(),
      providerMessageId: row.providerMessageId,
      requestId: row.requestId,
      payload: Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, isSecret(row.kind, k) ? "[redacted]" : v]),
      ),
      message: row.renderedMessage
        ? row.channel === "email"
          ? parseMime(row.renderedMessage)
          : { text: row.renderedMessage, attachments: [] }
        : null,
      resendOf: typeof payload.resendOf === "string" ? payload.resendOf : null,
      resends: resends.map((r) => ({ id: r.id, status: r.status, createdAt: r.createdAt.toISOString() })),
    };
  });
}

/**
 * Staff resend from the log: the row must be visible to the caller (RLS), then the notifications module's own verb
 * writes a new outbox row and the audit row (notification.resent, with the reason) in one transaction. A sign-in link
 * is a credential for its moment: the person asks for a new one instead.
 */
export async function resendFromLog(input: {
  auth: AuthContext;
  actor: Actor;
  notificationId: string;
  reason: string;
  requestId: string;
}): Promise<{ id: string }> {
  const [row] = await asUser(input.auth.claims, (tx) =>
    tx.select({ kind: notifications.kind }).from(notifications).where(eq(notifications.id, input.notificationId)),
  );
  if (!row) throw new AppError("not_found", "No such notification.");
  if (row.kind === "sign_in_link") {
    throw new AppError(
      "invalid_state",
      "A sign-in link is not resent; the person asks for a new one on the sign-in page.",
    );
  }
  return resendNotification({
    notificationId: input.notificationId,
    actor: input.actor,
    reason: input.reason,
    requestId: input.requestId,
  });
}

export type ParsedMessage = {
  headers?: { from?: string; to?: string; subject?: string; date?: string };
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string }[];
};

type MimePart = { headers: Map<string, string>; body: string };

/**
 * Reads the MIME message nodemailer built (the copy the dispatcher stored): headers with RFC 2047 words decoded,
 * the text and HTML alternatives (base64 or quoted-printable, UTF-8) and the attachments' names. Only for showing
 * staff what was sent; anything it does not understand is left out rather than guessed.
 */
export function parseMime(raw: string): ParsedMessage {
  const root = splitPart(raw);
  const out: ParsedMessage = {
    headers: {
      from: decodeWords(root.headers.get("from")),
      to: decodeWords(root.headers.get("to")),
      subject: decodeWords(root.headers.get("subject")),
      date: root.headers.get("date"),
    },
    attachments: [],
  };
  walk(root, out, 0);
  return out;
}

function splitPart(raw: string): MimePart {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : "";
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string | undefined, name: string): string | undefined {
  return header ? new RegExp(`;\\s*${name}="?([^";]+)"?`, "i").exec(header)?.[1] : undefined;
}

function walk(part: MimePart, out: ParsedMessage, depth: number): void {
  const type = part.headers.get("content-type") ?? "text/plain";
  const mediaType = type.split(";")[0]!.trim().toLowerCase();
  const boundary = param(type, "boundary");
  if (mediaType.startsWith("multipart/") && boundary && depth < 5) {
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith("--")) break;
      walk(splitPart(section.replace(/^\r?\n/, "")), out, depth + 1);
    }
    return;
  }
  const disposition = part.headers.get("content-disposition") ?? "";
  const filename = param(disposition, "filename") ?? param(type, "name");
  if (disposition.toLowerCase().startsWith("attachment") || filename) {
    out.attachments.push({ filename: decodeWords(filename) ?? "attachment", contentType: mediaType });
    return;
  }
  const content = decodeBody(part.body, part.headers.get("content-transfer-encoding"), param(type, "charset"));
  if (mediaType === "text/plain" && out.text === undefined) out.text = content;
  else if (mediaType === "text/html" && out.html === undefined) out.html = content;
}

function decodeBody(body: string, encoding: string | undefined, charset: string | undefined): string {
  const bytes = (() => {
    switch (encoding?.toLowerCase()) {
      case "base64":
        return Buffer.from(body.replace(/\s+/g, ""), "base64");
      case "quoted-printable":
        return quotedPrintable(body.replace(/=\r?\n/g, ""));
      default:
        return Buffer.from(body, "utf8");
    }
  })();
  return decoderFor(charset)
    .decode(bytes)
    .replace(/\r?\n$/, "");
}

function quotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function decoderFor(charset: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8");
  }
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=); the space between two adjacent words is dropped. */
function decodeWords(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, data: string) =>
      decoderFor(charset).decode(
        kind.toUpperCase() === "B" ? Buffer.from(data, "base64") : quotedPrintable(data.replace(/_/g, " ")),
      ),
    );
}
