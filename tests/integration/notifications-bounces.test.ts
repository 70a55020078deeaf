import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as postEmailWebhook } from "@/app/api/webhooks/email/route";
import { queryRows, type Db } from "@/server/db/client";
import { notifications } from "@/server/db/schema";
import { outboxValues } from "@/server/notifications/outbox";
import { findSuppression, isSuppressed, suppress, unsuppress } from "@/server/notifications/suppression";
import { asService } from "@/server/db";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

/** Issue 5, item 6: bounce and complaint webhooks, suppression list, and the staff "remove" verb. */

const SECRET = "email-webhook-secret-0123456789abcdef";
const PATH = "/api/webhooks/email";
const DOMAIN = "book.example.com";
const bearer = (secret = SECRET) => ({ authorization: `Bearer ${secret}` });
const basic = (password = SECRET, user = "postmark") => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

type WebhookAnswer = {
  received: true;
  provider: string;
  eventId: string | null;
  type: string | null;
  outcome: "bounced" | "complained" | "soft_bounce" | "unknown" | "ignored";
  notificationId: string | null;
  suppressed: boolean;
  duplicate: boolean;
};

type NotificationState = { status: string; last_error: string | null };
type SuppressionRow = {
  email: string;
  reason: string;
  source: string | null;
  notification_id: string | null;
  created_by: string | null;
};
type AuditRow = {
  action: string;
  actor_role: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  reason: string | null;
};

function post(json: unknown, headers: Record<string, string> = bearer()) {
  return callRoute(postEmailWebhook, PATH, { method: "POST", json, headers });
}

async function postOk(json: unknown, headers?: Record<string, string>): Promise<WebhookAnswer> {
  return expectJson<WebhookAnswer>(await post(json, headers));
}

/** A sent email notification, as the dispatcher leaves it (SMTP Message-ID as the provider message id). */
async function sentEmail(
  db: Db,
  recipient: string,
  providerMessageId?: string,
): Promise<{ id: string; providerMessageId: string }> {
  const id = randomUUID();
  const pmid = providerMessageId ?? `<${id}@${DOMAIN}>`;
  await db.insert(notifications).values({
    ...outboxValues({ kind: "confirmed", recipient, locale: "ja", key: id }),
    id,
    status: "sent",
    attempts: 1,
    providerMessageId: pmid,
    sentAt: new Date(),
  });
  return { id, providerMessageId: pmid };
}

async function notificationState(db: Db, id: string): Promise<NotificationState> {
  const [row] = await queryRows<NotificationState>(
    db,
    sql`select status, last_error from notifications where id = ${id}`,
  );
  if (!row) throw new Error(`notification ${id} missing`);
  return row;
}

async function suppressionRow(db: Db, email: string): Promise<SuppressionRow | undefined> {
  const [row] = await queryRows<SuppressionRow>(
    db,
    sql`select email, reason, source, notification_id::text as notification_id, created_by::text as created_by
          from email_suppressions where email = ${email}`,
  );
  return row;
}

async function auditFor(db: Db, entityId: string): Promise<AuditRow[]> {
  return queryRows<AuditRow>(
    db,
    sql`select action, actor_role, entity_type, entity_id, before, after, reason from audit_log where entity_id = ${entityId} order by id`,
  );
}

/** Everything the webhook may change. Equal snapshots mean nothing changed. */
type Snapshot = { notifications: string; suppressions: string; audit: number; inbox: string };

async function snapshot(db: Db): Promise<Snapshot> {
  const [row] = await queryRows<Snapshot>(
    db,
    sql`select
          coalesce((select string_agg(id::text || ':' || status || ':' || coalesce(last_error, ''), ',' order by id) from notifications), '') as notifications,
          coalesce((select string_agg(email || ':' || reason || ':' || coalesce(source, ''), ',' order by email) from email_suppressions), '') as suppressions,
          (select count(*) from audit_log)::int as audit,
          coalesce((select string_agg(provider || ':' || event_id || ':' || status || ':' || coalesce(outcome, '') || ':' || attempts, ',' order by provider, event_id) from webhook_events), '') as inbox`,
  );
  if (!row) throw new Error("snapshot query returned no row");
  return { ...row, audit: Number(row.audit) };
}

