import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as notifyRoute } from "@/app/api/admin/reservations/[id]/notify/route";
import { clock } from "@/lib/clock";
import { expireHolds } from "@/server/booking/expire";
import { queryRows } from "@/server/db/client";
import { dispatchNotifications, setAutoDispatch } from "@/server/notifications/dispatch";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, T0, at, holdOk, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

const IP = "198.51.100.77";
const SUBJECT = "About your visit on Thursday";
const MESSAGE = "The front door is closed for works.\nPlease use the side entrance.\n\n<b>See you</b> & thank you!";

type MessageRow = {
  id: string;
  kind: string;
  channel: string;
  recipient: string;
  locale: string;
  status: string;
  payload: Record<string, unknown>;
  request_id: string | null;
  rendered_message: string | null;
};
type AuditRow = {
  actor_id: string | null;
  actor_role: string;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  after: unknown;
};

/** POST /api/admin/reservations/[id]/notify with `type: "message"`: a staff member's own email to the customer. */
describeEachDatabase("admin API: a staff message to a reservation's customer", (ctx) => {
  let staff: SignedIn;
  let user: SignedIn;
  let dataDir: string;
  let restoreEnv: () => void;

  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    // Earlier tests' rows must not be dispatched here: mark everything outstanding as done.
    await ctx.db.execute(sql`update notifications set status = 'cancelled' where status in ('pending', 'sending')`);
    dataDir = mkdtempSync(path.join(tmpdir(), "slotbook-message-"));
    restoreEnv = setEnv({ APP_BASE_URL: "https://book.example.com", DATA_DIR: dataDir, EMAIL_DRY_RUN: "true" });
    setAutoDispatch(false);
    clock.set(T0, { freeze: true });
    staff = await signedInAs(ctx.db, "staff");
    user = await signedInAs(ctx.db, "user");
  });
  afterEach(() => {
    restoreEnv();
    rmSync(dataDir, { recursive: true, force: true });
    clock.reset();
  });

  const post = (
    id: string,
    body: unknown,
    options: { who?: SignedIn | null; key?: string | null; requestId?: string } = {},
  ) => {
    const who = options.who === undefined ? staff : options.who;
    const headers: Record<string, string> = {
      "x-forwarded-for": IP,
      "x-request-id": options.requestId ?? `req-${crypto.randomUUID()}`,
    };
    if (who) headers.authorization = `Bearer ${who.token}`;
    if (options.key !== null) headers["idempotency-key"] = options.key ?? crypto.randomUUID();
    return callRoute(notifyRoute, `/api/admin/reservations/${id}/notify`, {
      method: "POST",
      json: body,
      params: { id },
      headers,
    });
  };
  /** A confirmed free booking whose customer gave a mobile number and SMS consent (so an SMS row would show). */
  const booking = async (overrides: Record<string, unknown> = {}) => {
    const service = await newService(ctx.db, { priceAmount: 0, nameJa: "無料相談", nameEn: "Free consultation" });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 4 });
    const held = await holdOk(slot.id, {
      customer: { name: "Hanako Yamada", email: "hanako@example.com", phone: "090-1234-5678" },
      smsConsent: true,
      ...overrides,
    });
    return held;
  };
  const messages = (reservationId: string) =>
    queryRows<MessageRow>(
      ctx.db,
      sql`select id::text, kind, channel, recipient, locale, status, payload, request_id, rendered_message
            from notifications where reservation_id = ${reservationId} and kind = 'staff_message' order by created_at, id`,
    );
  const audits = (reservationId: string) =>
    queryRows<AuditRow>(
      ctx.db,
      sql`select actor_id::text, actor_role, reason, request_id, ip, after
            from audit_log where entity_id = ${reservationId} and action = 'notification.staff_message' order by id`,
    );
  const body = { type: "message", subject: SUBJECT, message: MESSAGE, reason: "Entrance closed on the day" };

  it("queues one email in the reservation's language, audited with the words, actor, reason, request id and IP; no SMS", async () => {
    const held = await booking({ locale: "en" });
    const res = await post(
      held.reservation.id,
      { ...body, subject: `  ${SUBJECT} `, message: `\n${MESSAGE}  \n` },
      { requestId: "req-message-0001" },
    );
    const { notification } = await expectJson<{ notification: { id: string } }>(res);

    const rows = await messages(held.reservation.id);
    expect(rows).toEqual([
      {
        id: notification.id,
        kind: "staff_message",
        channel: "email",
        recipient: "hanako@example.com",
        locale: "en",
        status: "pending",
        payload: { code: held.reservation.code, subject: SUBJECT, message: MESSAGE },
        request_id: "req-message-0001",
        rendered_message: null,
      },
    ]);
    // The booking's confirmation did go by SMS too (number, consent, SMS on): the message alone is email only.
    const channels = await queryRows<{ kind: string; channel: string }>(
      ctx.db,
      sql`select kind, channel from notifications where reservation_id = ${held.reservation.id} order by kind, channel`,
    );
    expect(channels).toEqual([
      { kind: "confirmed", channel: "email" },
      { kind: "confirmed", channel: "sms" },
      { kind: "staff_message", channel: "email" },
    ]);
    expect(await audits(held.reservation.id)).toEqual([
      {
        actor_id: staff.userId,
        actor_role: "staff",
        reason: "Entrance closed on the day",
        request_id: "req-message-0001",
        ip: IP,
        after: { notificationId: notification.id, recipient: "hanako@example.com", subject: SUBJECT, message: MESSAGE },
      },
    ]);

    // What the customer receives: the subject with the usual prefix, the words as typed, the booking and their link.
    await dispatchNotifications();
    const [sent] = await messages(held.reservation.id);
    expect(sent?.status).toBe("sent");
    const mail = await simpleParser(sent!.rendered_message!);
    expect(mail.to).toMatchObject({ text: "hanako@example.com" });
    expect(mail.subject).toBe(`[slotbook] ${SUBJECT} (${held.reservation.code})`);
    expect(mail.text).toContain(MESSAGE);
    expect(mail.text).toContain("Free consultation");
    expect(mail.text).toContain(`https://book.example.com/reservations/${held.reservation.code}?token=[redacted]`);
    expect(String(mail.html)).toContain("The front door is closed for works.<br/>Please use the side entrance.");
    expect(String(mail.html)).toContain("&lt;b&gt;See you&lt;/b&gt; &amp; thank you!");
    expect(String(mail.html)).not.toContain("<b>See you");
  });

  it("every message is its own row; a repeated Idempotency-Key replays instead of sending twice", async () => {
    const held = await booking();
    const key = crypto.randomUUID();
    const first = await expectJson<{ notification: { id: string } }>(await post(held.reservation.id, body, { key }));
    const replay = await post(held.reservation.id, body, { key });
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect(await expectJson<{ notification: { id: string } }>(replay)).toEqual(first);
    await expectProblem(
      await post(held.reservation.id, { ...body, message: "Something else" }, { key }),
      422,
      "idempotency_mismatch",
    );
    expect(await messages(held.reservation.id)).toHaveLength(1);

    // The same words again, deliberately (a new key): a second message, not a no-op.
    const second = await expectJson<{ notification: { id: string } }>(await post(held.reservation.id, body));
    expect(second.notification.id).not.toBe(first.notification.id);
    // The clock is frozen, so both rows share created_at: compare as sets.
    expect((await messages(held.reservation.id)).map((r) => `${r.id}:${r.locale}`).sort()).toEqual(
      [`${first.notification.id}:ja`, `${second.notification.id}:ja`].sort(),
    );
    expect(await audits(held.reservation.id)).toHaveLength(2);
  });

  describe("refused, and nothing changes", () => {
    it.each([
      ["no reason", { ...body, reason: "" }],
      ["a blank subject", { ...body, subject: "   " }],
      ["a blank message", { ...body, message: " \n\t " }],
      ["a subject over 120 characters", { ...body, subject: "x".repeat(121) }],
      ["a subject on two lines", { ...body, subject: "Line one\nline two" }],
      ["a message over 5000 characters", { ...body, message: "x".repeat(5001) }],
      ["a reason over 500 characters", { ...body, reason: "x".repeat(501) }],
      ["an unknown field", { ...body, notificationId: crypto.randomUUID() }],
      ["an unknown type", { ...body, type: "sms" }],
      ["no subject", { type: "message", message: MESSAGE, reason: "r" }],
    ])("422 for %s", async (_case, bad) => {
      const held = await booking();
      const before = await snapshot(ctx.db);
      await expectProblem(await post(held.reservation.id, bad), 422, "validation_failed");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("401 without a session, 403 for a customer, 400 without an Idempotency-Key, 404 for an unknown reservation", async () => {
      const held = await booking();
      const before = await snapshot(ctx.db);
      await expectProblem(await post(held.reservation.id, body, { who: null }), 401, "unauthorized");
      await expectProblem(await post(held.reservation.id, body, { who: user }), 403, "forbidden");
      await expectProblem(await post(held.reservation.id, body, { key: null }), 400, "missing_header");
      await expectProblem(await post(crypto.randomUUID(), body), 404, "reservation_not_found");
      expect(await snapshot(ctx.db)).toEqual(before);
    });

    it("limits are inclusive: a 120-character subject and a 5000-character message go out", async () => {
      const held = await booking();
      await expectJson(
        await post(held.reservation.id, { ...body, subject: "s".repeat(120), message: "m".repeat(5000) }),
      );
      expect(
        (await messages(held.reservation.id)).map((r) => [
          String(r.payload.subject).length,
          String(r.payload.message).length,
        ]),
      ).toEqual([[120, 5000]]);
    });
  });
});
