import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { clock } from "@/lib/clock";
import { AUTH_COOKIE } from "@/server/auth/session";
import { reservationQueryKeys } from "@/server/admin/reservation-query";
import { queryRows, type Db } from "@/server/db/client";
import { setAutoDispatch } from "@/server/notifications/dispatch";
import { EMULATOR_WEBHOOK_SECRET } from "@/server/payments/config";
import { getStripe } from "@/server/payments/stripe";
import { payCheckoutSession } from "@/server/emulators/stripe/sandbox";
import { signedInAs, type SignedIn } from "../helpers/auth";
import { HOUR, holdOk, holdPayload, newService, type Held } from "../helpers/booking";
import { expectConsoleError } from "../helpers/console";
import { describeEachDatabase, type DatabaseTestContext } from "../helpers/db";
import { setEnv, TEST_CRON_SECRET } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, type RouteHandler } from "../helpers/http";
import { checkoutOk, deliverWebhooksInProcess, settle } from "../helpers/payments";
import { appFiles, HTTP_METHODS, type AppFile } from "../helpers/route-files";

/**
 * Every route.ts under src/app/api, found when the test runs, fed generated bad input (fast-check, fixed seed): bad
 * dynamic params, query strings, JSON bodies and headers. Every answer must be < 500, and a 4xx must be
 * application/problem+json with status, code and requestId (docs/http-errors.md); a refused (4xx) request must write
 * nothing to any table in public or auth (a trigger log, installWriteLog). No 4xx is exempt from problem+json: handlers
 * are called directly, so Next's own empty 405 for a method a route does not export never happens here.
 *
 * Coverage: /api/admin/** runs anonymous (the guard's 401) and as a signed-in admin (the handler bodies), /api/cron/**
 * with the bearer secret, webhooks with and without valid credentials/signatures, /api/dev/** with mocks allowed.
 * Inputs start from a valid request per route (templates() below) with one part broken, so validation and domain code
 * are reached; routes without a template still get the generic cases. A template the route refuses as malformed is a
 * harness failure, so a param or field name that drifts cannot turn this suite into one that tests nothing.
 *
 * Databases: PGlite always, PostgreSQL too when TEST_DATABASE_URL is set (describeEachDatabase): what the two refuse
 * (NUL bytes, out-of-range dates, jsonb escapes) differs, and both together stay near a minute on 2 cores.
 * Reproduce: FUZZ_SEED=<seed> npx vitest run --project integration tests/integration/fuzz-routes.test.ts -t "<route>";
 * FUZZ_RUNS sets the number of cases, FUZZ_STATS=1 prints the status counts per route, FUZZ_REPORT=<file> appends
 * every finding with its complete input as JSON lines.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_108);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** Answered as a whole, whatever the input: wipes and re-seeds the embedded database, so it runs last and briefly. */
const WIPES_DATABASE = ["/api/dev/reset"];
/** Answers 500 by design, to check error tracking (tests/integration/error-tracking.test.ts covers it). */
const FAILS_ON_PURPOSE = ["/api/dev/error"];
/** Rate-limit counters (RATE_LIMIT_STORE=postgres) count every request, refused ones too: that is their job. */
const CHANGES_ON_REFUSAL = new Set(["public.rate_limits"]);
const EMAIL_SECRET = "fuzz-email-webhook-secret-0123456789";

const reported = vi.hoisted(() => new Map<string, unknown>());
// The wrapper reports every 5xx here; keeping the error by request id names the root cause of each 500.
vi.mock("@/server/observability/errors", () => ({
  reportError: (error: unknown, context: { requestId?: string } = {}) =>
    void reported.set(context.requestId ?? "", error),
  reportStaffAlert: () => undefined,
}));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type Params = Record<string, string | string[]>;
type Body = { text: string; contentType: string | null };
type Case = {
  focus: string;
  params: Params;
  query: [string, string][];
  headers: Record<string, string>;
  body?: Body;
  sign?: boolean;
};
type Route = AppFile & { method: string; handler: RouteHandler; label: string };
type Mode = { name: "anonymous" | "admin" | "cron" | "public"; runs: number; headers: Record<string, string> };

const routes: Route[] = [];
for (const file of appFiles("api", /^route\.(ts|js)$/)) {
  if (FAILS_ON_PURPOSE.includes(file.pattern)) continue;
  const mod = (await import(/* @vite-ignore */ file.file)) as Record<string, unknown>;
  for (const method of HTTP_METHODS.filter((m) => typeof mod[m] === "function")) {
    routes.push({ ...file, method, handler: mod[method] as RouteHandler, label: `${method} ${file.pattern}` });
  }
}
routes.sort((a, b) => Number(WIPES_DATABASE.includes(a.pattern)) - Number(WIPES_DATABASE.includes(b.pattern)));

// --- generators ---------------------------------------------------------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const SPECIAL = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  "\t\n\r",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "\uFEFF",
  "\uFFFF",
  "\uD800",
  "💥",
  "é",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "-0",
  "1.5",
  "1e309",
  "99999999999999999999",
  "9007199254740993",
  "../",
  "../../etc/passwd",
  "..%2F..%2F",
  "%2e%2e",
  "%2e%2e%2f",
  "%00",
  "%",
  "_",
  "*",
  "\\",
  "'",
  '"',
  "' or 1=1 --",
  "<script>alert(1)</script>",
  "a,,b",
  ",",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "not-a-uuid",
  "__proto__",
  "constructor",
];
const DATES = [
  "0000-01-01",
  "0000-00-00",
  "9999-12-31",
  "9999-12-31T99:99",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "0000-01-01T00:00:00+09:00",
  "0001-01-01T00:00:00-14:00",
  "2030-02-30",
  "2030-13-01",
  "2030-01-07T24:00:00Z",
  "2030-01-07T10:00:00+25:00",
  "+275760-09-13T00:00:00Z",
  "275760-09-13",
  "1970-01-01",
  "2030-1-7",
  "2030-01-07",
  "24:00",
  "23:60",
  "-1:00",
  "99:99",
  "1:00",
  "10:00:00",
  "10:00Z",
];
const randomDate = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .chain(([y, m, d]) =>
    fc
      .option(
        fc.tuple(
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
          fc.constantFrom("Z", "+09:00", "-12:00", "+14:00"),
        ),
      )
      .map((t) => `${pad(y, 4)}-${pad(m)}-${pad(d)}${t ? `T${pad(t[0])}:${pad(t[1])}:00${t[2]}` : ""}`),
  );