const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.jp`;

describeEachDatabase("notifications: bounce and complaint webhooks, suppression", (ctx) => {
  let restoreEnv: (() => void) | undefined;
  beforeEach(() => {
    restoreEnv = setEnv({ EMAIL_WEBHOOK_SECRET: SECRET });
  });
  afterEach(() => {
    restoreEnv?.();
    restoreEnv = undefined;
  });

  describe("authentication", () => {
    it("answers 500 config_missing without EMAIL_WEBHOOK_SECRET, naming nothing internal, and changes nothing", async () => {
      restoreEnv?.();
      restoreEnv = setEnv({ EMAIL_WEBHOOK_SECRET: undefined });
      const email = uniqueEmail("nosecret");
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(await post({ type: "bounce", email }), 500, "config_missing");
      expect(JSON.stringify(problem)).not.toMatch(/EMAIL_WEBHOOK_SECRET/);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it.each([
      ["no Authorization header", {}],
      ["a wrong bearer token", bearer("wrong-secret-wrong-secret-wrong-secret")],
      ["the secret with a suffix", bearer(`${SECRET}x`)],
      ["a prefix of the secret", bearer(SECRET.slice(0, -1))],
      ["the secret without a scheme", { authorization: SECRET }],
      ["Basic auth with a wrong password", basic("wrong")],
      [
        "Basic auth with the secret as user name",
        { authorization: `Basic ${Buffer.from(`${SECRET}:`).toString("base64")}` },
      ],
      ["Basic auth without a colon", { authorization: `Basic ${Buffer.from(SECRET).toString("base64")}` }],
    ])("answers 401 for %s and changes nothing", async (_case, headers) => {
      const email = uniqueEmail("unauth");
      const sent = await sentEmail(ctx.db, email);
      const before = await snapshot(ctx.db);
      await expectProblem(await post({ type: "bounce", email, messageId: sent.id }, headers), 401, "unauthorized");
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("generic form", () => {
    it("hard bounce by notification id: the notification is bounced, the address suppressed, both audited", async () => {
      const email = uniqueEmail("hard");
      const sent = await sentEmail(ctx.db, email);
      const answer = await postOk({
        type: "bounce",
        email: email.toUpperCase(),
        messageId: sent.id,
        reason: "550 5.1.1 user unknown",
      });

      expect(answer).toMatchObject({
        received: true,
        provider: "email",
        type: "hard_bounce",
        outcome: "bounced",
        notificationId: sent.id,
        suppressed: true,
        duplicate: false,
      });
      expect(await notificationState(ctx.db, sent.id)).toEqual({
        status: "bounced",
        last_error: "hard bounce: 550 5.1.1 user unknown",
      });
      expect(await suppressionRow(ctx.db, email)).toEqual({
        email,
        reason: "bounce",
        source: "webhook:email",
        notification_id: sent.id,
        created_by: null,
      });
      expect(await isSuppressed(ctx.db, email.toUpperCase())).toBe(true);

      const suppressionAudit = await auditFor(ctx.db, email);
      expect(suppressionAudit).toEqual([
        expect.objectContaining({
          action: "email.suppressed",
          actor_role: "system:email-webhook",
          entity_type: "email_suppression",
          before: null,
        }),
      ]);
      expect(suppressionAudit[0]?.after).toMatchObject({
        reason: "bounce",
        source: "webhook:email",
        notificationId: sent.id,
      });
      expect(await auditFor(ctx.db, sent.id)).toEqual([
        expect.objectContaining({
          action: "notification.bounced",
          before: { status: "sent" },
          reason: "hard bounce: 550 5.1.1 user unknown",
        }),
      ]);
      const [inbox] = await queryRows<{ status: string; outcome: string; type: string }>(
        ctx.db,
        sql`select status, outcome, type from webhook_events where provider = 'email' and event_id = ${answer.eventId}`,
      );
      expect(inbox).toEqual({ status: "processed", outcome: "bounced", type: "hard_bounce" });
    });

    it("finds the notification by its Message-ID (with or without brackets) and accepts Basic auth", async () => {
      const a = await sentEmail(ctx.db, uniqueEmail("msgid-a"));
      const b = await sentEmail(ctx.db, uniqueEmail("msgid-b"));
      const emailOf = async (id: string) =>
        (await queryRows<{ recipient: string }>(ctx.db, sql`select recipient from notifications where id = ${id}`))[0]
          ?.recipient as string;
      const first = await postOk(
        { type: "bounce", email: await emailOf(a.id), messageId: a.providerMessageId },
        basic(),
      );
      const second = await postOk(
        { type: "bounce", email: await emailOf(b.id), messageId: `${b.id}@${DOMAIN}` },
        basic(),
      );
      expect(first).toMatchObject({ outcome: "bounced", notificationId: a.id });
      expect(second).toMatchObject({ outcome: "bounced", notificationId: b.id });
    });

    it("finds the notification by a provider message id that is not ours", async () => {
      const email = uniqueEmail("provider-id");
      const sent = await sentEmail(ctx.db, email, "0100018c-provider-message-id");
      expect(await postOk({ type: "complaint", email, messageId: "0100018c-provider-message-id" })).toMatchObject({
        outcome: "complained",
        notificationId: sent.id,
      });
    });

    it("repeating a bounce changes nothing more", async () => {
      const email = uniqueEmail("repeat");
      const sent = await sentEmail(ctx.db, email);
      const body = { type: "bounce", email, messageId: sent.id, reason: "mailbox unavailable" };
      expect(await postOk(body)).toMatchObject({ outcome: "bounced", duplicate: false });
      const after = await snapshot(ctx.db);

      const again = await postOk(body);
      expect(again).toMatchObject({ outcome: "bounced", notificationId: sent.id, suppressed: true, duplicate: true });
      // The same bounce with other wording (another delivery of the event) changes nothing either.
      expect(await postOk({ ...body, reason: "retry of the same event" })).toMatchObject({
        duplicate: true,
        suppressed: true,
      });
      expect(await snapshot(ctx.db)).toEqual(after);
      expect(await auditFor(ctx.db, sent.id)).toHaveLength(1);
      expect(await auditFor(ctx.db, email)).toHaveLength(1);
    });

    it("a repeat carrying the sender's event id is recognised as the same event", async () => {
      const email = uniqueEmail("event-id");
      const sent = await sentEmail(ctx.db, email);
      const body = { id: `evt-${randomUUID()}`, type: "bounce", email, messageId: sent.id };
      await postOk(body);
      const after = await snapshot(ctx.db);
      expect(await postOk(body)).toMatchObject({ duplicate: true, eventId: body.id });
      expect(await snapshot(ctx.db)).toEqual(after);
    });

    it("concurrent deliveries of one bounce record it once", async () => {
      const email = uniqueEmail("concurrent");
      const sent = await sentEmail(ctx.db, email);
      const body = { type: "bounce", email, messageId: sent.id };
      const answers = await Promise.all([postOk(body), postOk(body), postOk(body)]);
      expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
      expect(await auditFor(ctx.db, sent.id)).toHaveLength(1);
      expect(await auditFor(ctx.db, email)).toHaveLength(1);
    });

    it("soft bounce: recorded on the notification, the address is not suppressed", async () => {
      const email = uniqueEmail("soft");
      const sent = await sentEmail(ctx.db, email);
      const answer = await postOk({
        type: "bounce",
        bounceType: "soft",
        email,
        messageId: sent.id,
        reason: "452 mailbox full",
      });
      expect(answer).toMatchObject({
        type: "soft_bounce",
        outcome: "soft_bounce",
        notificationId: sent.id,
        suppressed: false,
        duplicate: false,
      });
      expect(await notificationState(ctx.db, sent.id)).toEqual({
        status: "sent",
        last_error: "soft bounce: 452 mailbox full",
      });
      expect(await suppressionRow(ctx.db, email)).toBeUndefined();
      expect(await auditFor(ctx.db, email)).toEqual([]);
      expect(
        await postOk({ type: "bounce", bounceType: "soft", email, messageId: sent.id, reason: "452 mailbox full" }),
      ).toMatchObject({ duplicate: true });
    });

    it("a soft bounce after a hard bounce does not overwrite it", async () => {
      const email = uniqueEmail("soft-after-hard");
      const sent = await sentEmail(ctx.db, email);
      await postOk({ type: "bounce", email, messageId: sent.id, reason: "user unknown" });
      await postOk({ type: "bounce", bounceType: "soft", email, messageId: sent.id, reason: "try later" });
      expect(await notificationState(ctx.db, sent.id)).toEqual({
        status: "bounced",
        last_error: "hard bounce: user unknown",
      });
    });

    it("complaint: the notification is bounced with the reason, the address suppressed as a complaint", async () => {
      const email = uniqueEmail("complaint");
      const sent = await sentEmail(ctx.db, email);
      expect(await postOk({ type: "complaint", email, messageId: sent.id, reason: "abuse" })).toMatchObject({
        outcome: "complained",
        suppressed: true,
      });
      expect(await notificationState(ctx.db, sent.id)).toEqual({ status: "bounced", last_error: "complaint: abuse" });
      expect(await suppressionRow(ctx.db, email)).toMatchObject({ reason: "complaint" });
    });

    it("a complaint after a bounce strengthens the suppression reason, audited once more", async () => {
      const email = uniqueEmail("escalate");
      const sent = await sentEmail(ctx.db, email);
      await postOk({ type: "bounce", email, messageId: sent.id });
      await postOk({ type: "complaint", email, messageId: sent.id });
      expect(await suppressionRow(ctx.db, email)).toMatchObject({ reason: "complaint" });
      const audit = await auditFor(ctx.db, email);
      expect(audit.map((a) => a.action)).toEqual(["email.suppressed", "email.suppressed"]);
      expect(audit[1]).toMatchObject({ before: { reason: "bounce" }, after: { reason: "complaint" } });
      // A later bounce does not weaken it.
      await postOk({ type: "bounce", email, reason: "late bounce" });
      expect(await suppressionRow(ctx.db, email)).toMatchObject({ reason: "complaint" });
      expect(await auditFor(ctx.db, email)).toHaveLength(2);
    });

    it("unknown message or address: 200 outcome unknown, the address is still suppressed", async () => {
      const email = uniqueEmail("unknown");
      const before = await snapshot(ctx.db);
      const answer = await postOk({ type: "bounce", email, messageId: randomUUID() });
      expect(answer).toMatchObject({ outcome: "unknown", notificationId: null, suppressed: true });
      expect(await suppressionRow(ctx.db, email)).toMatchObject({ reason: "bounce", notification_id: null });
      expect((await snapshot(ctx.db)).notifications).toBe(before.notifications);

      const noMessage = uniqueEmail("unknown-no-message");
      expect(await postOk({ type: "complaint", email: noMessage })).toMatchObject({
        outcome: "unknown",
        suppressed: true,
      });
      expect(await suppressionRow(ctx.db, noMessage)).toMatchObject({ reason: "complaint" });

      // Soft bounce for an unknown message: recorded in the inbox only.
      const soft = uniqueEmail("unknown-soft");
      expect(await postOk({ type: "bounce", bounceType: "soft", email: soft })).toMatchObject({
        outcome: "unknown",
        suppressed: false,
      });
      expect(await suppressionRow(ctx.db, soft)).toBeUndefined();
    });

    it("a message id of another recipient's notification does not touch that notification", async () => {
      const owner = uniqueEmail("owner");
      const sent = await sentEmail(ctx.db, owner);
      const other = uniqueEmail("other");
      expect(await postOk({ type: "bounce", email: other, messageId: sent.id })).toMatchObject({
        outcome: "unknown",
        notificationId: null,
      });
      expect(await notificationState(ctx.db, sent.id)).toMatchObject({ status: "sent" });
      expect(await suppressionRow(ctx.db, owner)).toBeUndefined();
    });

    it.each([
      ["a missing email", { type: "bounce" }, "body.email"],
      ["an invalid email", { type: "bounce", email: "not-an-address" }, "body.email"],
      ["an unknown type", { type: "delivered", email: "x@example.jp" }, "body.type"],
      ["an unknown field", { type: "bounce", email: "x@example.jp", message_id: "abc" }, "body"],
      [
        "bounceType on a complaint",
        { type: "complaint", bounceType: "hard", email: "x@example.jp" },
        "body.bounceType",
      ],
      ["a wrong bounceType", { type: "bounce", bounceType: "permanent", email: "x@example.jp" }, "body.bounceType"],
      ["an array", [{ type: "bounce", email: "x@example.jp" }], "body"],
      [
        "a Postmark bounce without Email",
        { RecordType: "Bounce", ID: 1, Type: "HardBounce", MessageID: "m" },
        "body.Email",
      ],
      ["a Postmark bounce without Type", { RecordType: "Bounce", ID: 1, Email: "x@example.jp" }, "body.Type"],
    ])("422 for %s, and nothing changes", async (_case, body, path) => {
      const email = uniqueEmail("invalid");
      await sentEmail(ctx.db, email);
      const before = await snapshot(ctx.db);
      const problem = await expectProblem(await post(body), 422, "validation_failed");
      expect(problem.errors?.map((e) => e.path)).toContain(path);
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("400 for a body that is not JSON, and nothing changes", async () => {
      const before = await snapshot(ctx.db);
      const res = await callRoute(postEmailWebhook, PATH, {
        method: "POST",
        body: "{not json",
        headers: { ...bearer(), "content-type": "application/json" },
      });
      await expectProblem(res, 400, "malformed_json");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("413 for an oversized body", async () => {
      const res = await post({ type: "bounce", email: "x@example.jp", reason: "x".repeat(300 * 1024) });
      await expectProblem(res, 413, "payload_too_large");
    });
  });

  describe("Postmark form", () => {
    /** Shaped like Postmark's bounce webhook (https://postmarkapp.com/developer/webhooks/bounce-webhook). */
    const postmarkBounce = (overrides: Record<string, unknown>) => ({
      RecordType: "Bounce",
      ID: Math.floor(Math.random() * 2 ** 40),
      Type: "HardBounce",
      TypeCode: 1,
      Name: "Hard bounce",
      Tag: "confirmed",
      MessageID: randomUUID(),
      ServerID: 23,
      MessageStream: "outbound",
      Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
      Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
      Email: "someone@example.jp",
      From: "no-reply@book.example.com",
      BouncedAt: "2030-01-07T09:00:00Z",
      DumpAvailable: true,
      Inactive: true,
      CanActivate: true,
      Subject: "ご予約確定",
      Content: "Return-Path: <>\r\n... https://book.example.com/reservations/ABC?token=secret-manage-token ...",
      Metadata: {},
      ...overrides,
    });

    it("HardBounce (Basic auth): finds the notification by Metadata.notification_id, bounces it and suppresses the address", async () => {
      const email = uniqueEmail("pm-hard");
      const sent = await sentEmail(ctx.db, email);
      const body = postmarkBounce({ Email: email, Metadata: { notification_id: sent.id } });
      const answer = await postOk(body, basic());
      expect(answer).toMatchObject({
        provider: "postmark",
        eventId: String(body.ID),
        type: "hard_bounce",
        outcome: "bounced",
        notificationId: sent.id,
        suppressed: true,
        duplicate: false,
      });
      const state = await notificationState(ctx.db, sent.id);
      expect(state.status).toBe("bounced");
      expect(state.last_error).toMatch(/^hard bounce: HardBounce: The server was unable to deliver/);
      expect(await suppressionRow(ctx.db, email)).toMatchObject({
        reason: "bounce",
        source: "webhook:postmark",
        notification_id: sent.id,
      });

      // The bounce dump (which can quote the message and its links) is not stored.
      const [inbox] = await queryRows<{ payload: Record<string, unknown> }>(
        ctx.db,
        sql`select payload from webhook_events where provider = 'postmark' and event_id = ${String(body.ID)}`,
      );
      expect(inbox?.payload).toMatchObject({ RecordType: "Bounce", Type: "HardBounce", Email: email });
      expect(JSON.stringify(inbox?.payload)).not.toContain("secret-manage-token");

      // Postmark retries a delivery it thinks failed: the same ID changes nothing.
      const after = await snapshot(ctx.db);
      expect(await postOk(body, basic())).toMatchObject({ duplicate: true });
      expect(await snapshot(ctx.db)).toEqual(after);
    });

    it("HardBounce finds the notification by Postmark's MessageID when that is the stored provider message id", async () => {
      const email = uniqueEmail("pm-msgid");
      const postmarkId = randomUUID();
      const sent = await sentEmail(ctx.db, email, postmarkId);
      expect(await postOk(postmarkBounce({ Email: email, MessageID: postmarkId }), bearer())).toMatchObject({
        outcome: "bounced",
        notificationId: sent.id,
      });
    });

    it("SpamComplaint: bounced with the reason, suppressed as a complaint", async () => {
      const email = uniqueEmail("pm-spam");
      const sent = await sentEmail(ctx.db, email);
      const body = postmarkBounce({
        RecordType: "SpamComplaint",
        Type: "SpamComplaint",
        TypeCode: 100001,
        Name: "Spam complaint",
        Description: "The subscriber explicitly marked this message as spam.",
        Details: "Test spam complaint details",
        From: "",
        Email: email,
        Metadata: { notification_id: sent.id },
      });
      expect(await postOk(body, basic())).toMatchObject({
        provider: "postmark",
        type: "complaint",
        outcome: "complained",
        notificationId: sent.id,
        suppressed: true,
      });
      const state = await notificationState(ctx.db, sent.id);
      expect(state.status).toBe("bounced");
      expect(state.last_error).toMatch(
        /^complaint: SpamComplaint: The subscriber explicitly marked this message as spam/,
      );
      expect(await suppressionRow(ctx.db, email)).toMatchObject({ reason: "complaint", source: "webhook:postmark" });
    });

    it.each([
      ["SoftBounce", 4096],
      ["Transient", 2],
      ["DnsError", 256],
      ["AutoResponder", 64],
    ])("%s (address still active): recorded, not suppressed", async (type, code) => {
      const email = uniqueEmail(`pm-${type.toLowerCase()}`);
      const sent = await sentEmail(ctx.db, email);
      const answer = await postOk(
        postmarkBounce({
          Type: type,
          TypeCode: code,
          Inactive: false,
          Email: email,
          Metadata: { notification_id: sent.id },
        }),
      );
      expect(answer).toMatchObject({ type: "soft_bounce", outcome: "soft_bounce", suppressed: false });
      expect(await notificationState(ctx.db, sent.id)).toMatchObject({
        status: "sent",
        last_error: expect.stringMatching(new RegExp(`^soft bounce: ${type}`)),
      });
      expect(await suppressionRow(ctx.db, email)).toBeUndefined();
    });

    it("a bounce Postmark deactivated the address for counts as hard, whatever its type", async () => {
      const email = uniqueEmail("pm-inactive");
      expect(
        await postOk(postmarkBounce({ Type: "Blocked", TypeCode: 100006, Inactive: true, Email: email })),
      ).toMatchObject({ type: "hard_bounce", suppressed: true });
    });

    it("acknowledges other record types (Delivery, Open, …) without changing anything", async () => {
      const before = await snapshot(ctx.db);
      const answer = await postOk({
        RecordType: "Delivery",
        MessageID: randomUUID(),
        Recipient: "someone@example.jp",
        DeliveredAt: "2030-01-07T09:00:00Z",
      });
      expect(answer).toMatchObject({ provider: "postmark", outcome: "ignored", eventId: null });
      expect(await snapshot(ctx.db)).toEqual(before);
    });
  });

  describe("suppression list", () => {
    const staff = { kind: "user", id: "00000000-0000-4000-8000-00000000beef", role: "staff" } as const;

    it("unsuppress removes the address (audited); the next bounce suppresses it again", async () => {
      const email = uniqueEmail("remove");
      const sent = await sentEmail(ctx.db, email);
      const body = { type: "bounce", email, messageId: sent.id };
      await postOk(body);
      expect(await isSuppressed(ctx.db, email)).toBe(true);

      expect(await unsuppress(email.toUpperCase(), staff, { reason: "customer fixed their mailbox" })).toMatchObject({
        removed: true,
      });
      expect(await isSuppressed(ctx.db, email)).toBe(false);
      const audit = await auditFor(ctx.db, email);
      expect(audit.map((a) => a.action)).toEqual(["email.suppressed", "email.unsuppressed"]);
      expect(audit[1]).toMatchObject({
        actor_role: "staff",
        before: { reason: "bounce" },
        after: null,
        reason: "customer fixed their mailbox",
      });

      expect(await unsuppress(email, staff)).toEqual({ removed: false });
      expect(await auditFor(ctx.db, email)).toHaveLength(2);

      // The same bounce delivered again after removal is not swallowed as a duplicate.
      expect(await postOk(body)).toMatchObject({ suppressed: true, duplicate: false });
      expect(await isSuppressed(ctx.db, email)).toBe(true);
    });

    it("only staff (or the system) may remove an address", async () => {
      const email = uniqueEmail("forbidden");
      await postOk({ type: "complaint", email });
      await expect(unsuppress(email, { kind: "user", id: randomUUID(), role: "user" })).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(unsuppress(email, { kind: "guest" })).rejects.toMatchObject({ code: "forbidden" });
      expect(await isSuppressed(ctx.db, email)).toBe(true);
    });

    it("suppress lower-cases, is idempotent, records who added it manually", async () => {
      const email = uniqueEmail("manual");
      const first = await asService((tx) =>
        suppress(tx, { email: `  ${email.toUpperCase()} `, reason: "manual", source: "staff", actor: staff }),
      );
      expect(first).toMatchObject({
        created: true,
        updated: false,
        suppression: { email, reason: "manual", createdBy: staff.id },
      });
      const again = await asService((tx) => suppress(tx, { email, reason: "manual", source: "staff", actor: staff }));
      expect(again).toMatchObject({ created: false, updated: false });
      expect(await findSuppression(ctx.db, email.toUpperCase())).toMatchObject({ email, reason: "manual" });
      expect((await auditFor(ctx.db, email)).map((a) => a.action)).toEqual(["email.suppressed"]);
      await expect(
        asService((tx) => suppress(tx, { email: "nope", reason: "manual", source: "staff", actor: staff })),
      ).rejects.toMatchObject({
        code: "validation_failed",
      });
    });
  });
});
