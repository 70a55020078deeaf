import { rmSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { startEnvelopeReceiver, type EnvelopeReceiver, type ReceivedEvent } from "../helpers/sentry-receiver";
import {
  freePort,
  startProduction,
  STARTUP_TIMEOUT_MS,
  stop,
  waitUntilServing,
  type Started,
} from "./support/processes";

/**
 * Error tracking end to end: the production build with SENTRY_DSN pointing at a local envelope receiver. The server
 * (instrumentation, route wrapper) and the browser SDK (instrumentation-client, DSN handed over in a <meta> tag, CSP
 * connect-src) both send there; what arrives is checked for its tags and for the absence of personal data.
 */
const DATA_DIR = ".data/e2e-error-tracking";
const EMAIL = "guest.person@example.com";
const CLIENT_IP = "198.51.100.4";
const MANAGE_TOKEN = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1tYW5hZ2UtdG9rZW4";
/** Personal data, and the markers that would ask Sentry to infer the client's IP address. */
const LEAKS = [EMAIL, CLIENT_IP, MANAGE_TOKEN, "cookie-secret-value", "{{auto}}", '"infer_ip":"auto"'];

test.describe("error tracking (local envelope receiver)", () => {
  let receiver: EnvelopeReceiver;
  let started: Started;
  let base: string;

  test.beforeAll(async () => {
    test.setTimeout(STARTUP_TIMEOUT_MS + 30_000);
    receiver = await startEnvelopeReceiver();
    rmSync(DATA_DIR, { recursive: true, force: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    started = startProduction(port, {
      ALLOW_DEV_MOCKS: "true",
      APP_BASE_URL: base,
      DATA_DIR,
      PGLITE_DIR: `${DATA_DIR}/pglite`,
      SENTRY_DSN: receiver.dsn,
      SENTRY_ENVIRONMENT: "e2e",
      APP_VERSION: "e2e-sentry",
      NEXT_TELEMETRY_DISABLED: "1",
    });
    await waitUntilServing(base, started);
  });

  test.afterAll(async () => {
    if (started) await stop(started);
    await receiver?.close();
    rmSync(DATA_DIR, { recursive: true, force: true });
  });

  const withRequestId = (id: string | undefined): ReceivedEvent[] =>
    receiver.events().filter((e) => id !== undefined && e.tags?.request_id === id);

  const expectNoPersonalData = () => {
    const everything = receiver.envelopes.map((e) => e.raw).join("\n");
    for (const leak of LEAKS) expect(everything, `"${leak}" reached Sentry`).not.toContain(leak);
  };

  test("POST /api/dev/error on the server: one event with its tags, nothing personal", async ({ request }) => {
    const post = () =>
      request.post(`${base}/api/dev/error?token=${MANAGE_TOKEN}`, {
        headers: { cookie: "sb-access-token=cookie-secret-value", "x-forwarded-for": CLIENT_IP },
        data: { email: EMAIL },
      });
    const first = await post();
    expect(first.status()).toBe(500);
    const firstId = first.headers()["x-request-id"];
    await expect.poll(() => withRequestId(firstId).length).toBe(1);
    // A second failure's event arriving means anything else the first one would have sent has arrived too.
    const second = await post();
    await expect.poll(() => withRequestId(second.headers()["x-request-id"]).length).toBe(1);
    expect(withRequestId(firstId)).toHaveLength(1);
    const [event] = withRequestId(firstId);
    expect(event).toMatchObject({ release: "e2e-sentry", environment: "e2e" });
    expect(event!.tags).toMatchObject({
      route: "/api/dev/error",
      release: "e2e-sentry",
      environment: "e2e",
      "mode.errorTracking": "sentry",
      "mode.database": "pglite",
    });
    expectNoPersonalData();
  });

  test("an error in the browser: one event from the browser SDK, with the page's request id", async ({ page }) => {
    const pageResponse = await page.goto(`${base}/`);
    expect(pageResponse?.headers()["content-security-policy"]).toContain(
      `connect-src 'self' ${new URL(receiver.dsn).origin}`,
    );
    await expect(page.locator('meta[name="slotbook-error-tracking"]')).toHaveCount(1);
    await page.evaluate((email) => {
      setTimeout(() => {
        throw new Error(`browser failure for ${email}`);
      }, 0);
    }, EMAIL);
    const browserEvents = () => receiver.events().filter((e) => e.tags?.runtime === "browser");
    await expect.poll(() => browserEvents().length).toBe(1);
    const [event] = browserEvents();
    expect(event!.exception?.values?.at(-1)?.value).toBe("browser failure for [email]");
    expect(event).toMatchObject({ release: "e2e-sentry", environment: "e2e" });
    expect(event!.tags).toMatchObject({ route: "/", release: "e2e-sentry", environment: "e2e" });
    expect(event!.tags?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expectNoPersonalData();
  });
});