const dateLike = fc.oneof(fc.constantFrom(...DATES), randomDate);
const control = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));
const withControl = fc.tuple(fc.string({ maxLength: 8 }), control, fc.string({ maxLength: 8 })).map((p) => p.join(""));
const nastyString = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 3, arbitrary: withControl },
  { weight: 3, arbitrary: dateLike },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double()).map(String) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("a", "é", "\u0000", "💥", "%", "/"), fc.constantFrom(101, 256, 501, 5001, 70_000))
      .map(([c, n]) => c.repeat(n)),
  },
  { weight: 1, arbitrary: fc.uuid() },
);

/** What a field holds, guessed from its name or its valid value, so most bad values are near misses of the right kind. */
type Kind = "date" | "id" | "number" | "text";
function kindOf(key: string | number, valid?: unknown): Kind {
  if (typeof valid === "number") return "number";
  if (typeof valid === "string" && /^\d{4}-\d\d-\d\d|^\d\d:\d\d$/.test(valid)) return "date";
  if (typeof valid === "string" && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(valid)) return "id";
  const name = String(key);
  if (/^(page|pageSize|before|after|days|amount|capacity|quantity|ms|copies)$/.test(name)) return "number";
  if (/^(from|to|date|time|validFrom|validUntil)$|At$/.test(name)) return "date";
  return /(id|Id|ID)$/.test(name) ? "id" : "text";
}
const ID_VALUES = [
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "{00000000-0000-0000-0000-000000000000}",
  "00000000000000000000000000000000",
  "0",
  "-1",
  "1",
  "null",
  "../",
  "%00",
  "evt_",
  "cs_test_\u0000",
];
const NUMBERS = [
  -1,
  0,
  -0,
  0.5,
  1.5,
  1e21,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  100_000,
  100_001,
  10_001,
  367,
  Number.MAX_SAFE_INTEGER,
];
const typed: Record<Kind, fc.Arbitrary<Json>> = {
  date: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...DATES) },
    { weight: 2, arbitrary: randomDate },
    { weight: 1, arbitrary: nastyString },
  ),
  id: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...ID_VALUES) },
    {
      weight: 2,
      arbitrary: fc
        .uuid()
        .chain((u) => fc.constantFrom(u, u.toUpperCase(), `${u}\u0000`, ` ${u}`, u.slice(0, -1), `${u}x`)),
    },
    { weight: 2, arbitrary: nastyString },
  ),
  number: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<Json>(...NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.constantFrom<Json>("1", "1e3", "0x10", "", " 1", "١", "1,2") },
    { weight: 1, arbitrary: nastyString },
  ),
  text: fc.oneof({ weight: 3, arbitrary: withControl }, { weight: 4, arbitrary: nastyString }),
};
const asQueryValue = (v: Json) => (typeof v === "string" ? v : JSON.stringify(v));
const deep = (depth: number, leaf: Json = 1): Json =>
  Array.from({ length: depth }).reduce<Json>((inner) => ({ a: [inner] }), leaf);
const badValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      -1,
      0,
      -0.0001,
      0.5,
      1.5,
      -2_147_483_649,
      2_147_483_648,
      2 ** 53 + 2,
      1e21,
      1e308,
      -1e308,
      100_000_001,
      10_001,
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Json>(null, true, false, [], {}, [null], ["a"], { "": 1 }, {
      __proto__: { admin: true },
    } as Json),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constant(deep(50)) },
);
/** Bodies that are not one JSON object: broken JSON, and valid JSON nested too deep to walk recursively. */
const RAW_BODIES = [
  "{",
  "}",
  "[",
  '{"a":',
  '{"a":1,}',
  "{'reason':'x'}",
  "nul",
  "undefined",
  "NaN",
  '{"reason":"x"}}',
  '{"reason":"x"} trailing',
  "\u0000",
  '{"reason":"x"',
  "\uFEFF{}",
  "--",
  "<xml/>",
  "a=1&b=2",
  "",
  " ",
  "\n",
  `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`,
];
const CONTENT_TYPES = [
  null,
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonx",
  "json",
  "*/*",
  "APPLICATION/JSON",
  "application/json; charset=utf-16",
  "application/merge-patch+json",
];
/** Field values written into the JSON text as is: numbers JSON.stringify cannot produce, invalid tokens, deep nesting. */
const RAW_VALUES = [
  "1e999",
  "-1e999",
  "NaN",
  "Infinity",
  "0x10",
  "01",
  "1.0",
  "-0",
  "9007199254740993",
  "1E2",
  "[]",
  `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
  `${'{"a":'.repeat(3_000)}1${"}".repeat(3_000)}`,
];
const latin1 = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(9))
  .map((c) => String.fromCharCode(c));
/** Header values a client can actually send (no NUL, CR or LF: fetch refuses those before any server sees them). */
const headerValue = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\t",
    "null",
    "a".repeat(255),
    "a".repeat(256),
    "x".repeat(8_192),
    "é",
    "ÿÿ",
    "a b",
    "0",
    "-1",
    "*",
    "../",
    "%00",
    "\\",
  ),
  fc.string({ unit: latin1, maxLength: 40 }),
  fc.uuid(),
);
const JSON_TYPE = "application/json";

/** Every path to a value inside a JSON object (nested objects and array items included). */
function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    ...(prefix.length ? [prefix] : []),
    ...keys.flatMap((k) => leafPaths((value as Record<string | number, Json>)[k] as Json, [...prefix, k])),
  ];
}
function edit(base: Json, at: (string | number)[], op: "replace" | "remove" | "extra", value: Json): Json {
  const copy = structuredClone(base);
  const parent = at
    .slice(0, -1)
    .reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, copy) as Record<string | number, Json>;
  const key = at[at.length - 1] as string | number;
  if (op === "remove") delete parent[key];
  else if (op === "extra") parent[typeof key === "number" ? key : `${key}_extra`] = value;
  else parent[key] = value;
  return copy;
}

// --- route knowledge: a valid request per route, and the ids its params can take -------------------------------------

type Fixtures = {
  admin: SignedIn;
  staff: SignedIn;
  user: SignedIn;
  paid: { id: string; slug: string };
  services: { paid: string; free: string };
  slots: Record<"paid" | "paid2" | "free" | "free2", string>;
  notificationId: string;
  eventId: string;
  ruleId: string;
} & Bookings;
/** Held (paid service, checkout open), booked (free service, confirmed) and captured (paid and confirmed). */
type Bookings = { held: Held; booked: Held; captured: Held; sessionId: string };
type Template = {
  query?: (p: Params) => Record<string, string>;
  queryKeys?: string[];
  bodies?: (p: Params, key: string) => Json[];
  headers?: (p: Params) => Record<string, string>;
  idempotent?: boolean;
  stripe?: boolean;
};

function templates(fx: Fixtures): Record<string, Template> {
  const reason = "fuzz";
  const token = (p: Params) => ({
    token: [fx.held, fx.booked, fx.captured].find((h) => h.reservation.id === p.id)?.token ?? fx.held.token,
  });
  const otherSlot = (p: Params) => (p.id === fx.booked.reservation.id ? fx.slots.free2 : fx.slots.paid2);
  const range = ["from", "to", "page", "pageSize"];
  const staffAction = (bodies: (p: Params) => Json[]): Template => ({ bodies, idempotent: true });
  return {
    "GET /api/services": { queryKeys: ["locale"] },
    "GET /api/slots": { query: () => ({ serviceId: fx.paid.id }), queryKeys: ["from", "to", "source"] },
    "POST /api/reservations": {
      bodies: () => [
        holdPayload(fx.slots.paid, {
          customer: { name: "Fuzz", email: "fuzz@example.com", phone: "+81 90 1234 5678" },
          smsConsent: true,
        }),
      ],
      idempotent: true,
    },
    "GET /api/reservations/[id]": { query: token },
    "POST /api/reservations/[id]/cancel": { query: token, bodies: () => [{ reason }] },
    "POST /api/reservations/[id]/checkout": { query: token, idempotent: true },
    "POST /api/reservations/[id]/reschedule": { query: token, bodies: (p) => [{ slotId: otherSlot(p) }] },
    "POST /api/reservations/[id]/resend-confirmation": { query: token },
    "GET /api/admin/audit": {
      queryKeys: ["actor", "action", "entityType", "entityId", "from", "to", "before", "after", "pageSize"],
    },
    "GET /api/admin/notifications": { queryKeys: ["status", "channel", "kind", "q", "reservationId", ...range] },
    "POST /api/admin/notifications/[id]/resend": { bodies: () => [{ reason }] },
    "POST /api/admin/reservations/[id]/accept-late-payment": staffAction(() => [{ reason }]),
    "POST /api/admin/reservations/[id]/cancel": staffAction(() => [
      { reason, refund: "none" },
      { reason, refund: { amount: 100 } },
    ]),
    "POST /api/admin/reservations/[id]/no-show": staffAction(() => [{ reason }]),
    "POST /api/admin/reservations/[id]/notify": staffAction(() => [
      { reason, type: "message", subject: "Hello", message: "Body" },
      { reason, type: "resend", notificationId: fx.notificationId },
    ]),
    "POST /api/admin/reservations/[id]/refund": staffAction(() => [{ reason, amount: 100 }]),
    "POST /api/admin/reservations/[id]/reschedule": staffAction((p) => [{ reason, slotId: otherSlot(p) }]),
    "GET /api/admin/reservations": { queryKeys: [...reservationQueryKeys] },
    "GET /api/admin/reservations/export": { queryKeys: reservationQueryKeys.filter((k) => !k.startsWith("page")) },
    "PATCH /api/admin/slot-rules/[id]": { bodies: () => [{ active: true, reason }] },
    "DELETE /api/admin/slot-rules/[id]": { bodies: () => [{ reason }] },
    "POST /api/admin/slot-rules/generate": { bodies: () => [{ days: 7, serviceId: fx.paid.id, reason }] },
    "GET /api/admin/slot-rules": { queryKeys: ["serviceId"] },
    "POST /api/admin/slot-rules": {
      bodies: () => [
        {
          serviceId: fx.paid.id,
          weekdays: [2],
          startTimes: ["11:00"],
          capacity: 3,
          validFrom: "2031-01-01",
          validUntil: "2031-12-31",
          reason,
        },
      ],
    },
    "PATCH /api/admin/slots/[id]": { bodies: () => [{ capacity: 50, status: "open", reason }] },
    "POST /api/admin/slots/import": {
      bodies: () => [{ csv: `service,date,time,capacity\n${fx.paid.slug},2031-01-06,10:00,5\n`, dryRun: true, reason }],
    },
    "GET /api/admin/slots": { queryKeys: ["from", "to", "serviceId"] },
    "POST /api/admin/slots": {
      bodies: () => [{ serviceId: fx.paid.id, date: "2031-02-03", time: "10:00", capacity: 5, reason }],
    },
    "POST /api/admin/users/[id]/revoke": { bodies: () => [{ reason }] },
    "POST /api/admin/users/[id]/role": { bodies: () => [{ role: "staff", reason }] },
    "GET /api/admin/users": { queryKeys: ["q", "role", "page", "pageSize"] },
    "POST /api/admin/users": { bodies: () => [{ email: "invited@example.com", role: "staff", reason }] },
    "POST /api/admin/webhooks/[id]/replay": { bodies: () => [{ reason }] },
    "GET /api/admin/webhooks": { queryKeys: ["provider", "type", "status", "q", ...range] },
    "POST /api/dev/clock": {
      bodies: () => [
        { action: "advance", ms: 1_000 },
        { action: "set", to: "2030-01-07T00:00:00Z", freeze: false },
      ],
    },
    "POST /api/dev/payments/checkout/[sessionId]": { bodies: () => [{ card: "4000000000000002" }] },
    "POST /api/dev/payments/refunds": { bodies: () => [{ code: fx.captured.reservation.code, amount: 1, reason }] },
    "POST /api/dev/payments/webhooks": {
      bodies: () => [
        { action: "flush", order: "fifo" },
        { action: "redeliver", eventId: "evt_fuzz", copies: 1, concurrent: false },
      ],
    },
    // Signed with the real secret: what only Stripe (or a holder of the secret) can send. A unique event id each, so
    // the inbox processes every case instead of answering "duplicate"; the session is a real one of the emulator.
    "POST /api/webhooks/stripe": {
      stripe: true,
      bodies: (_, key) =>
        ["fuzz.unknown_type", "checkout.session.completed", "checkout.session.expired"].map((type) =>
          stripeEvent(type, key, fx.sessionId),
        ),
    },
    "POST /api/webhooks/email": {
      headers: () => ({ authorization: `Bearer ${EMAIL_SECRET}` }),
      bodies: () => [
        {
          type: "bounce",
          email: "fuzz@example.com",
          messageId: fx.notificationId,
          reason: "mailbox full",
          bounceType: "soft",
          id: "fuzz-1",
        },
        {
          RecordType: "Bounce",
          ID: 1,
          Type: "SoftBounce",
          Email: "fuzz@example.com",
          MessageID: "m-1",
          Description: "d",
          BouncedAt: "2030-01-07T00:00:00Z",
          Metadata: { notification_id: fx.notificationId },
        },
      ],
    },
  };
}

function stripeEvent(type: string, key: string, sessionId: string): Json {
  const created = Math.floor(clock.now().getTime() / 1000);
  const object = { id: sessionId, object: "checkout.session", metadata: {} };
  return {
    id: `evt_${key.replace(/\W/g, "")}`,
    object: "event",
    type,
    created,
    data: { object },
    livemode: false,
    api_version: null,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  };
}

/** Valid values of each dynamic param, by the folder above it (what the id is of). */
function paramPools(fx: Fixtures): Record<string, string[]> {
  return {
    reservations: [fx.held.reservation.id, fx.booked.reservation.id, fx.captured.reservation.id],
    notifications: [fx.notificationId],
    "slot-rules": [fx.ruleId],
    slots: [fx.slots.paid],
    users: [fx.user.userId],
    webhooks: [fx.eventId],
    checkout: [fx.sessionId],
    api: ["no-such-route"],
  };
}

function caseArbitrary(route: Route, mode: Mode, fx: Fixtures): { arbitrary: fc.Arbitrary<Case>; base: Case } {
  const template = templates(fx)[`${route.method} ${route.pattern}`] ?? {};
  const pools = paramPools(fx);
  const dynamic = route.segments.filter((s) => typeof s !== "string");
  const validParam = (name: string) => {
    const s = dynamic.find((d) => d.name === name)!;
    const pool = fc.constantFrom(...(pools[s.parent] ?? [crypto.randomUUID()]));
    return s.catchAll ? pool.map((v) => [v]) : pool;
  };
  const badParam = (name: string) =>
    dynamic.find((d) => d.name === name)!.catchAll
      ? fc.array(nastyString, { minLength: 1, maxLength: 3 })
      : typed.id.map(asQueryValue);
  const validParams = fc.record(
    Object.fromEntries(dynamic.map((d) => [d.name, validParam(d.name)])),
  ) as fc.Arbitrary<Params>;
  const hasBody = !["GET", "HEAD"].includes(route.method);
  const bodies = template.bodies ?? (() => []);
  const queryKeys = [...Object.keys(template.query?.({}) ?? {}), ...(template.queryKeys ?? [])];
  const jsonBody = (value: Json, contentType: string | null = JSON_TYPE): Body => ({
    text: JSON.stringify(value),
    contentType,
  });
  const auth = (p: Params) => ({ ...mode.headers, ...template.headers?.(p) });

  const assemble = (p: Params, parts: Partial<Case> & { focus: string; key: string }): Case => {
    const query = Object.entries(template.query?.(p) ?? {});
    const idempotency: Record<string, string> = template.idempotent ? { "idempotency-key": `fuzz-${parts.key}` } : {};
    const base = bodies(p, parts.key)[0];
    return {
      params: p,
      query,
      headers: { ...idempotency, ...auth(p) },
      ...(hasBody && base !== undefined ? { body: jsonBody(base) } : {}),
      sign: template.stripe,
      ...parts,
    };
  };
  const withValid = <T>(arb: fc.Arbitrary<T>) => fc.tuple(validParams, arb, fc.uuid());

  const paramsFocus = fc
    .tuple(validParams, fc.constantFrom(...(dynamic.length ? dynamic.map((d) => d.name) : ["-"])), fc.uuid())
    .chain(([p, name, key]) =>
      badParam(name).map((bad) => assemble(dynamic.length ? { ...p, [name]: bad } : p, { focus: "params", key })),
    );
  const pair = (keys: fc.Arbitrary<string>) =>
    keys.chain((k) => typed[kindOf(k)].map((v): [string, string] => [k, asQueryValue(v)]));
  const known = fc.constantFrom(...(queryKeys.length ? queryKeys : ["q"]));
  const anyKey = fc.oneof(
    known,
    fc.constantFrom("", "__proto__", "a[b]", "token", "from", "\u0000"),
    fc.string({ maxLength: 10 }),
  );
  const queryFocus = withValid(
    fc.oneof(
      fc.array(pair(known), { minLength: 1, maxLength: 3 }).map((pairs) => ({ replace: pairs })),
      fc
        .tuple(known, fc.nat({ max: 2 }))
        .chain(([k, n]) =>
          fc
            .array(typed[kindOf(k)], { minLength: 2 + n, maxLength: 2 + n })
            .map((vs) => ({ replace: vs.map((v): [string, string] => [k, asQueryValue(v)]) })),
        ),
      fc.array(pair(anyKey), { minLength: 1, maxLength: 5 }).map((pairs) => ({ add: pairs })),
      fc.tuple(dateLike, dateLike).map(([from, to]) => ({
        replace: [
          ["from", from],
          ["to", to],
        ] as [string, string][],
      })),
    ),
  ).map(([p, q, key]) => {
    const c = assemble(p, { focus: "query", key });
    if ("add" in q) return { ...c, query: [...c.query, ...q.add] };
    const replaced = new Set(q.replace.map(([k]) => k));
    return { ...c, query: [...c.query.filter(([k]) => !replaced.has(k)), ...q.replace] };
  });

  const bodyFocus = withValid(
    fc.record({
      pick: fc.nat(),
      path: fc.nat(),
      op: fc.constantFrom<"replace" | "remove" | "extra">("replace", "replace", "replace", "remove", "extra"),
      value: badValue,
      typed: fc.record(typed),
      useTyped: fc.nat({ max: 2 }),
      kind: fc.nat({ max: 99 }),
      invalid: fc.constantFrom(...RAW_BODIES),
      shape: fc.oneof(
        fc.constantFrom<Json>([], [{}], "text", 0, null, true, deep(50)),
        fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
      ),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      raw: fc.constantFrom(...RAW_VALUES),
    }),
  ).map(([p, b, key]) => {
    const c = assemble(p, { focus: "body", key });
    const options = bodies(p, key);
    const base = options[b.pick % Math.max(options.length, 1)];
    let body: Body;
    if (base !== undefined && b.kind < 55) {
      const paths = leafPaths(base).filter((x) => x.length > 0);
      const at = paths[b.path % Math.max(paths.length, 1)];
      const valid = at?.reduce<Json | undefined>((v, k) => (v as Record<string | number, Json>)?.[k], base);
      const value = b.useTyped > 0 && at ? b.typed[kindOf(at[at.length - 1]!, valid)] : b.value;
      body = jsonBody(at ? edit(base, at, b.op, value) : value);
    } else if (base !== undefined && b.kind < 65) {
      const paths = leafPaths(base).filter((x) => x.length > 0);
      const marked = paths.length ? edit(base, paths[b.path % paths.length]!, "replace", "__FUZZ_RAW__") : base;
      body = { text: JSON.stringify(marked).replace('"__FUZZ_RAW__"', b.raw), contentType: JSON_TYPE };
    } else if (base !== undefined && b.kind < 75) body = jsonBody(base, b.contentType);
    else if (b.kind < 88) body = { text: b.invalid, contentType: JSON_TYPE };
    else body = jsonBody(b.shape);
    return hasBody ? { ...c, body } : c;
  });

  const secrets = [fx.user, fx.staff].map((who) => `Bearer ${who.token}`);
  const forged = `Bearer ${fx.admin.token.slice(0, -4)}AAAA`;
  const authValue = fc.oneof(
    fc.constantFrom(
      "Bearer",
      "Bearer ",
      "bearer x",
      "Bearer null",
      "Bearer a.b.c",
      "Basic Og==",
      "Basic YWRtaW46YWRtaW4=",
      "Token abc",
      `Bearer ${"a".repeat(10_000)}`,
      "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwidXNlcl9yb2xlIjoiYWRtaW4ifQ.",
      forged,
      `Bearer ${TEST_CRON_SECRET}x`,
      `Bearer ${EMAIL_SECRET} x`,
      ...secrets,
    ),
    headerValue.map((v) => `Bearer ${v}`),
    headerValue,
  );
  const headerFocus = withValid(
    fc.record(
      {
        "idempotency-key": headerValue,
        authorization: authValue,
        "x-manage-token": headerValue,
        "x-request-id": headerValue,
        "x-forwarded-for": fc.oneof(
          headerValue,
          fc.constantFrom("::1", "1.2.3.4, 5.6.7.8", "999.999.999.999", "unknown"),
        ),
        cookie: fc.oneof(
          headerValue,
          fc.constantFrom(
            `${AUTH_COOKIE}=garbage`,
            `${AUTH_COOKIE}=base64-bm90IGpzb24`,
            `${AUTH_COOKIE}.0=x; ${AUTH_COOKIE}.1=y`,
            "NEXT_LOCALE=xx",
            'NEXT_LOCALE="',
            ";;;",
          ),
        ),
        "accept-language": headerValue,
        "sec-fetch-site": fc.constantFrom("cross-site", "same-site", "none", "x"),
        "user-agent": headerValue,
        "stripe-signature": fc.oneof(
          headerValue,
          fc.constantFrom("t=1,v1=abc", "t=99999999999,v1=", "v1=" + "0".repeat(64)),
        ),
      },
      { requiredKeys: [] },
    ),
  ).chain(([p, overrides, key]) =>
    fc.tuple(fc.boolean(), fc.nat({ max: 4 })).map(([dropToken, n]) => {
      const c = assemble(p, { focus: "headers", key });
      // Modes with a credential keep it most of the time, so the other headers reach the handler.
      const keepAuth = mode.name !== "anonymous" && mode.name !== "public" && n > 0;
      const headers = {
        ...c.headers,
        ...overrides,
        ...(keepAuth && c.headers.authorization ? { authorization: c.headers.authorization } : {}),
      };
      return {
        ...c,
        headers,
        query: dropToken ? c.query.filter(([k]) => k !== "token") : c.query,
        sign: Boolean(c.sign) && !("stripe-signature" in overrides),
      };
    }),
  );

  const arbitrary = fc.oneof(
    ...[
      { weight: dynamic.length ? 3 : 0, arbitrary: paramsFocus },
      { weight: 3, arbitrary: queryFocus },
      { weight: hasBody ? (template.bodies ? 7 : 2) : 0, arbitrary: bodyFocus },
      { weight: 2, arbitrary: headerFocus },
    ].filter((a) => a.weight > 0),
  );
  const firstOf = (name: string) => pools[dynamic.find((d) => d.name === name)!.parent]?.[0] ?? crypto.randomUUID();
  const baseParams = Object.fromEntries(dynamic.map((d) => [d.name, d.catchAll ? [firstOf(d.name)] : firstOf(d.name)]));
  return {
    arbitrary,
    base: assemble(baseParams, { focus: "valid template", key: `base-${hash(route.label).toString(16)}-${mode.name}` }),
  };
}

// --- running a case and judging the answer -------------------------------------------------------------------------

type Outcome = { status: number; code?: string; violation?: string; snippet: string };

function urlOf(route: Route, c: Case): string {
  // A URL carries only well-formed text: what Next decodes into params never holds a lone surrogate.
  const enc = (v: string) => encodeURIComponent(v.replace(/\p{Cs}/gu, "\uFFFD"));
  const pathname = route.segments
    .map((s) => (typeof s === "string" ? s : [c.params[s.name] ?? ""].flat().map(enc).join("/")))
    .join("/");
  const url = new URL(`/${pathname}`, "http://localhost");
  for (const [k, v] of c.query) url.searchParams.append(k, v);
  return `${url.pathname}${url.search}`;
}

async function send(route: Route, c: Case): Promise<Outcome> {
  const headers = { ...c.headers };
  const body = ["GET", "HEAD"].includes(route.method) ? undefined : c.body;
  if (body?.contentType) headers["content-type"] = body.contentType;
  if (c.sign) {
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    headers["stripe-signature"] = getStripe().webhooks.generateTestHeaderString({
      payload: body?.text ?? "",
      secret: EMULATOR_WEBHOOK_SECRET,
      timestamp,
    });
  }
  reported.clear();
  const res = await callRoute(route.handler, urlOf(route, c), {
    method: route.method,
    headers,
    params: c.params,
    ...(body ? { body: body.text } : {}),
  });
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    return { status: res.status, violation: `the body stream failed: ${String(error)}`, snippet: "" };
  }
  const requestId = res.headers.get("x-request-id") ?? "";
  const cause = reported.get(requestId);
  const snippet =
    cause instanceof Error
      ? `${rootMessage(cause).slice(0, 160)} @ ${/\/src\/[^\s)]+/.exec(cause.stack ?? "")?.[0] ?? "?"}`
      : text.slice(0, 200);
  if (res.status >= 500)
    return { status: res.status, code: safeCode(text), violation: `${res.status} ${safeCode(text) ?? ""}`, snippet };
  if (res.status < 400) return { status: res.status, snippet };
  return { status: res.status, code: safeCode(text), violation: problemViolation(res, text, requestId), snippet };
}

/** The innermost cause's message: a driver error wrapped by drizzle's "Failed query" says what went wrong. */
function rootMessage(error: Error): string {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

const safeCode = (text: string) => /"code":"([a-z_]+)"/.exec(text)?.[1];

/** What expectProblem (tests/helpers/http.ts) checks, as a finding instead of a thrown assertion. */
function problemViolation(res: Response, text: string, requestId: string): string | undefined {
  if (res.headers.get("content-type") !== "application/problem+json")
    return `${res.status} with Content-Type ${res.headers.get("content-type")}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `${res.status} problem+json that is not JSON`;
  }
  if (problem.status !== res.status) return `problem.status ${String(problem.status)} != ${res.status}`;
  if (typeof problem.code !== "string" || problem.type !== `/docs/http-errors#${problem.code}`)
    return `problem without a code/type`;
  if (!problem.requestId || problem.requestId !== requestId) return `problem.requestId missing or != X-Request-Id`;
  // `instance` is the request path, which may hold anything the client sent.
  if (
    /\bat .*\(?[\w/\\.-]+\.(ts|tsx|js|mjs):\d+|"stack"|node_modules|\/src\//.test(
      JSON.stringify({ ...problem, instance: undefined }),
    )
  )
    return `problem leaks a stack or path`;
}

