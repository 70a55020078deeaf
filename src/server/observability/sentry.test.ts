import { describe, expect, it } from "vitest";
import { EnvError, loadConfig } from "@/lib/env";
import { sentryInitOptions } from "@/lib/observability/sentry-options";
import { browserErrorTracking, sentrySettings } from "./sentry";

const DSN = "https://key@o1.ingest.sentry.io/1";

describe("Sentry settings from the env schema", () => {
  it("is off (nothing to initialise) without a DSN, and with ERROR_TRACKING=off even when one is set", () => {
    expect(sentrySettings(loadConfig({}))).toBeNull();
    expect(sentrySettings(loadConfig({ SENTRY_DSN: DSN, ERROR_TRACKING: "off" }))).toBeNull();
    expect(browserErrorTracking("req-12345678", loadConfig({}))).toBeNull();
  });

  it("takes the DSN, environment, release and sampling from env, and tags every integration mode", () => {
    const settings = sentrySettings(
      loadConfig({
        SENTRY_DSN: DSN,
        SENTRY_ENVIRONMENT: "staging",
        APP_VERSION: "1.4.2",
        SENTRY_SAMPLE_RATE: "0.5",
        SENTRY_TRACES_SAMPLE_RATE: "0.05",
      }),
    );
    expect(settings).toMatchObject({
      dsn: DSN,
      environment: "staging",
      release: "1.4.2",
      sampleRate: 0.5,
      tracesSampleRate: 0.05,
    });
    expect(settings?.tags).toMatchObject({
      "mode.errorTracking": "sentry",
      "mode.database": "pglite",
      "mode.payments": "emulator",
    });
  });

  it("defaults: every error sent, no tracing, the environment is NODE_ENV", () => {
    const settings = sentrySettings(loadConfig({ SENTRY_DSN: DSN, NODE_ENV: "test" }));
    expect(settings).toMatchObject({ sampleRate: 1, tracesSampleRate: 0, environment: "test" });
  });

  it.each(["1.5", "-0.1", "half", "0,5"])("refuses a sampling rate of %j", (value) => {
    expect(() => loadConfig({ SENTRY_DSN: DSN, SENTRY_TRACES_SAMPLE_RATE: value })).toThrow(EnvError);
  });

  it("hands the browser the same settings without the server's mode tags, with the page's request id", () => {
    expect(browserErrorTracking("req-12345678", loadConfig({ SENTRY_DSN: DSN, APP_VERSION: "1.4.2" }))).toEqual({
      dsn: DSN,
      environment: "development",
      release: "1.4.2",
      sampleRate: 1,
      tracesSampleRate: 0,
      requestId: "req-12345678",
    });
  });

  it("tells the SDK to collect no user info, cookies, bodies or local variables (v11 collects them by default)", () => {
    const options = sentryInitOptions(sentrySettings(loadConfig({ SENTRY_DSN: DSN }))!);
    expect(options).not.toHaveProperty("sendDefaultPii");
    expect(options.dataCollection).toMatchObject({
      userInfo: false,
      cookies: false,
      httpBodies: [],
      stackFrameVariables: false,
      databaseQueryData: false,
      httpHeaders: {
        request: { allow: ["content-type", "content-length", "accept", "x-request-id"] },
        response: false,
      },
    });
    expect(options.beforeSend).toBeTypeOf("function");
    expect(options.beforeBreadcrumb).toBeTypeOf("function");
  });
});
