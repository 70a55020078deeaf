/**
 * `npm run bench:webhooks`: Stripe webhook ingestion over HTTP against a production build (`npm run build` first) on
 * a scratch PostgreSQL database, payments on the emulator (ALLOW_DEV_MOCKS=true, no STRIPE_* keys), each compared
 * with GET /api/ping on the same server in the same run, at the same concurrency and request count:
 *   A. POST /api/webhooks/stripe, a new `customer.created` event per request (unique `evt_bench_<n>`), correctly
 *      signed: signature check + inbox insert + processing bookkeeping; the app stores the type but has no handler,
 *      so it answers 200 with outcome "ignored" and no gateway call is made
 *   B. the same events posted again (a sender's retry, freshly signed): 200 with outcome "duplicate"
 * Every response must be 200; every 10th body is checked for the expected outcome and event id, and the inbox is
 * checked afterwards (one row per event, all "ignored", processed once). Any failure exits non-zero.
 * Prints req/s, p50, p95, p99 and ratios, and writes bench/results/webhook-http-<timestamp>.json (git-ignored;
 * bench/README.md keeps the summary). The server's log goes to .data/bench/webhook-http-server.log; its warn/error
 * lines are counted and reported.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import postgres from "postgres";
import Stripe from "stripe";
import { EMULATOR_WEBHOOK_SECRET } from "../src/server/payments/config";
import {
  CONCURRENCY,
  REQUESTS,
  createScratchDatabase,
  load,
  startApp,
  stopApp,
  waitForApp,
  type Stats,
} from "./http-harness";

const GOAL = 0.5; // webhook ingestion ≥ 0.5× trivial
const WARM_UP = 50;
const SAMPLE_EVERY = 10;
const serverLog = ".data/bench/webhook-http-server.log";

const stripe = new Stripe("sk_test_x"); // only signs; never sends a request
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A `customer.created` event shaped like Stripe's (and the emulator's): pretty-printed, as Stripe sends it. */
function eventBody(id: string, n: number): string {
  const created = nowSeconds();
  return JSON.stringify(
    {
      id,
      object: "event",
      api_version: Stripe.API_VERSION,
      created,
      data: {
        object: {
          id: `cus_bench_${n}`,
          object: "customer",
          address: null,
          balance: 0,
          created,
          currency: null,
          default_source: null,
          delinquent: false,
          description: null,
          email: `bench${n}@example.com`,
          invoice_prefix: `BENCH${n}`,
          invoice_settings: {
            custom_fields: null,
            default_payment_method: null,
            footer: null,
            rendering_options: null,
          },
          livemode: false,
          metadata: {},
          name: `Bench ${n}`,
          phone: null,
          preferred_locales: [],
          shipping: null,
          tax_exempt: "none",
          test_clock: null,
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: "customer.created",
    },
    null,
    2,
  );
}

// Bodies are built once per event id, so a duplicate re-sends exactly the bytes of the first delivery (as Stripe
// does); the signature is computed per request with the current time, so it is never older than the tolerance.
const bodies = new Map<string, string>();
const bodyFor = (id: string, n: number) => {
  let body = bodies.get(id);
  if (!body) bodies.set(id, (body = eventBody(id, n)));
  return body;
};

type Failure = { phase: string; eventId: string; status: number; detail: string };
const failures: Failure[] = [];
let sampled = 0;

const scratch = await createScratchDatabase();
const sqlDb = postgres(scratch.url, { max: 1, prepare: false, onnotice: () => {} });
mkdirSync(".data/bench", { recursive: true });
// No STRIPE_* variable reaches the server (empty wins over any .env file), so payments run on the emulator and the
// route verifies with EMULATOR_WEBHOOK_SECRET.
const stripeVars = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith("STRIPE_"))
    .map((k) => [k, undefined]),
);
const app = await startApp(scratch.url, {
  env: { ...stripeVars, STRIPE_SECRET_KEY: "", STRIPE_WEBHOOK_SECRET: "" },
  stdoutFile: serverLog,
});
const base = app.base;
let exitCode = 0;
try {
  const health = (await waitForApp(app)) as { modes?: { payments?: string; database?: string } };
  if (health.modes?.payments !== "emulator" || health.modes?.database !== "postgres") {
    throw new Error(`expected payments=emulator on postgres, the server reports ${JSON.stringify(health.modes)}`);
  }

  const post = (body: string, secret = EMULATOR_WEBHOOK_SECRET) =>
    fetch(`${base}/api/webhooks/stripe`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "stripe-signature": stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret,
          timestamp: nowSeconds(),
        }),
      },
      body,
    });

  /** Posts event `${prefix}<i>`; checks the status always and the body on every SAMPLE_EVERY-th request. */
  const webhook = (phase: string, prefix: string, expected: "ignored" | "duplicate") => async (i: number) => {
    const eventId = `${prefix}${i}`;
    const res = await post(bodyFor(eventId, i));
    if (res.status !== 200) {
      failures.push({ phase, eventId, status: res.status, detail: (await res.text()).slice(0, 300) });
    } else if (i % SAMPLE_EVERY === 0) {
      sampled++;
      const got = (await res.json()) as { eventId?: string; outcome?: string };
      if (got.outcome !== expected || got.eventId !== eventId) {
        failures.push({
          phase,
          eventId,
          status: res.status,
          detail: `expected outcome ${expected}, got ${JSON.stringify(got)}`,
        });
      }
    } else {
      await res.arrayBuffer();
    }
    return res.status;
  };
  const get = (url: string) => async () => (await fetch(url).then(async (r) => (await r.arrayBuffer(), r))).status;

  // The route really checks signatures: the same kind of event signed with another secret is refused.
  const forged = await post(bodyFor("evt_bench_forged", 0), "whsec_not_the_secret");
  const forgedBody = await forged.text();
  if (forged.status !== 400)
    failures.push({
      phase: "forged signature",
      eventId: "evt_bench_forged",
      status: forged.status,
      detail: forgedBody.slice(0, 300),
    });

  // Warm up every route (first requests compile/cache).
  await load("warm-up", 100, get(`${base}/api/ping`));
  await load("warm-up webhook", WARM_UP, webhook("warm-up", "evt_bench_warmup_", "ignored"));
  await load("warm-up duplicate", WARM_UP, webhook("warm-up duplicate", "evt_bench_warmup_", "duplicate"));
  console.log(`bench: concurrency ${CONCURRENCY}, ${REQUESTS} requests per run`);
  const opts = { p95: true };
  const ping = await load("GET /api/ping (trivial route)", REQUESTS, get(`${base}/api/ping`), opts);
  const ingest = await load(
    "POST /api/webhooks/stripe (new event)",
    REQUESTS,
    webhook("webhook", "evt_bench_", "ignored"),
    opts,
  );
  const duplicate = await load(
    "POST /api/webhooks/stripe (duplicate)",
    REQUESTS,
    webhook("duplicate", "evt_bench_", "duplicate"),
    opts,
  );

  // The inbox holds each event once, ignored, processed exactly once (duplicates did not process again).
  const inbox = await sqlDb<{ status: string; outcome: string | null; rows: number; maxAttempts: number }[]>`
    select status, outcome, count(*)::int as rows, max(attempts)::int as "maxAttempts" from webhook_events group by 1, 2 order by 1, 2`;
  const expectedRows = REQUESTS + WARM_UP;
  const inboxOk =
    inbox.length === 1 &&
    inbox[0]!.status === "ignored" &&
    inbox[0]!.outcome === "ignored" &&
    inbox[0]!.rows === expectedRows &&
    inbox[0]!.maxAttempts === 1;
  if (!inboxOk)
    failures.push({
      phase: "inbox",
      eventId: "*",
      status: 0,
      detail: `expected ${expectedRows} rows ignored/ignored with 1 attempt, got ${JSON.stringify(inbox)}`,
    });

  const runs: Stats[] = [ping, ingest, duplicate];
  const non200 = runs.reduce(
    (sum, s) => sum + Object.entries(s.statuses).reduce((n, [status, c]) => n + (status === "200" ? 0 : c), 0),
    0,
  );
  const ratios = { webhookVsTrivial: ingest.rps / ping.rps, duplicateVsTrivial: duplicate.rps / ping.rps };
  const goalMet = ratios.webhookVsTrivial >= GOAL;
  console.log(
    `ratios: webhook/trivial ${ratios.webhookVsTrivial.toFixed(2)} (goal ≥ ${GOAL}: ${goalMet ? "met" : "NOT met"}), duplicate/trivial ${ratios.duplicateVsTrivial.toFixed(2)}`,
  );
  console.log(
    `checks: forged signature → ${forged.status}; non-200 in measured runs ${non200}; ${sampled} bodies sampled; inbox ${inbox.map((r) => `${r.rows} × ${r.status}/${r.outcome} (max attempts ${r.maxAttempts})`).join(", ")}`,
  );
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/webhook-http-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        concurrency: CONCURRENCY,
        runs,
        ratios,
        goal: { webhookVsTrivial: GOAL, met: goalMet },
        checks: { forgedSignatureStatus: forged.status, non200, sampledBodies: sampled, inbox, failures },
      },
      null,
      2,
    ),
  );
  console.log(`saved ${file}`);
} catch (error) {
  exitCode = 1;
  console.error(error);
} finally {
  stopApp(app);
  await sqlDb.end();
  await new Promise((r) => setTimeout(r, 1000));
  await scratch.drop();
}

// The server's own complaints (pino JSON lines at warn or above) while it served the run. The startup warning that
// ALLOW_DEV_MOCKS is on in a production build is expected here and not counted.
const problems = readFileSync(serverLog, "utf8")
  .split("\n")
  .filter(
    (line) => /"level":"(warn|error|fatal)"/.test(line) && !line.includes('"event":"startup.mocks_in_production"'),
  );
if (problems.length > 0) {
  console.log(
    `server log: ${problems.length} warn/error lines in ${serverLog} (besides the ALLOW_DEV_MOCKS startup warning), first ones:`,
  );
  for (const line of problems.slice(0, 5)) console.log(`  ${line.slice(0, 400)}`);
} else {
  console.log(`server log: no warn/error lines besides the expected ALLOW_DEV_MOCKS startup warning (${serverLog})`);
}

if (failures.length > 0) {
  exitCode = 1;
  console.error(`FAIL: ${failures.length} failed checks, first ones:`);
  for (const f of failures.slice(0, 10)) console.error(`  [${f.phase}] ${f.eventId} → ${f.status}: ${f.detail}`);
}
process.exitCode = exitCode;