// --- what a request wrote ----------------------------------------------------------------------------------------

/**
 * A row trigger on every table in public and auth logs each committed insert, delete, truncate and each update that
 * changed the row, into fuzz.writes (the test database's own schema; security definer, so RLS-bound requests can log
 * too). Reading the log after each case says exactly what that case changed, more cheaply and more precisely than
 * hashing every table around it: a rolled-back write leaves no entry, a committed one always does.
 */
async function installWriteLog(db: Db): Promise<() => Promise<Write[]>> {
  const tables = (
    await queryRows<{ name: string }>(
      db,
      sql`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'auth') order by 1`,
    )
  )
    .map((t) => t.name)
    .filter((t) => !CHANGES_ON_REFUSAL.has(t));
  const statements = [
    "create schema fuzz",
    "create table fuzz.writes (id bigserial primary key, tbl text not null, op text not null, key text)",
    `create function fuzz.log_write() returns trigger language plpgsql security definer set search_path = pg_catalog as $$
     begin
       if tg_op = 'UPDATE' and old::text is not distinct from new::text then return null; end if;
       insert into fuzz.writes (tbl, op, key) values (tg_table_schema || '.' || tg_table_name, tg_op,
         case when tg_level = 'ROW' then coalesce(to_jsonb(new), to_jsonb(old)) ->> 'key' end);
       return null;
     end $$`,
    ...tables.flatMap((t, i) => [
      `create trigger fuzz_rows_${i} after insert or update or delete on ${t} for each row execute function fuzz.log_write()`,
      `create trigger fuzz_truncate_${i} after truncate on ${t} for each statement execute function fuzz.log_write()`,
    ]),
  ];
  for (const statement of statements) await db.execute(sql.raw(statement));
  return () => queryRows<Write>(db, sql`delete from fuzz.writes returning tbl, op, key`);
}
type Write = { tbl: string; op: string; key: string | null };

