import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import pino from "pino";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as auditRoute } from "@/app/api/admin/audit/route";
import { GET as notificationsRoute } from "@/app/api/admin/notifications/route";
import { POST as cancelRoute } from "@/app/api/admin/reservations/[id]/cancel/route";
import { POST as notifyRoute } from "@/app/api/admin/reservations/[id]/notify/route";
import { GET as exportRoute } from "@/app/api/admin/reservations/export/route";
import { GET as reservationsRoute } from "@/app/api/admin/reservations/route";
import { POST as importRoute } from "@/app/api/admin/slots/import/route";
import { GET as adminSlotsRoute, POST as createSlotRoute } from "@/app/api/admin/slots/route";
import { GET as usersRoute } from "@/app/api/admin/users/route";
import { GET as webhooksRoute } from "@/app/api/admin/webhooks/route";
import { POST as reservationsPost } from "@/app/api/reservations/route";
import { GET as publicSlotsRoute } from "@/app/api/slots/route";
import { POST as emailWebhook } from "@/app/api/webhooks/email/route";
import { POST as stripeWebhook } from "@/app/api/webhooks/stripe/route";
import BookSlotPage from "@/app/book/[slotId]/page";
import EmailPreviewPage from "@/app/dev/email/preview/[template]/[rid]/page";
import ManageReservationPage from "@/app/reservations/[code]/page";
import PayPage from "@/app/reservations/[code]/pay/page";
import ServiceSlotsPage from "@/app/services/[slug]/page";
import { clock } from "@/lib/clock";
import { YEAR_MESSAGE } from "@/lib/date-input";
import { loggerOptions } from "@/lib/logger";
import { importSlots } from "@/server/booking/slot-import";
import { getPublicService } from "@/server/catalog/services";
import { queryRows } from "@/server/db/client";
import { emailSuppressions } from "@/server/db/schema";
import { EMULATOR_WEBHOOK_SECRET } from "@/server/payments/config";
import { getStripe } from "@/server/payments/stripe";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, T0, at, holdOk, holdPayload, newService, snapshot } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectProblem, type RouteHandler } from "../helpers/http";

const NUL = "\u0000";
const EMAIL_SECRET = "bad-input-email-webhook-secret-0123456789";

/** What a refused request might have touched, beyond the booking snapshot: counted per table. */
async function counts(db: Parameters<typeof snapshot>[0]) {
  const [row] = await queryRows<Record<string, number>>(
    db,
    sql`select (select count(*) from services)::int as services, (select count(*) from slots)::int as slots,
               (select count(*) from webhook_events)::int as webhooks, (select count(*) from email_suppressions)::int as suppressions,
               (select count(*) from idempotency_keys)::int as idempotency, (select count(*) from payments)::int as payments`,
  );
  return { ...(await snapshot(db)), ...row };
}

/** A streamed body that records whether anything was pulled from it beyond the first chunk. */
function endlessBody() {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      controller.enqueue(new TextEncoder().encode(" ".repeat(16_384)));
    },
  });
  return { stream, state };
}

