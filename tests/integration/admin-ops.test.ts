import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { GET as auditRoute } from "@/app/api/admin/audit/route";
import { GET as dashboardRoute } from "@/app/api/admin/dashboard/route";
import { GET as notificationRoute } from "@/app/api/admin/notifications/[id]/route";
import { POST as resendRoute } from "@/app/api/admin/notifications/[id]/resend/route";
import { GET as notificationsRoute } from "@/app/api/admin/notifications/route";
import { clock } from "@/lib/clock";
import { addDays, formatLocalDate, localDateOf, zonedInstant } from "@/lib/time";
import { reservationQuery } from "@/server/admin/reservation-query";
import type { AuditPage } from "@/server/admin/audit-log";
import type { Dashboard } from "@/server/admin/dashboard";
import type { NotificationDetail, NotificationListRow } from "@/server/admin/notifications-log";
import { cancelReservation } from "@/server/booking/cancel";
import { asService } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { dispatchNotifications, setAutoDispatch } from "@/server/notifications/dispatch";
import { alertStaff } from "@/server/payments/alerts";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, MINUTE, holdOk, newService, type Held } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem, type RouteHandler } from "../helpers/http";

type List = { notifications: NotificationListRow[]; total: number; page: number; pageSize: number };

/**
 * The /manage operations API, part 1: dashboard, notifications log (with resend) and audit log. "Now" is frozen
 * early in the current Tokyo day, so the database's own now() (audit rows) falls in the same recent window.
 */