// --- the suite -----------------------------------------------------------------------------------------------------

type Finding = {
  kind: string;
  status: number;
  code?: string;
  snippet: string;
  mode: string;
  input: string;
  full?: unknown;
};

describeEachDatabase("fuzzed API routes", (ctx: DatabaseTestContext) => {
  let shared: Fixtures;
  let takeWrites: () => Promise<Write[]>;
  let restoreEnv: () => void;
  let dataDir: string;

  beforeAll(async () => {
    // Dry-run emails and the seed's sign-ins are written under DATA_DIR: keep them out of the repository.
    dataDir = mkdtempSync(path.join(os.tmpdir(), "slotbook-fuzz-"));
    restoreEnv = setEnv({ DATA_DIR: dataDir, CRON_SECRET: TEST_CRON_SECRET, EMAIL_WEBHOOK_SECRET: EMAIL_SECRET });
    // Nothing may write behind a case's back: no dispatch after commits, webhooks settled inline.
    setAutoDispatch(false);
    deliverWebhooksInProcess();
    const [admin, staff, user] = [
      await signedInAs(ctx.db, "admin"),
      await signedInAs(ctx.db, "staff"),
      await signedInAs(ctx.db, "user"),
    ];
    const paid = await newService(ctx.db, { priceAmount: 1500 });
    const free = await newService(ctx.db, { priceAmount: 0 });
    const slot = async (serviceId: string, days: number) =>
      (await insertSlot(ctx.db, { serviceId, startsAt: new Date(Date.now() + days * 24 * HOUR), capacity: 1_000 })).id;
    const slots = {
      paid: await slot(paid.id, 10),
      paid2: await slot(paid.id, 11),
      free: await slot(free.id, 10),
      free2: await slot(free.id, 11),
    };
    const services = { paid: paid.id, free: free.id };
    const first = await bookings(ctx.db, services, "fixtures");
    const one = async (statement: ReturnType<typeof sql>) =>
      (await queryRows<{ id: string }>(ctx.db, statement))[0]!.id;
    const notificationId = await one(sql`select id::text as id from notifications order by created_at limit 1`);
    const eventId = await one(
      sql`insert into webhook_events (provider, event_id, type, payload) values ('stripe', 'evt_fuzz_stored', 'checkout.session.completed', '{}'::jsonb) returning id::text as id`,
    );
    const ruleId = await one(
      sql`insert into slot_rules (service_id, weekday, start_time) values (${paid.id}::uuid, 1, '10:00') returning id::text as id`,
    );
    shared = { admin, staff, user, paid, services, slots, notificationId, eventId, ruleId, ...first };
    takeWrites = await installWriteLog(ctx.db);
    // The log itself must work, or every "nothing was written" below would be vacuous.
    await ctx.db.execute(sql`update services set slug = slug where id = ${paid.id}::uuid`);
    await ctx.db.execute(sql`update services set default_capacity = default_capacity + 1 where id = ${paid.id}::uuid`);
    expect(await takeWrites()).toEqual([{ tbl: "public.services", op: "UPDATE", key: null }]);
  });

  afterAll(() => {
    setAutoDispatch(true);
    restoreEnv?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const route of routes) {
    it(route.label, async () => {
      // Routes that act on a reservation get their own, so an earlier route's cancel leaves them something to act on.
      const fx = /reservations|dev\/payments/.test(route.pattern)
        ? { ...shared, ...(await bookings(ctx.db, shared.services, hash(route.label).toString(16))) }
        : shared;
      const consoleErrors = expectConsoleError();
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      const findings: Finding[] = [];
      const statuses = new Map<string, number>();
      try {
        for (const mode of modesOf(route, fx)) {
          const { arbitrary, base } = caseArbitrary(route, mode, fx);
          const seed = (SEED ^ hash(`${route.label} ${mode.name}`)) >>> 0;
          const cases = fc.sample(arbitrary, { seed, numRuns: mode.runs });
          const note = (c: Case, outcome: Outcome, kind: string) =>
            findings.push({
              kind,
              status: outcome.status,
              code: outcome.code,
              snippet: outcome.snippet,
              mode: `${mode.name}, seed ${seed}`,
              input: describeCase(route, c),
              full: c,
            });
          const run = async (c: Case): Promise<Outcome> => {
            const errorsBefore = consoleErrors.length;
            const outcome = await send(route, c);
            clock.reset();
            if (outcome.status < 400) await settle();
            const key = `${mode.name} ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (outcome.violation) note(c, outcome, outcome.violation);
            if (consoleErrors.length > errorsBefore)
              note(c, { ...outcome, snippet: String(consoleErrors[errorsBefore]?.[0]).slice(0, 200) }, "console.error");
            return outcome;
          };
          await takeWrites();
          for (const c of cases) {
            const outcome = await run(c);
            const writes = await takeWrites();
            if (outcome.status < 400 || outcome.status >= 500) continue;
            // The stored 4xx answer under the request's own Idempotency-Key is the documented replay record
            // (src/server/idempotency), not a change the refusal made.
            const own = c.headers["idempotency-key"]?.trim();
            const foreign = writes.filter((w) => !(w.tbl === "public.idempotency_keys" && w.key === own));
            if (foreign.length > 0)
              note(
                c,
                outcome,
                `a refused request wrote ${[...new Set(foreign.map((w) => `${w.op} ${w.tbl}`))].join(", ")}`,
              );
          }
          if (mode.name !== "anonymous") {
            const outcome = await run(base);
            if ([400, 401, 403, 413, 415].includes(outcome.status) || outcome.code === "validation_failed")
              note(base, outcome, `harness: the valid template was refused`);
          }
        }
      } finally {
        log.mockRestore();
      }
      if (process.env.FUZZ_STATS)
        console.info(`${route.label}: ${[...statuses].map(([k, n]) => `${k}×${n}`).join(", ")}`);
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      const limited = [...statuses].filter(([k]) => / 429/.test(k)).reduce((a, [, n]) => a + n, 0);
      if (limited * 2 > total)
        findings.push({
          kind: "rate limiting answered most cases; the fuzz reached little",
          status: 429,
          snippet: "",
          mode: "-",
          input: "-",
        });
      if (process.env.FUZZ_REPORT) {
        for (const { full, ...f } of findings)
          appendFileSync(
            process.env.FUZZ_REPORT,
            `${JSON.stringify({ db: ctx.kind, route: route.label, ...f, case: full })}\n`,
          );
      }
      expect(findings.length, report(route, findings)).toBe(0);
    });
  }
});

/** Fresh reservations on slots of their own, so no earlier case's holds can have sold them out. */
async function bookings(db: Db, services: { paid: string; free: string }, tag: string): Promise<Bookings> {
  const slot = async (serviceId: string) =>
    (await insertSlot(db, { serviceId, startsAt: new Date(Date.now() + 12 * 24 * HOUR), capacity: 10 })).id;
  const [paidSlot, freeSlot] = [await slot(services.paid), await slot(services.free)];
  const as = (who: string) => ({ customer: { name: "Fuzz", email: `${who}-${tag}@example.com` } });
  const [held, booked, captured] = [
    await holdOk(paidSlot, as("held")),
    await holdOk(freeSlot, as("booked")),
    await holdOk(paidSlot, as("captured")),
  ];
  expect((await payCheckoutSession((await checkoutOk(captured)).sessionId, "4242 4242 4242 4242")).outcome).toBe(
    "succeeded",
  );
  await settle();
  return { held, booked, captured, sessionId: (await checkoutOk(held)).sessionId };
}

function modesOf(route: Route, fx: Fixtures): Mode[] {
  // A route with no template and no dynamic segment reads no input but headers and the query: a quarter is plenty.
  const reads = route.label in templates(fx) || route.segments.some((s) => typeof s !== "string");
  const runs = reads ? RUNS : Math.ceil(RUNS / 4);
  if (WIPES_DATABASE.includes(route.pattern)) return [{ name: "public", runs: 3, headers: {} }];
  if (route.pattern.startsWith("/api/admin/")) {
    return [
      { name: "anonymous", runs: Math.ceil(RUNS / 5), headers: {} },
      { name: "admin", runs, headers: { authorization: `Bearer ${fx.admin.token}` } },
    ];
  }
  // Each cron call runs its whole job; only the credential and the query vary.
  if (route.pattern.startsWith("/api/cron/"))
    return [{ name: "cron", runs: Math.ceil(RUNS / 10), headers: { authorization: `Bearer ${TEST_CRON_SECRET}` } }];
  return [{ name: "public", runs, headers: {} }];
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16_777_619);
  return h >>> 0;
}

const clip = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

function describeCase(route: Route, c: Case): string {
  const headers = Object.fromEntries(
    Object.entries(c.headers).map(([k, v]) => [k, k === "authorization" ? clip(v, 40) : clip(v, 80)]),
  );
  const body = c.body ? ` body(${c.body.contentType ?? "no type"})=${clip(JSON.stringify(c.body.text), 300)}` : "";
  return `[${c.focus}${c.sign ? ", validly signed" : ""}] ${route.method} ${clip(JSON.stringify(urlOf(route, c)), 300)} params=${clip(JSON.stringify(c.params), 200)} headers=${JSON.stringify(headers)}${body}`;
}

/** Findings grouped by kind, status and cause, with the first inputs of each group. */
function report(route: Route, findings: Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.kind} | ${f.status} ${f.code ?? ""} | ${f.snippet.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<uuid>").slice(0, 160)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines = [...groups].map(([key, list]) =>
    [`• ${key} (${list.length}×)`, ...list.slice(0, 3).map((f) => `    ${f.mode}: ${f.input}`)].join("\n"),
  );
  return `${route.label}: ${findings.length} finding(s), FUZZ_SEED=${SEED}\n${lines.join("\n")}\n`;
}
