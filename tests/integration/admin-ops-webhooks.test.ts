import { sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { POST as replayRoute } from "@/app/api/admin/webhooks/[id]/replay/route";
import { GET as eventRoute } from "@/app/api/admin/webhooks/[id]/route";
import { GET as listRoute } from "@/app/api/admin/webhooks/route";
import { clock } from "@/lib/clock";
import type { ReplayResult, WebhookDetail, WebhookListRow } from "@/server/admin/webhook-inbox";
import { queryRows } from "@/server/db/client";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { clearStripeFaults, injectStripeFault } from "@/server/emulators/stripe/faults";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { setStripeForTests } from "@/server/payments/stripe";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, T0, at, holdOk, newService, type Held } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import { checkoutOk, deliverWebhooksInProcess, reservationStatus, settle } from "../helpers/payments";

type List = { events: WebhookListRow[]; total: number };
type InboxRow = { id: string; type: string; status: string; outcome: string | null; attempts: number };

/** The /manage operations API, part 2: the webhook inbox and its replay through the inbox's own processing path. */
describeEachDatabase("admin API: webhook inbox and replay", (ctx) => {
  let staff: SignedIn, admin: SignedIn, customer: SignedIn;

  beforeAll(async () => {
    clock.set(T0, { freeze: true });
    [staff, admin, customer] = [
      await signedInAs(ctx.db, "staff"),
      await signedInAs(ctx.db, "admin"),
      await signedInAs(ctx.db, "user"),
    ];
  });
  beforeEach(() => {
    resetStripeEmulator();
    deliverWebhooksInProcess();
    clock.set(T0, { freeze: true });
  });
  afterEach(async () => {
    await settle();
    clearStripeFaults();
    setStripeForTests(undefined);
  });

  const inbox = (reservationId: string) =>
    queryRows<InboxRow>(
      ctx.db,
      sql`select id, type, status, outcome, attempts from webhook_events
           where payload #>> '{data,object,metadata,reservation_id}' = ${reservationId} order by type`,
    );
  const auditCount = async () =>
    (await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from audit_log`))[0]!.n;
  const replay = (
    id: string,
    json: unknown,
    who: SignedIn | null = staff,
    requestId = `req-replay-${crypto.randomUUID()}`,
  ) =>
    callRoute(replayRoute, `/api/admin/webhooks/${id}/replay`, {
      method: "POST",
      params: { id },
      json,
      headers: { ...bearer(who), "x-request-id": requestId, "x-forwarded-for": "198.51.100.4" },
    });

  /** A paid checkout whose webhook processing failed: the gateway re-reads answered 500, nothing retried. */
  const failedPayment = async (): Promise<{ held: Held; rows: InboxRow[] }> => {
    const service = await newService(ctx.db, { priceAmount: 1500 });
    const held = await holdOk(
      (await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 5 })).id,
    );
    const checkout = await checkoutOk(held);
    deliverWebhooksInProcess({ maxAttempts: 1 });
    injectStripeFault({
      method: "GET",
      path: /^\/v1\/(checkout\/sessions|payment_intents)\//,
      kind: "http_500",
      times: 6,
    });
    await payCheckoutSession(checkout.sessionId, "4242 4242 4242 4242");
    await settle();
    clearStripeFaults();
    const rows = await inbox(held.reservation.id);
    expect(rows.map((r) => [r.type, r.status])).toEqual([
      ["checkout.session.completed", "failed"],
      ["payment_intent.succeeded", "failed"],
    ]);
    expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
    return { held, rows };
  };

  it("answers 401 without a session and 403 to a customer, and changes nothing", async () => {
    const { rows } = await failedPayment();
    const id = rows[0]!.id;
    const before = await auditCount();
    for (const who of [null, customer]) {
      const [status, code] = who ? [403, "forbidden"] : [401, "unauthorized"];
      await expectProblem(await callRoute(listRoute, "/api/admin/webhooks", { headers: bearer(who) }), status, code);
      await expectProblem(
        await callRoute(eventRoute, `/api/admin/webhooks/${id}`, { headers: bearer(who), params: { id } }),
        status,
        code,
      );
      await expectProblem(await replay(id, { reason: "顧客から入金の連絡" }, who), status, code);
    }
    expect(await auditCount()).toBe(before);
    expect(await queryRows(ctx.db, sql`select status, attempts from webhook_events where id = ${id}`)).toEqual([
      { status: "failed", attempts: 1 },
    ]);
  });

  it("lists and filters the inbox, and shows one event with its payload", async () => {
    const { held, rows } = await failedPayment();
    const list = async (query: string) =>
      expectJson<List>(await callRoute(listRoute, `/api/admin/webhooks${query}`, { headers: bearer(admin) }));
    const failed = await list("?status=failed&provider=stripe");
    expect(failed.events.map((e) => e.id)).toEqual(expect.arrayContaining(rows.map((r) => r.id)));
    expect(failed.events.every((e) => e.status === "failed" && e.attempts === 1 && e.lastError !== null)).toBe(true);
    const completed = await list("?type=checkout.session.*&status=failed");
    expect(completed.events.map((e) => e.type)).toEqual(completed.events.map(() => "checkout.session.completed"));
    expect(completed.events.map((e) => e.id)).toContain(rows[0]!.id);
    const { event } = await expectJson<{ event: WebhookDetail }>(
      await callRoute(eventRoute, `/api/admin/webhooks/${rows[1]!.id}`, {
        headers: bearer(staff),
        params: { id: rows[1]!.id },
      }),
    );
    expect(event).toMatchObject({ provider: "stripe", type: "payment_intent.succeeded", status: "failed" });
    expect(event.payload).toMatchObject({
      id: event.eventId,
      type: "payment_intent.succeeded",
      data: { object: { metadata: { reservation_id: held.reservation.id } } },
    });
    expect((await list(`?q=${event.eventId.slice(4, 20)}`)).events.map((e) => e.id)).toEqual([event.id]);
    expect((await list("?provider=email")).total).toBe(0);
    const problem = await expectProblem(
      await callRoute(listRoute, "/api/admin/webhooks?status=done&page=0", { headers: bearer(staff) }),
      422,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["query.status.0", "query.page"]));
  });

  it("replays a failed event through the inbox path (confirmed), then a second replay reports duplicate and changes nothing", async () => {
    const { held, rows } = await failedPayment();
    const session = rows[0]!;
    const res = await replay(session.id, { reason: "Stripe 障害の復旧後に再処理" }, staff, "req-replay-000000001");
    const { replay: result } = await expectJson<{ replay: ReplayResult }>(res);
    expect(result).toEqual({
      id: session.id,
      outcome: "confirmed",
      duplicate: false,
      before: { status: "failed", outcome: null, attempts: 1 },
      after: { status: "processed", outcome: "confirmed", attempts: 2, lastError: null },
    });
    expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
    const confirmations = async () =>
      queryRows<{ request_id: string }>(
        ctx.db,
        sql`select request_id from audit_log where entity_id = ${held.reservation.id} and action = 'reservation.confirmed'`,
      );
    // The state change it caused carries the replay's request id.
    expect(await confirmations()).toEqual([{ request_id: "req-replay-000000001" }]);

    const again = await expectJson<{ replay: ReplayResult }>(
      await replay(session.id, { reason: "念のためもう一度" }, admin, "req-replay-000000002"),
    );
    expect(again.replay).toMatchObject({
      outcome: "duplicate",
      duplicate: true,
      before: { status: "processed", attempts: 2 },
      after: { status: "processed", outcome: "confirmed", attempts: 2 },
    });
    expect(await confirmations()).toHaveLength(1);

    const audit = await queryRows<Record<string, unknown>>(
      ctx.db,
      sql`select actor_id::text, actor_role, entity_type, before, after, reason, request_id, ip from audit_log
           where action = 'webhook.replayed' and entity_id = ${session.id} order by id`,
    );
    expect(audit).toEqual([
      {
        actor_id: staff.userId,
        actor_role: "staff",
        entity_type: "webhook_event",
        before: { status: "failed", outcome: null, attempts: 1 },
        after: {
          status: "processed",
          outcome: "confirmed",
          attempts: 2,
          lastError: null,
          result: "confirmed",
          eventId: expect.stringMatching(/^evt_/),
          type: "checkout.session.completed",
        },
        reason: "Stripe 障害の復旧後に再処理",
        request_id: "req-replay-000000001",
        ip: "198.51.100.4",
      },
      expect.objectContaining({
        actor_id: admin.userId,
        actor_role: "admin",
        reason: "念のためもう一度",
        after: expect.objectContaining({ result: "duplicate", status: "processed" }),
      }),
    ]);
    // Each replay was on record before it ran, with who asked and why.
    const requested = await queryRows<{ actor_id: string; reason: string; before: unknown; id: number }>(
      ctx.db,
      sql`select actor_id::text, reason, before, id from audit_log where action = 'webhook.replay_requested' and entity_id = ${session.id} order by id`,
    );
    expect(requested.map(({ actor_id, reason, before }) => ({ actor_id, reason, before }))).toEqual([
      {
        actor_id: staff.userId,
        reason: "Stripe 障害の復旧後に再処理",
        before: { status: "failed", outcome: null, attempts: 1 },
      },
      {
        actor_id: admin.userId,
        reason: "念のためもう一度",
        before: { status: "processed", outcome: "confirmed", attempts: 2 },
      },
    ]);

    // The other failed event of the same payment is now stale: processed without a second confirmation.
    const intent = await expectJson<{ replay: ReplayResult }>(
      await replay(rows[1]!.id, { reason: "残りのイベントも処理" }),
    );
    expect(intent.replay).toMatchObject({ duplicate: false, after: { status: "processed" } });
    expect(await confirmations()).toHaveLength(1);
  });

  it("reports a replay that fails again (status failed, error kept) and audits it; the next replay succeeds", async () => {
    const { held, rows } = await failedPayment();
    injectStripeFault({ method: "GET", path: /^\/v1\/checkout\/sessions\//, kind: "http_500", times: 3 });
    const failed = await expectJson<{ replay: ReplayResult }>(await replay(rows[0]!.id, { reason: "一度目の再処理" }));
    expect(failed.replay).toMatchObject({
      outcome: "failed",
      duplicate: false,
      before: { status: "failed", attempts: 1 },
      after: { status: "failed", attempts: 2 },
    });
    expect(failed.replay.after.lastError).toMatch(/\S/);
    expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("held");
    const [audit] = await queryRows<{ after: { result: string; status: string } }>(
      ctx.db,
      sql`select after from audit_log where action = 'webhook.replayed' and entity_id = ${rows[0]!.id}`,
    );
    expect(audit?.after).toMatchObject({ result: "failed", status: "failed" });

    clearStripeFaults();
    expect(
      (await expectJson<{ replay: ReplayResult }>(await replay(rows[0]!.id, { reason: "二度目の再処理" }))).replay
        .outcome,
    ).toBe("confirmed");
    expect(await reservationStatus(ctx.db, held.reservation.id)).toBe("confirmed");
  });

  it("refuses bad input, unknown events and non-Stripe events without changing anything", async () => {
    const { rows } = await failedPayment();
    const [email] = await queryRows<{ id: string }>(
      ctx.db,
      sql`insert into webhook_events (provider, event_id, type, payload, status, attempts) values ('email', ${`em-${crypto.randomUUID()}`}, 'hard_bounce', '{}', 'processed', 1) returning id`,
    );
    const before = await auditCount();
    await expectProblem(await replay(rows[0]!.id, {}), 422, "validation_failed");
    await expectProblem(await replay(rows[0]!.id, { reason: "  " }), 422, "validation_failed");
    await expectProblem(await replay("not-a-uuid", { reason: "理由があります" }), 422, "validation_failed");
    const missing = crypto.randomUUID();
    await expectProblem(await replay(missing, { reason: "理由があります" }), 404, "not_found");
    await expectProblem(
      await callRoute(eventRoute, `/api/admin/webhooks/${missing}`, {
        headers: bearer(staff),
        params: { id: missing },
      }),
      404,
      "not_found",
    );
    await expectProblem(await replay(email!.id, { reason: "理由があります" }), 409, "invalid_state");
    expect(await auditCount()).toBe(before);
    expect(await queryRows(ctx.db, sql`select status, attempts from webhook_events where id = ${rows[0]!.id}`)).toEqual(
      [{ status: "failed", attempts: 1 }],
    );
  });
});