describeEachDatabase("admin API: dashboard, notifications log, audit log", (ctx) => {
  const TZ = "Asia/Tokyo";
  const today = localDateOf(new Date(), TZ);
  const dayStart = zonedInstant(today, 0, 0, TZ);
  const NOW = new Date(dayStart.getTime() + 30 * MINUTE);
  const system = { kind: "system", name: "admin-ops-test" } as const;
  let staff: SignedIn, admin: SignedIn, customer: SignedIn;
  let restoreEnv: () => void;
  let dataDir: string;
  const b: Record<"a" | "b" | "c" | "d" | "e" | "h", Held> = {} as Record<"a" | "b" | "c" | "d" | "e" | "h", Held>;

  const count = async (table: "notifications" | "audit_log") =>
    (await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]!.n;
  const notificationOf = async (recipient: string, kind = "confirmed") =>
    (
      await queryRows<{ id: string }>(
        ctx.db,
        sql`select id from notifications where recipient = ${recipient} and kind = ${kind} order by created_at limit 1`,
      )
    )[0]!.id;
  const get = (handler: RouteHandler, url: string, who: SignedIn | null = staff, params: Record<string, string> = {}) =>
    callRoute(handler, url, { headers: bearer(who), params });

  beforeAll(async () => {
    clock.set(NOW, { freeze: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "slotbook-ops-"));
    restoreEnv = setEnv({ DATA_DIR: dataDir });
    setAutoDispatch(false);
    [staff, admin, customer] = [
      await signedInAs(ctx.db, "staff"),
      await signedInAs(ctx.db, "admin"),
      await signedInAs(ctx.db, "user"),
    ];
    const free = await newService(ctx.db, { priceAmount: 0 });
    const paid = await newService(ctx.db, { priceAmount: 1500 });
    const slot = (serviceId: string, ms: number) =>
      insertSlot(ctx.db, { serviceId, startsAt: new Date(NOW.getTime() + ms), capacity: 5 });
    const todaySlot = await slot(free.id, 2 * HOUR);
    const guest = (name: string, email: string) => ({ customer: { name, email } });
    b.a = await holdOk(todaySlot.id, guest("今日 一郎", "today1@example.com"));
    b.b = await holdOk(todaySlot.id, guest("今日 二郎", "today2@example.com"));
    b.c = await holdOk(todaySlot.id, guest("取消 三郎", "cancel3@example.com"));
    await cancelReservation({ reservationId: b.c.reservation.id, by: "staff", actor: system, reason: "fixture" });
    b.d = await holdOk((await slot(free.id, 3 * 24 * HOUR)).id, guest("近日 四郎", "soon4@example.com"));
    b.e = await holdOk((await slot(free.id, 10 * 24 * HOUR)).id, guest("来月 五郎", "later5@example.com"));
    b.h = await holdOk((await slot(paid.id, 24 * HOUR)).id, guest("保留 六郎", "held6@example.com"));
    expect(b.h.reservation.status).toBe("held");
    // Rows the booking statement wrote carry the database's now(), the cancellation's the frozen NOW: a minute past
    // the later of the two, every one of them is due (NOW is ahead of the real clock in the first half hour of a Tokyo day).
    clock.set(new Date(Math.max(Date.now(), NOW.getTime()) + MINUTE), { freeze: true });
    await dispatchNotifications();
    clock.set(NOW, { freeze: true });
    await ctx.db.execute(
      sql`update notifications set status = 'failed', attempts = 6, last_error = '550 mailbox unavailable' where recipient = 'today2@example.com'`,
    );
    const [payment] = await queryRows<{ id: string }>(
      ctx.db,
      sql`insert into payments (reservation_id, status, amount, amount_refunded, currency) values (${b.d.reservation.id}, 'partially_refunded', 1000, 600, 'JPY') returning id`,
    );
    for (const [amount, at] of [
      [400, new Date(NOW.getTime() - HOUR)],
      [200, new Date(NOW.getTime() - 10 * 24 * HOUR)],
    ] as const) {
      await ctx.db
        .execute(sql`insert into refunds (payment_id, reservation_id, amount, currency, status, reason, idempotency_key, created_at)
        values (${payment!.id}, ${b.d.reservation.id}, ${amount}, 'JPY', 'succeeded', 'fixture', ${crypto.randomUUID()}, ${at.toISOString()}::timestamptz)`);
    }
    await asService((tx) =>
      alertStaff(tx, {
        kind: "late_payment",
        reservationId: b.h.reservation.id,
        message: "テスト警告",
        dedupeKey: "ops-test-alert",
      }),
    );
  });
  beforeEach(() => clock.set(NOW, { freeze: true }));
  afterAll(() => {
    restoreEnv();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 401 without a session and 403 to a customer on every route, before reading the input", async () => {
    const id = await notificationOf("today1@example.com");
    const cases: [RouteHandler, string, Record<string, string>, unknown][] = [
      [dashboardRoute, "/api/admin/dashboard", {}, undefined],
      [notificationsRoute, "/api/admin/notifications?status=bogus", {}, undefined],
      [notificationRoute, `/api/admin/notifications/${id}`, { id }, undefined],
      [resendRoute, `/api/admin/notifications/${id}/resend`, { id }, { reason: "" }],
      [auditRoute, "/api/admin/audit?before=x", {}, undefined],
    ];
    const before = await count("notifications");
    for (const [handler, url, params, json] of cases) {
      const method = json === undefined ? "GET" : "POST";
      await expectProblem(await callRoute(handler, url, { method, params, json }), 401, "unauthorized");
      await expectProblem(
        await callRoute(handler, url, { method, params, json, headers: bearer(customer) }),
        403,
        "forbidden",
      );
    }
    expect(await count("notifications")).toBe(before);
  });

  it("dashboard: today's and the next 7 days' bookings, holds, failed notifications, refunds and staff alerts", async () => {
    const body = await expectJson<Dashboard>(await get(dashboardRoute, "/api/admin/dashboard"));
    const tomorrow = zonedInstant(addDays(today, 1), 0, 0, TZ);
    expect(body).toMatchObject({ timeZone: TZ, today: formatLocalDate(today), generatedAt: NOW.toISOString() });
    expect(body.todayBookings.count).toBe(2);
    // Same slot, booked at the same (frozen) instant: their order is by id, so compare as a set.
    expect(body.todayBookings.items.map((i) => i.code).sort()).toEqual(
      [b.a.reservation.code, b.b.reservation.code].sort(),
    );
    expect(body.upcomingBookings).toMatchObject({
      count: 2,
      from: tomorrow.toISOString(),
      to: zonedInstant(addDays(today, 8), 0, 0, TZ).toISOString(),
    });
    expect(body.upcomingBookings.items.map((i) => i.code)).toEqual([b.h.reservation.code, b.d.reservation.code]);
    expect(body.holds).toMatchObject({
      count: 1,
      items: [
        {
          code: b.h.reservation.code,
          overdue: false,
          holdExpiresAt: new Date(NOW.getTime() + 15 * MINUTE).toISOString(),
        },
      ],
    });
    expect(body.failedNotifications).toMatchObject({
      count: 1,
      items: [{ recipient: "today2@example.com", status: "failed", lastError: "550 mailbox unavailable" }],
    });
    expect(body.recentRefunds).toMatchObject({
      count: 1,
      items: [{ code: b.d.reservation.code, amount: 400, currency: "JPY" }],
    });
    expect(body.staffAlerts).toMatchObject({
      count: 1,
      items: [{ reservationId: b.h.reservation.id, kind: "late_payment", message: "テスト警告" }],
    });
    // The links open the reservation list with a filter it accepts, covering exactly today.
    const today$ = new URL(body.todayBookings.href, "http://x");
    expect(today$.pathname).toBe("/manage/reservations");
    expect(reservationQuery.parse(Object.fromEntries(today$.searchParams))).toMatchObject({
      from: dayStart,
      to: tomorrow,
      status: ["held", "confirmed", "no_show"],
    });
    expect(
      reservationQuery.safeParse(Object.fromEntries(new URL(body.holds.href, "http://x").searchParams)).success,
    ).toBe(true);
    expect(body.staffAlerts.href).toBe(`/manage/audit?action=staff.alert&from=${formatLocalDate(addDays(today, -6))}`);

    clock.set(new Date(NOW.getTime() + 20 * MINUTE), { freeze: true });
    const later = await expectJson<Dashboard>(await get(dashboardRoute, "/api/admin/dashboard", admin));
    expect(later.holds.items[0]).toMatchObject({ code: b.h.reservation.code, overdue: true });
  });

  it("notifications log: filters by status, channel, kind, recipient, reservation and day; pages on the server", async () => {
    const list = async (query: string) =>
      expectJson<List>(await get(notificationsRoute, `/api/admin/notifications${query}`));
    expect((await list("?q=TODAY2")).notifications).toMatchObject([
      { recipient: "today2@example.com", kind: "confirmed", status: "failed", attempts: 6 },
    ]);
    expect((await list("?status=failed")).notifications.map((n) => n.recipient)).toEqual(["today2@example.com"]);
    expect((await list("?kind=cancelled")).notifications).toMatchObject([
      { recipient: "cancel3@example.com", reservation: { code: b.c.reservation.code } },
    ]);
    expect((await list(`?reservationId=${b.c.reservation.id}`)).notifications.map((n) => n.kind).sort()).toEqual([
      "cancelled",
      "confirmed",
    ]);
    expect((await list("?channel=sms")).total).toBe(0);
    expect((await list("?status=&channel=&kind=")).total).toBe(await count("notifications"));

    const sent = (
      await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from notifications where status = 'sent'`)
    )[0]!.n;
    expect(sent).toBeGreaterThanOrEqual(5);
    const page1 = await list("?status=sent&pageSize=2&page=1");
    const last = await list(`?status=sent&pageSize=2&page=${Math.ceil(sent / 2)}`);
    expect(page1).toMatchObject({ total: sent, page: 1, pageSize: 2 });
    expect(page1.notifications).toHaveLength(2);
    expect(last.notifications).toHaveLength(sent - 2 * (Math.ceil(sent / 2) - 1));
    expect(await list("?status=sent&pageSize=2&page=99")).toMatchObject({ notifications: [], total: sent });

    const twoDaysAgo = formatLocalDate(addDays(today, -2));
    const moved = await notificationOf("later5@example.com");
    await ctx.db.execute(
      sql`update notifications set created_at = ${zonedInstant(addDays(today, -2), 12, 0, TZ).toISOString()}::timestamptz where id = ${moved}`,
    );
    expect((await list(`?from=${twoDaysAgo}&to=${twoDaysAgo}`)).notifications.map((n) => n.id)).toEqual([moved]);
    expect((await list(`?to=${twoDaysAgo}`)).notifications.map((n) => n.id)).toEqual([moved]);

    const problem = await expectProblem(
      await get(notificationsRoute, "/api/admin/notifications?status=bogus&pageSize=0&from=yesterday"),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(["query.status.0", "query.pageSize", "query.from"]),
    );
  });

  it("notification detail: the stored message parsed (subject, text, HTML, .ics), secrets redacted, 404 / 422 for bad ids", async () => {
    const id = await notificationOf("today1@example.com");
    const { notification } = await expectJson<{ notification: NotificationDetail }>(
      await get(notificationRoute, `/api/admin/notifications/${id}`, staff, { id }),
    );
    expect(notification).toMatchObject({
      id,
      kind: "confirmed",
      channel: "email",
      status: "sent",
      attempts: 1,
      reservation: { code: b.a.reservation.code },
    });
    expect(notification.message?.headers?.subject).toMatch(/\S/);
    expect(notification.message?.headers?.to).toBe("today1@example.com");
    expect(notification.message?.text).toContain(b.a.reservation.code);
    expect(notification.message?.html).toContain(b.a.reservation.code);
    expect(notification.message?.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/\.ics$/)]);
    expect(JSON.stringify(notification)).not.toContain(b.a.token);
    expect(notification.message?.text).toContain("[redacted]");

    const missing = crypto.randomUUID();
    await expectProblem(
      await get(notificationRoute, `/api/admin/notifications/${missing}`, staff, { id: missing }),
      404,
      "not_found",
    );
    await expectProblem(
      await get(notificationRoute, "/api/admin/notifications/nope", staff, { id: "nope" }),
      422,
      "validation_failed",
    );
  });

  it("resend: a new outbox row and an audit row with actor, role, reason, request id and IP; bad input changes nothing", async () => {
    const original = await notificationOf("today2@example.com");
    const post = (id: string, json: unknown, who: SignedIn = staff, requestId = "req-ops-resend-0001") =>
      callRoute(resendRoute, `/api/admin/notifications/${id}/resend`, {
        method: "POST",
        params: { id },
        json,
        headers: { ...bearer(who), "x-request-id": requestId, "x-forwarded-for": "203.0.113.9" },
      });
    const [n0, a0] = [await count("notifications"), await count("audit_log")];
    await expectProblem(await post(original, {}), 422, "validation_failed");
    await expectProblem(await post(original, { reason: "   " }), 422, "validation_failed");
    await expectProblem(await post(original, { reason: "ok reason", extra: 1 }), 422, "validation_failed");
    const missing = crypto.randomUUID();
    await expectProblem(await post(missing, { reason: "宛先を確認済み" }), 404, "not_found");
    const [signIn] = await queryRows<{ id: string }>(
      ctx.db,
      sql`insert into notifications (kind, channel, dedupe_key, recipient, status) values ('sign_in_link', 'email', ${crypto.randomUUID()}, 'x@example.com', 'sent') returning id`,
    );
    // A sign-in email is a credential: staff cannot even see the row (RLS, drizzle/0006), let alone resend it.
    await expectProblem(await post(signIn!.id, { reason: "もう一度送る" }), 404, "not_found");
    expect([await count("notifications"), await count("audit_log")]).toEqual([n0 + 1, a0]);

    const res = await expectJson<{ notification: { id: string } }>(
      await post(original, { reason: "宛先のメールボックス復旧を確認" }),
      201,
    );
    const [copy] = await queryRows<{
      recipient: string;
      kind: string;
      status: string;
      payload: Record<string, unknown>;
      request_id: string;
    }>(
      ctx.db,
      sql`select recipient, kind, status, payload, request_id from notifications where id = ${res.notification.id}`,
    );
    expect(copy).toMatchObject({
      recipient: "today2@example.com",
      kind: "confirmed",
      status: "pending",
      payload: { resendOf: original },
      request_id: "req-ops-resend-0001",
    });
    const audit = await queryRows<Record<string, unknown>>(
      ctx.db,
      sql`select actor_id::text, actor_role, action, entity_type, entity_id, after, reason, request_id, ip from audit_log where action = 'notification.resent' order by id`,
    );
    expect(audit).toEqual([
      {
        actor_id: staff.userId,
        actor_role: "staff",
        action: "notification.resent",
        entity_type: "reservation",
        entity_id: b.b.reservation.id,
        after: { notificationId: res.notification.id, resendOf: original, kind: "confirmed" },
        reason: "宛先のメールボックス復旧を確認",
        request_id: "req-ops-resend-0001",
        ip: "203.0.113.9",
      },
    ]);
    const { notification } = await expectJson<{ notification: NotificationDetail }>(
      await get(notificationRoute, `/api/admin/notifications/${original}`, staff, { id: original }),
    );
    expect(notification.resends.map((r) => r.id)).toEqual([res.notification.id]);
  });

  it("audit log: filters by actor (id, email, role), action (exact or prefix), entity and day; keyset pages", async () => {
    const list = async (query: string) =>
      expectJson<AuditPage>(await get(auditRoute, `/api/admin/audit${query}`, admin));
    const byStaff = await list(`?actor=${staff.userId}`);
    expect(byStaff.entries.map((e) => [e.action, e.actor])).toEqual([
      ["notification.resent", { id: staff.userId, role: "staff", email: staff.email }],
    ]);
    expect((await list(`?actor=${staff.email.toUpperCase()}`)).entries.map((e) => e.action)).toEqual([
      "notification.resent",
    ]);
    expect((await list("?actor=nobody@example.com")).entries).toEqual([]);
    expect((await list("?actor=system:payments")).entries.map((e) => e.action)).toEqual(["staff.alert"]);
    expect((await list("?action=notification.*")).entries.map((e) => e.action)).toEqual(["notification.resent"]);
    const forC = await list(`?entityType=reservation&entityId=${b.c.reservation.id}`);
    expect(forC.entries.map((e) => e.action)).toEqual(["reservation.cancelled", "reservation.confirmed"]);
    expect(forC.entries[0]).toMatchObject({
      reason: "fixture",
      actor: { id: null, role: "system:admin-ops-test", email: null },
    });
    expect((await list(`?from=${formatLocalDate(addDays(localDateOf(new Date(), TZ), 1))}`)).entries).toEqual([]);

    await asService(async (tx) => {
      for (let i = 1; i <= 5; i++)
        await tx.execute(
          sql`insert into audit_log (actor_role, action, entity_type, entity_id) values ('system:test', 'test.page', 'probe', ${String(i)})`,
        );
    });
    const p1 = await list("?action=test.page&pageSize=2");
    expect(p1.entries.map((e) => e.entityId)).toEqual(["5", "4"]);
    expect(p1.newer).toBeNull();
    const p2 = await list(`?action=test.page&pageSize=2&before=${p1.older}`);
    expect(p2.entries.map((e) => e.entityId)).toEqual(["3", "2"]);
    const p3 = await list(`?action=test.page&pageSize=2&before=${p2.older}`);
    expect(p3).toMatchObject({ older: null, entries: [{ entityId: "1" }] });
    const back = await list(`?action=test.page&pageSize=2&after=${p2.newer}`);
    expect(back.entries.map((e) => e.entityId)).toEqual(["5", "4"]);
    expect(back.newer).toBeNull();

    const problem = await expectProblem(
      await get(auditRoute, "/api/admin/audit?before=1&after=2&pageSize=500"),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["query.pageSize"]));
    await expectProblem(await get(auditRoute, "/api/admin/audit?before=1&after=2"), 422, "validation_failed");
  });
});