function streamedPost(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>): NextRequest {
  return new NextRequest(new URL(path, "http://localhost"), {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as ConstructorParameters<typeof NextRequest>[1]);
}

/** notFound() throws Next's 404 fallback error, which the framework turns into the 404 page. */
const NOT_FOUND = { digest: "NEXT_HTTP_ERROR_FALLBACK;404" };

/**
 * Issue 11, "bad input never reaches a 500": NUL and other control characters, far-off dates, oversized bodies and
 * garbage in page params each get their 4xx (or the 404 page), and change nothing. Error logs keep SQL and codes but
 * never the query's values.
 */
describeEachDatabase("bad input never reaches a 500", (ctx) => {
  let staff: SignedIn;
  let admin: SignedIn;
  let restoreEnv: () => void;

  beforeAll(async () => {
    clock.set(T0, { freeze: true });
    staff = await signedInAs(ctx.db, "staff");
    admin = await signedInAs(ctx.db, "admin");
  });
  beforeEach(() => {
    restoreEnv = setEnv({ EMAIL_WEBHOOK_SECRET: EMAIL_SECRET });
    clock.set(T0, { freeze: true });
  });
  afterEach(() => restoreEnv());

  const staffHeaders = () => ({
    ...bearer(staff),
    "idempotency-key": crypto.randomUUID(),
    "x-forwarded-for": "192.0.2.10",
  });
  const paidHeld = async () => {
    const service = await newService(ctx.db);
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 4 });
    return { service, slot, held: await holdOk(slot.id) };
  };

  describe("NUL and other control characters: 422, nothing written", () => {
    it("the PostgreSQL behind every one of these refuses NUL in text, so the guards are what keeps it from a 500", async () => {
      await expect(getPublicService({ slug: `a${NUL}` }, "ja")).rejects.toThrow();
    });

    it("POST /api/reservations: a hold whose name holds NUL, or a tab, or whose email holds DEL", async () => {
      const { slot } = await paidHeld();
      const before = await counts(ctx.db);
      const post = (customer: Record<string, string>) =>
        callRoute(reservationsPost, "/api/reservations", {
          method: "POST",
          json: holdPayload(slot.id, { customer }),
          headers: { "idempotency-key": crypto.randomUUID() },
        });
      const nul = await expectProblem(
        await post({ name: `山田${NUL}花子`, email: "hanako@example.com" }),
        422,
        "validation_failed",
      );
      expect(nul.errors).toEqual([
        { path: "body.customer.name", message: "must not contain control characters", code: "invalid_characters" },
      ]);
      const tab = await expectProblem(
        await post({ name: "山田\t花子", email: "hanako@example.com" }),
        422,
        "validation_failed",
      );
      expect(tab.errors).toEqual([
        expect.objectContaining({
          path: "body.customer.name",
          message: "must be one line, without tabs or control characters",
        }),
      ]);
      const del = await expectProblem(
        await post({ name: "山田", email: "hanako\u007f@example.com" }),
        422,
        "validation_failed",
      );
      expect(del.errors?.[0]?.path).toBe("body.customer.email");
      expect(await counts(ctx.db)).toEqual(before);
    });

    it("a reason (staff cancel) and a staff message with NUL; a subject with a line break", async () => {
      const { held } = await paidHeld();
      const id = held.reservation.id;
      const before = await counts(ctx.db);
      const cancel = await callRoute(cancelRoute, `/api/admin/reservations/${id}/cancel`, {
        method: "POST",
        json: { reason: `phoned${NUL}`, refund: "none" },
        params: { id },
        headers: staffHeaders(),
      });
      expect((await expectProblem(cancel, 422, "validation_failed")).errors?.[0]?.path).toBe("body.reason");
      const notify = (body: Record<string, string>) =>
        callRoute(notifyRoute, `/api/admin/reservations/${id}/notify`, {
          method: "POST",
          json: {
            reason: "a note for the customer",
            type: "message",
            subject: "About your visit",
            message: "Hello",
            ...body,
          },
          params: { id },
          headers: staffHeaders(),
        });
      expect(
        (await expectProblem(await notify({ message: `Hello${NUL}` }), 422, "validation_failed")).errors?.[0]?.path,
      ).toBe("body.message");
      const subject = await expectProblem(
        await notify({ subject: "About\r\nBcc: x@example.com" }),
        422,
        "validation_failed",
      );
      expect(subject.errors).toEqual([
        expect.objectContaining({
          path: "body.subject",
          message: "must be one line, without tabs or control characters",
        }),
      ]);
      expect(await counts(ctx.db)).toEqual(before);
    });

    it("the slot CSV import: 422 from the API, a per-row error from the import itself (npm run slots:import)", async () => {
      const service = await newService(ctx.db);
      const csv = `service,date,time,capacity\n${service.slug},2030-01-08,10:00,\n${service.slug}${NUL},2030-01-08,11:00,\n${service.slug},2030-01-08,12:00,3${NUL}`;
      const before = await counts(ctx.db);
      const res = await callRoute(importRoute, "/api/admin/slots/import", {
        method: "POST",
        json: { csv, dryRun: true },
        headers: bearer(staff),
      });
      expect((await expectProblem(res, 422, "validation_failed")).errors?.[0]?.path).toBe("body.csv");
      const report = await importSlots(csv, {
        dryRun: false,
        skipExisting: true,
        actor: { kind: "system", name: "test" },
      });
      expect(report.ok).toBe(false);
      expect(report.errors).toEqual([
        { line: 3, field: "service", code: "control_characters", message: "must not contain control characters" },
        { line: 4, field: "capacity", code: "control_characters", message: "must not contain control characters" },
      ]);
      expect(await counts(ctx.db)).toEqual(before);
    });

    it.each<[string, RouteHandler, string]>([
      ["reservations q", reservationsRoute, `/api/admin/reservations?q=BK${encodeURIComponent(NUL)}`],
      ["reservation export q", exportRoute, `/api/admin/reservations/export?q=${encodeURIComponent(NUL)}`],
      ["audit actor", auditRoute, `/api/admin/audit?actor=a${encodeURIComponent(NUL)}@example.com`],
      ["audit entityId", auditRoute, `/api/admin/audit?entityId=${encodeURIComponent(`x${NUL}`)}`],
      ["users q", usersRoute, `/api/admin/users?q=${encodeURIComponent(NUL)}`],
      ["notifications q", notificationsRoute, `/api/admin/notifications?q=${encodeURIComponent(`a${NUL}`)}`],
      ["webhooks q", webhooksRoute, `/api/admin/webhooks?q=evt${encodeURIComponent("\u0001")}`],
    ])("GET %s with a control character: 422 naming the filter", async (_name, handler, path) => {
      const res = await callRoute(handler, path, { headers: bearer(admin) });
      const problem = await expectProblem(res, 422, "validation_failed");
      expect(problem.errors?.[0]?.path).toMatch(/^query\.(q|actor|entityId)$/);
    });

    it("a bounce webhook whose JSON holds \\u0000 (stored as jsonb, which refuses it)", async () => {
      const before = await counts(ctx.db);
      const res = await callRoute(emailWebhook, "/api/webhooks/email", {
        method: "POST",
        body: '{"type":"bounce","email":"x@example.jp","reason":"mailbox \\u0000 full"}',
        headers: { authorization: `Bearer ${EMAIL_SECRET}`, "content-type": "application/json" },
      });
      expect((await expectProblem(res, 422, "validation_failed")).errors?.[0]?.path).toBe("body.reason");
      const postmark = await callRoute(emailWebhook, "/api/webhooks/email", {
        method: "POST",
        body: '{"RecordType":"Bounce","ID":1,"Type":"SoftBounce","Email":"x@example.jp","BouncedAt":"\\ud800"}',
        headers: { authorization: `Bearer ${EMAIL_SECRET}`, "content-type": "application/json" },
      });
      const surrogate = await expectProblem(postmark, 422, "validation_failed");
      expect(surrogate.errors).toEqual([
        expect.objectContaining({ path: "body.BouncedAt", message: expect.stringMatching(/unpaired surrogate/) }),
      ]);
      expect(await counts(ctx.db)).toEqual(before);
    });

    it.each([
      ["null", "null", "body"],
      ["an array", "[{}]", "body"],
      ["an event without a type", '{"id":"evt_1","object":"event","data":{"object":{}}}', "body.type"],
      [
        "NUL in metadata",
        '{"id":"evt_2","type":"checkout.session.completed","data":{"object":{"metadata":{"name":"a\\u0000"}}}}',
        "body.data.object.metadata.name",
      ],
      ["20,000 levels of arrays", "[".repeat(20_000) + "]".repeat(20_000), "body" + ".0".repeat(32)],
    ])("a validly signed Stripe delivery that is %s: 422, nothing stored", async (_case, payload, path) => {
      const before = await counts(ctx.db);
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      const signature = getStripe().webhooks.generateTestHeaderString({
        payload,
        secret: EMULATOR_WEBHOOK_SECRET,
        timestamp,
      });
      const res = await callRoute(stripeWebhook, "/api/webhooks/stripe", {
        method: "POST",
        body: payload,
        headers: { "stripe-signature": signature, "content-type": "application/json" },
      });
      expect((await expectProblem(res, 422, "validation_failed")).errors?.[0]?.path).toBe(path);
      expect(await counts(ctx.db)).toEqual(before);
    });
  });

  describe("pages answer 404 for NUL and garbage in their params", () => {
    const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });
    const search = (values: Record<string, string> = {}) => ({ searchParams: Promise.resolve(values) });

    it.each([NUL, `haircut${NUL}`, "x".repeat(500)])("/services/%j", async (slug) => {
      await expect(ServiceSlotsPage(params({ slug }))).rejects.toMatchObject(NOT_FOUND);
    });

    it.each([NUL, "not-a-uuid"])("/book/%j", async (slotId) => {
      await expect(BookSlotPage(params({ slotId }))).rejects.toMatchObject(NOT_FOUND);
    });

    it.each([NUL, `BK-AAAA-AAAA${NUL}`, "BK AAAA", "a/b", "x".repeat(41)])(
      "/reservations/%j and its pay page",
      async (code) => {
        await expect(
          ManageReservationPage({ ...params({ code }), ...search({ token: "t".repeat(43) }) }),
        ).rejects.toMatchObject(NOT_FOUND);
        await expect(PayPage({ ...params({ code }), ...search({ token: "t".repeat(43) }) })).rejects.toMatchObject(
          NOT_FOUND,
        );
      },
    );

    it.each([NUL, "%E0%A4%A", "%00"])("/dev/email/preview/confirmation/%j", async (rid) => {
      await expect(
        EmailPreviewPage({ ...params({ template: "confirmation", rid }), ...search() }),
      ).rejects.toMatchObject(NOT_FOUND);
    });
  });

  describe("dates are bounded to the years 2000–2100", () => {
    it.each<[string, RouteHandler, string, string]>([
      ["GET /api/admin/slots?from=0000-01-01", adminSlotsRoute, "/api/admin/slots?from=0000-01-01", "query.from"],
      [
        "GET /api/admin/slots?to=9999-12-31T00:00:00Z",
        adminSlotsRoute,
        "/api/admin/slots?from=2030-01-01&to=9999-12-31T00:00:00Z",
        "query.to",
      ],
      [
        "GET /api/admin/reservations?from=0000-01-01",
        reservationsRoute,
        "/api/admin/reservations?from=0000-01-01",
        "query.from",
      ],
      [
        "GET /api/admin/audit?to=0001-01-01T00:00:00Z",
        auditRoute,
        "/api/admin/audit?to=0001-01-01T00:00:00Z",
        "query.to",
      ],
      ["GET /api/admin/webhooks?from=1900-01-01", webhooksRoute, "/api/admin/webhooks?from=1900-01-01", "query.from"],
    ])("%s: 422 with the year message", async (_name, handler, path, field) => {
      const problem = await expectProblem(
        await callRoute(handler, path, { headers: bearer(admin) }),
        422,
        "validation_failed",
      );
      expect(problem.errors).toEqual([expect.objectContaining({ path: field, message: YEAR_MESSAGE })]);
    });

    it("GET /api/slots and POST /api/admin/slots with year 0000: 422, nothing created", async () => {
      const service = await newService(ctx.db);
      const slots = await callRoute(publicSlotsRoute, `/api/slots?serviceId=${service.id}&from=0000-01-01T00:00:00Z`);
      expect((await expectProblem(slots, 422, "validation_failed")).errors?.[0]).toMatchObject({
        path: "query.from",
        message: YEAR_MESSAGE,
      });
      const before = await counts(ctx.db);
      const created = await callRoute(createSlotRoute, "/api/admin/slots", {
        method: "POST",
        json: { serviceId: service.id, date: "0000-01-01", time: "10:00", reason: "far back" },
        headers: bearer(staff),
      });
      expect((await expectProblem(created, 422, "validation_failed")).errors?.[0]).toMatchObject({
        path: "body.date",
        message: YEAR_MESSAGE,
      });
      expect(await counts(ctx.db)).toEqual(before);
    });
  });

  describe("bodies are capped before and while reading", () => {
    it("POST /api/reservations declaring 30 MB: 413 before the body is read", async () => {
      const before = await counts(ctx.db);
      const { stream, state } = endlessBody();
      const req = streamedPost("/api/reservations", stream, {
        "content-type": "application/json",
        "content-length": String(30 * 1024 * 1024),
        "idempotency-key": crypto.randomUUID(),
      });
      await expectProblem(await reservationsPost(req), 413, "payload_too_large");
      expect(state.pulled).toBeLessThanOrEqual(1);
      expect(await counts(ctx.db)).toEqual(before);
    });

    it.each<[string, RouteHandler, Record<string, string>]>([
      ["/api/reservations", reservationsPost, { "idempotency-key": crypto.randomUUID() }],
      ["/api/webhooks/stripe", stripeWebhook, { "stripe-signature": "t=1,v1=00" }],
      ["/api/webhooks/email", emailWebhook, { authorization: `Bearer ${EMAIL_SECRET}` }],
    ])("POST %s streaming without Content-Length: 413 once past the limit", async (path, handler, headers) => {
      const before = await counts(ctx.db);
      const { stream, state } = endlessBody();
      const res = await handler(streamedPost(path, stream, { "content-type": "application/json", ...headers }));
      await expectProblem(res, 413, "payload_too_large");
      // The largest limit is the Stripe webhook's 512 KiB: 33 chunks of 16 KiB, and not one more.
      expect(state.pulled).toBeLessThanOrEqual(34);
      expect(await counts(ctx.db)).toEqual(before);
    });
  });

  describe("error logs keep SQL and codes, never the values", () => {
    function capture() {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      return { log: pino({ ...loggerOptions, level: "info" }, stream), lines };
    }
    const failure = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        return error;
      }
      throw new Error("expected the query to fail");
    };

    it("a unique violation (drizzle's DrizzleQueryError over the driver's error) logs without the email", async () => {
      const email = `leak-${crypto.randomUUID().slice(0, 8)}@example.jp`;
      await ctx.db.insert(emailSuppressions).values({ email, reason: "manual", source: "secret-source-value" });
      const error = await failure(() =>
        ctx.db.insert(emailSuppressions).values({ email, reason: "manual", source: "secret-source-value" }),
      );
      expect(String((error as Error).message)).toContain(email); // what the serializer is up against
      const { log, lines } = capture();
      log.error({ err: error, event: "test.failed" }, "request failed");
      const line = lines.join("");
      expect(line).not.toContain(email);
      expect(line).not.toContain("secret-source-value");
      expect(line).not.toMatch(/Key \(email\)/);
      const entry = JSON.parse(line) as { err: Record<string, unknown> & { cause?: Record<string, unknown> } };
      expect(entry.err.type).toBe("DrizzleQueryError");
      expect(entry.err.message).toMatch(
        /^Failed query: insert into "email_suppressions" .*\$1.*\nparams: \[redacted\]$/s,
      );
      expect(entry.err.stack).toEqual(expect.stringContaining("params: [redacted]"));
      expect(entry.err).not.toHaveProperty("params");
      expect(entry.err).not.toHaveProperty("query");
      expect(entry.err.cause).toMatchObject({
        code: "23505",
        message: expect.stringContaining("email_suppressions_pkey"),
      });
      expect(entry.err.cause).not.toHaveProperty("detail");
    });

    it("a value PostgreSQL quotes in its own message (invalid uuid) is scrubbed too, through the whole cause chain", async () => {
      const token = "token-hash-0123456789abcdef";
      const error = await failure(() => ctx.db.execute(sql`select * from reservations where id = ${token}::uuid`));
      const wrapped = new Error("request failed", { cause: error });
      const { log, lines } = capture();
      log.error({ err: wrapped }, "request failed");
      const line = lines.join("");
      expect(line).not.toContain(token);
      const entry = JSON.parse(line) as {
        err: { cause: { type: string; message: string; cause: { code: string; message: string } } };
      };
      expect(entry.err.cause).toMatchObject({
        type: "DrizzleQueryError",
        message: "Failed query: select * from reservations where id = $1::uuid\nparams: [redacted]",
      });
      expect(entry.err.cause.cause).toMatchObject({
        code: "22P02",
        message: 'invalid input syntax for type uuid: "[redacted]"',
      });
    });
  });
});
