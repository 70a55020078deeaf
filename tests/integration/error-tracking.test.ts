import * as Sentry from "@sentry/nextjs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as sendRemindersRoute } from "@/app/api/cron/send-reminders/route";
import { POST as devErrorRoute } from "@/app/api/dev/error/route";
import { POST as stripeWebhookRoute } from "@/app/api/webhooks/stripe/route";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { resetStripeEmulator } from "@/server/emulators/stripe/emulator";
import { clearStripeFaults, injectStripeFault } from "@/server/emulators/stripe/faults";
import { asService } from "@/server/db";
import { authorizedRoute, route } from "@/server/http/route";
import { jobs, runJob } from "@/server/jobs/registry";
import { reportError } from "@/server/observability/errors";
import { initErrorTracking } from "@/server/observability/sentry";
import { hashUserId } from "@/server/observability/user-hash";
import { alertStaff } from "@/server/payments/alerts";
import { EMULATOR_WEBHOOK_SECRET } from "@/server/payments/config";
import { getStripe } from "@/server/payments/stripe";
import { describeEachDatabase } from "../helpers/db";
import { mocksOffEnv, setEnv, TEST_CRON_SECRET, withEnv } from "../helpers/env";
import { callRoute, expectProblem } from "../helpers/http";
import { startEnvelopeReceiver, type EnvelopeReceiver, type ReceivedEvent } from "../helpers/sentry-receiver";

/**
 * Issue 13, error tracking: the real @sentry/nextjs SDK, initialised the way the server does it (initErrorTracking,
 * settings from the env schema), sends to a local envelope receiver. Each failure must arrive as exactly one event
 * with its tags and without personal data; without a DSN nothing is sent and only the log line is written.
 */

const MANAGE_TOKEN = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1tYW5hZ2UtdG9rZW4";
const EMAIL = "guest.person@example.com";
const CLIENT_IP = "198.51.100.4";
const COOKIE_VALUE = "cookie-secret-value-1234";
/** What a request from a signed-in guest carries that must never reach Sentry. */
const PERSONAL_HEADERS = {
  cookie: `sb-access-token=${COOKIE_VALUE}`,
  "x-forwarded-for": CLIENT_IP,
  "x-real-ip": CLIENT_IP,
  "content-type": "application/json",
};
/** Personal data, and the markers that would ask Sentry to infer the client's IP address. */
const LEAKS = [EMAIL, CLIENT_IP, COOKIE_VALUE, MANAGE_TOKEN, "sb-access-token", "{{auto}}", '"infer_ip":"auto"'];

let receiver: EnvelopeReceiver;

beforeAll(async () => {
  receiver = await startEnvelopeReceiver();
});
afterAll(async () => {
  await Sentry.close(5_000);
  await receiver.close();
});

function expectNoPersonalData(): void {
  const everything = receiver.envelopes.map((e) => e.raw).join("\n");
  for (const leak of LEAKS) expect(everything, `"${leak}" reached Sentry`).not.toContain(leak);
}

function expectOneEvent(): ReceivedEvent {
  const events = receiver.events();
  expect(events, JSON.stringify(events.map((e) => e.exception?.values?.[0]?.value ?? e.message))).toHaveLength(1);
  return events[0]!;
}

/** Runs first in this file: the SDK has not been initialised, as in the embedded default (no SENTRY_DSN). */
describe("error tracking without a DSN (mode off)", () => {
  it("answers the 500, writes the error.reported log line and sends nothing", async () => {
    const logged = vi.spyOn(logger, "error");
    const res = await callRoute(devErrorRoute, `/api/dev/error?token=${MANAGE_TOKEN}`, {
      method: "POST",
      headers: PERSONAL_HEADERS,
    });
    await expectProblem(res, 500, "internal");
    expect(Sentry.getClient()).toBeUndefined();
    expect(await Sentry.flush(1_000)).toBe(false); // no client: nothing queued, nothing to wait for
    expect(receiver.envelopes).toEqual([]);
    const reports = logged.mock.calls.filter(([fields]) => (fields as { event?: string }).event === "error.reported");
    expect(reports).toHaveLength(1);
    expect(reports[0]![0]).toMatchObject({
      event: "error.reported",
      errorTracking: "off",
      route: "/api/dev/error",
      requestId: res.headers.get("x-request-id"),
    });
    logged.mockRestore();
  });
});

describeEachDatabase("error tracking with a DSN (local envelope receiver)", (ctx) => {
  let restoreEnv: () => void;

  beforeAll(() => {
    restoreEnv = setEnv({
      SENTRY_DSN: receiver.dsn,
      SENTRY_ENVIRONMENT: "integration-test",
      APP_VERSION: "9.9.9-test",
      CRON_SECRET: TEST_CRON_SECRET,
    });
    // Once per process, as at server startup; the second database run reuses the client.
    if (!Sentry.getClient()) expect(initErrorTracking("nodejs")).toBe(true);
  });
  afterAll(() => restoreEnv());
  beforeEach(() => {
    receiver.clear();
    resetStripeEmulator();
  });
  afterEach(() => {
    clearStripeFaults();
    vi.restoreAllMocks();
  });

  const commonTags = (event: ReceivedEvent, requestId: string | null, route: string) => {
    expect(requestId).toBeTruthy();
    expect(event.release).toBe("9.9.9-test");
    expect(event.environment).toBe("integration-test");
    expect(event.tags).toMatchObject({
      request_id: requestId,
      route,
      release: "9.9.9-test",
      environment: "integration-test",
      "mode.errorTracking": "sentry",
      "mode.payments": "emulator",
      "mode.mocksAllowed": "true",
    });
    expect(event.tags?.["mode.database"]).toMatch(/^(pglite|postgres)$/);
  };

  it("a 5xx in a route (POST /api/dev/error) is one event with its tags and no personal data", async () => {
    const res = await callRoute(devErrorRoute, `/api/dev/error?token=${MANAGE_TOKEN}&email=${EMAIL}`, {
      method: "POST",
      headers: PERSONAL_HEADERS,
      json: { email: EMAIL, note: "request bodies never leave" },
    });
    await expectProblem(res, 500, "internal");
    expect(await Sentry.flush(5_000)).toBe(true);
    const event = expectOneEvent();
    commonTags(event, res.headers.get("x-request-id"), "/api/dev/error");
    expect(event.exception?.values?.[0]?.value).toMatch(/^Deliberate error from POST \/api\/dev\/error/);
    expect(event.user).toBeUndefined();
    // The request is described without its sender: method, scrubbed URL, descriptive headers; no cookies or body.
    expect(event.request).toEqual({
      method: "POST",
      url: `http://localhost/api/dev/error?token=[redacted]&email=[redacted]`,
      query_string: "token=[redacted]&email=[redacted]",
      headers: { "content-type": "application/json" },
    });
    expectNoPersonalData();
  });

  it("a signed-in caller appears only as a hashed id and a role; the message is scrubbed", async () => {
    const handler = authorizedRoute(
      { route: "/api/test/boom", authorize: async () => ({ userId: "user-1234", role: "staff" }) },
      async () => {
        throw new Error(`insert failed for ${EMAIL} from ${CLIENT_IP} with token=${MANAGE_TOKEN}`);
      },
    );
    const res = await callRoute(handler, "/api/test/boom", { method: "POST", headers: PERSONAL_HEADERS, json: {} });
    await expectProblem(res, 500, "internal");
    await Sentry.flush(5_000);
    const event = expectOneEvent();
    commonTags(event, res.headers.get("x-request-id"), "/api/test/boom");
    expect(event.user).toEqual({ id: hashUserId("user-1234"), role: "staff" });
    expect(event.exception?.values?.[0]?.value).toBe("insert failed for [email] from [ip] with token=[redacted]");
    expectNoPersonalData();
  });

  it("expected 4xx are not reported", async () => {
    const handler = route({ route: "/api/test/missing" }, async () => {
      throw new AppError("not_found", "No such thing.");
    });
    await expectProblem(await callRoute(handler, "/api/test/missing"), 404, "not_found");
    await withEnv(mocksOffEnv({ SENTRY_DSN: receiver.dsn }), async () => {
      await expectProblem(await callRoute(devErrorRoute, "/api/dev/error", { method: "POST" }), 404, "not_found");
    });
    // A 5xx after them: once it has arrived, anything sent before it has too.
    await callRoute(devErrorRoute, "/api/dev/error", { method: "POST" });
    await Sentry.flush(5_000);
    expect(receiver.events().map((e) => e.tags?.route)).toEqual(["/api/dev/error"]);
  });

  it("a failing job (through its cron route) is one event with its tags", async () => {
    vi.spyOn(jobs["send-reminders"], "run").mockRejectedValue(new Error(`reminder query failed for ${EMAIL}`));
    const res = await callRoute(sendRemindersRoute, "/api/cron/send-reminders", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_CRON_SECRET}` },
    });
    await expectProblem(res, 500, "internal");
    await Sentry.flush(5_000);
    const event = expectOneEvent();
    commonTags(event, res.headers.get("x-request-id"), "/api/cron/send-reminders");
    expect(event.exception?.values?.[0]?.value).toBe("reminder query failed for [email]");
    expectNoPersonalData();
  });

  it("a failing job run by the in-process scheduler is one event tagged with its run id", async () => {
    vi.spyOn(jobs["send-reminders"], "run").mockRejectedValue(new Error(`reminder query failed for ${EMAIL}`));
    const logged = vi.spyOn(logger, "error");
    // As the scheduler's timer runs it (no request around it): runJob reports, the scheduler's own catch is deduped.
    await expect(runJob("send-reminders").catch((error: unknown) => reportError(error))).resolves.toBeUndefined();
    await Sentry.flush(5_000);
    const event = expectOneEvent();
    expect(event.tags?.request_id).toMatch(/^job-send-reminders-/);
    expect(event.tags?.job).toBe("send-reminders");
    const lines = logged.mock.calls.filter(([line]) => (line as { event?: string }).event === "error.reported");
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toMatchObject({ job: "send-reminders", requestId: event.tags?.request_id });
    expectNoPersonalData();
  });

  it("a failing webhook handler is one event (not one per layer that sees it), tagged with the event type", async () => {
    const payload = JSON.stringify({
      id: `evt_sentry_${ctx.kind}_${crypto.randomUUID()}`,
      object: "event",
      type: "checkout.session.completed",
      data: { object: { id: "cs_test_sentry", object: "checkout.session", customer_details: { email: EMAIL } } },
    });
    const signature = getStripe().webhooks.generateTestHeaderString({
      payload,
      secret: EMULATOR_WEBHOOK_SECRET,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    // The handler re-reads the session from the gateway first: make that read fail.
    injectStripeFault({ method: "GET", path: /^\/v1\/checkout\/sessions\//, kind: "http_500", times: 20 });
    const logged = vi.spyOn(logger, "error");
    const res = await callRoute(stripeWebhookRoute, "/api/webhooks/stripe", {
      method: "POST",
      body: payload,
      headers: { "stripe-signature": signature, ...PERSONAL_HEADERS },
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await Sentry.flush(5_000);
    const event = expectOneEvent();
    commonTags(event, res.headers.get("x-request-id"), "/api/webhooks/stripe");
    expect(event.tags?.webhook).toBe("checkout.session.completed");
    expectNoPersonalData();
    // One report in the log too: the route wrapper, which sees the same failure again, does not report it twice.
    const reports = logged.mock.calls.filter(([fields]) => (fields as { event?: string }).event === "error.reported");
    expect(reports.map(([fields]) => fields)).toMatchObject([{ webhook: "checkout.session.completed" }]);
  });

  it("a staff alert is one warning event with the request's tags", async () => {
    const reservationId = crypto.randomUUID();
    const handler = route({ route: "/api/test/alert" }, async ({ requestId }) => {
      await asService((tx) =>
        alertStaff(tx, {
          kind: "late_payment",
          reservationId,
          message: `paid after the hold ended (${EMAIL})`,
          dedupeKey: `alert-${reservationId}`,
          requestId,
        }),
      );
      return { ok: true };
    });
    const res = await callRoute(handler, "/api/test/alert", { method: "POST", headers: PERSONAL_HEADERS, json: {} });
    expect(res.status).toBe(200);
    await Sentry.flush(5_000);
    const event = expectOneEvent();
    commonTags(event, res.headers.get("x-request-id"), "/api/test/alert");
    expect(event).toMatchObject({ level: "warning", message: "staff alert: late_payment" });
    expect(event.tags).toMatchObject({ alert: "late_payment", reservation_id: reservationId });
    expectNoPersonalData();
  });

  it("an error reported twice (or wrapped by the layer above) is still one event", async () => {
    const error = new Error("once only");
    reportError(error, { route: "/api/test/a" });
    reportError(error, { route: "/api/test/a" });
    reportError(new AppError("internal", "wrapped", { cause: error }), { route: "/api/test/a" });
    await Sentry.flush(5_000);
    expect(receiver.events().map((e) => e.exception?.values?.at(-1)?.value)).toEqual(["once only"]);
  });
});
