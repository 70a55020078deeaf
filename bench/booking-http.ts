/**
 * `npm run bench:http`: the booking hot paths over HTTP against a production build (`npm run build` first) on
 * PostgreSQL, each compared with a baseline measured in the same run:
 *   A. POST /api/reservations on one hot slot  vs  GET /api/ping (trivial route, same server)
 *   B. the same hold                           vs  the same conditional UPDATE + INSERT sent straight to PostgreSQL
 *   C. GET /api/slots                          vs  GET /api/ping
 *   D. oversell check: 400 holds at the same concurrency on a 25-seat slot → exactly 25 succeed
 *   E. the rate limiter's own cost: the same hold on a second server started with RATE_LIMITS=off, measured in
 *      alternating rounds with the first (hold with limiter / hold without)
 * The main server runs with the Redis store (REDIS_URL, default redis://127.0.0.1:6379; BENCH_RATE_LIMIT_STORE=postgres
 * or memory to compare), every rule counting at a million a minute (so nothing is refused: the cost is measured, not
 * the refusals) and TRUSTED_PROXY_HOPS=1, each hold from its own X-Forwarded-For address and email (distinct
 * customers, as the held-seat caps expect).
 * Prints req/s, p50, p99 and ratios, and writes bench/results/booking-http-<timestamp>.json (git-ignored;
 * bench/README.md keeps the summary).
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is only used to create a scratch database.
 * Load generator, scratch database and server start: bench/http-harness.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import postgres from "postgres";
import { RULE_NAMES } from "../src/server/security/rate-limit-rules";
import { CONCURRENCY, REQUESTS, createScratchDatabase, load, startApp, stopApp, waitForApp } from "./http-harness";

const scratch = await createScratchDatabase();
const dbUrl = scratch.url;
const sqlDb = postgres(dbUrl, { max: CONCURRENCY, prepare: false, onnotice: () => {} });
const [service] =
  await sqlDb`insert into services (slug, name_ja, name_en, duration_minutes, price_amount, default_capacity)
  values ('bench', 'ベンチ', 'Bench', 60, 1000, 1000000) returning id`;
const mkSlot = async (capacity: number, hours: number) =>
  (
    await sqlDb`insert into slots (service_id, starts_at, ends_at, capacity)
      values (${service!.id}, now() + make_interval(hours => ${hours}), now() + make_interval(hours => ${hours + 1}), ${capacity}) returning id`
  )[0]!.id as string;
const hotSlot = await mkSlot(1_000_000, 48);
const rawSlot = await mkSlot(1_000_000, 49);
const limitedSlot = await mkSlot(25, 50);

const store = process.env.BENCH_RATE_LIMIT_STORE ?? "redis";
const counting = RULE_NAMES.map((rule) => `${rule}=1000000/60`).join(",");
const limiterEnv = {
  TRUSTED_PROXY_HOPS: "1",
  RATE_LIMITS: counting,
  RATE_LIMIT_STORE: store,
  REDIS_URL: store === "redis" ? (process.env.REDIS_URL ?? "redis://127.0.0.1:6379") : undefined,
};
const app = await startApp(dbUrl, { env: limiterEnv });
const unlimited = await startApp(dbUrl, {
  env: { ...limiterEnv, RATE_LIMITS: "off", RATE_LIMIT_STORE: undefined, REDIS_URL: undefined },
});
const base = app.base;
try {
  const health = (await waitForApp(app)) as { rateLimit?: { store: string; ok: boolean } };
  await waitForApp(unlimited);
  if (!health.rateLimit?.ok || health.rateLimit.store !== store)
    throw new Error(`rate-limit store ${store} is not up: ${JSON.stringify(health.rateLimit)}`);
  const holdBody = (slotId: string, i: number) =>
    JSON.stringify({ slotId, quantity: 1, customer: { name: `Bench ${i}`, email: `bench${i}@example.com` } });
  let round = 0;
  const clientAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const hold = (slotId: string, server = base) => {
    const prefix = `${slotId}-${round++}`;
    return async (i: number) =>
      (
        await fetch(`${server}/api/reservations`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": `${prefix}-${i}`,
            "x-forwarded-for": clientAddress(i),
          },
          body: holdBody(slotId, i),
        }).then(async (r) => (await r.arrayBuffer(), r))
      ).status;
  };
  const get = (url: string) => async () => (await fetch(url).then(async (r) => (await r.arrayBuffer(), r))).status;

  // Warm up every route until the JIT has settled: a trivial route still speeds up from 300 to 550 req/s over its
  // first ~3000 requests on this machine, which a short warm-up would charge to whatever is measured first.
  for (const server of [base, unlimited.base]) {
    await load("warm-up", 1500, get(`${server}/api/ping`));
    await load("warm-up hold", 600, hold(hotSlot, server));
    await load("warm-up slots", 600, get(`${server}/api/slots?serviceId=${service!.id}`));
  }
  console.log(`bench: concurrency ${CONCURRENCY}, ${REQUESTS} requests per run, rate-limit store ${store}`);
  const ping = await load("GET /api/ping (trivial route)", REQUESTS, get(`${base}/api/ping`));
  const holdStats = await load("POST /api/reservations (hot slot)", REQUESTS, hold(hotSlot));
  const holdOff1 = await load("same hold, RATE_LIMITS=off", REQUESTS, hold(hotSlot, unlimited.base));
  const holdOn2 = await load("same hold, limiter on (2nd round)", REQUESTS, hold(hotSlot));
  const holdOff2 = await load("same hold, RATE_LIMITS=off (2nd round)", REQUESTS, hold(hotSlot, unlimited.base));
  const raw = await load("raw SQL: conditional UPDATE + INSERT", REQUESTS, async (i) => {
    await sqlDb.begin(async (tx) => {
      const taken =
        await tx`update slots set reserved = reserved + 1 where id = ${rawSlot} and status = 'open' and reserved + 1 <= capacity returning id`;
      if (taken.length === 0) throw new Error("sold out");
      await tx`insert into reservations (code, slot_id, customer_name, customer_email, quantity, status, hold_expires_at, amount, currency)
        values (${`RAW-${i}-${Date.now()}`}, ${rawSlot}, 'Raw', 'raw@example.com', 1, 'held', now() + interval '15 minutes', 1000, 'JPY')`;
    });
    return 201;
  });
  const slotsStats = await load("GET /api/slots", REQUESTS, get(`${base}/api/slots?serviceId=${service!.id}`));
  const oversell = await load("oversell check: 400 holds on 25 seats", 400, hold(limitedSlot));
  const [limited] = await sqlDb`select reserved, capacity,
      (select count(*)::int from reservations where slot_id = ${limitedSlot} and status in ('held','confirmed')) as active
    from slots where id = ${limitedSlot}`;

  const ratios = {
    holdVsTrivial: holdStats.rps / ping.rps,
    holdVsRawSql: holdStats.rps / raw.rps,
    slotsVsTrivial: slotsStats.rps / ping.rps,
    holdLimiterOnVsOff: (holdStats.rps + holdOn2.rps) / (holdOff1.rps + holdOff2.rps),
  };
  const oversold = Math.max(0, Number(limited!.active) - Number(limited!.capacity));
  console.log(
    `ratios: hold/trivial ${ratios.holdVsTrivial.toFixed(2)} (goal ≥ 0.5), hold/raw SQL ${ratios.holdVsRawSql.toFixed(2)} (goal ≥ 0.35), slots/trivial ${ratios.slotsVsTrivial.toFixed(2)} (goal ≥ 0.8), hold with limiter/without ${ratios.holdLimiterOnVsOff.toFixed(2)} (goal ≥ 0.9, ${store} store)`,
  );
  console.log(
    `oversell: ${oversell.statuses["201"] ?? 0} × 201 on 25 seats, reserved ${limited!.reserved}, active ${limited!.active}, oversold ${oversold}`,
  );
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/booking-http-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        concurrency: CONCURRENCY,
        rateLimitStore: store,
        runs: [ping, holdStats, holdOff1, holdOn2, holdOff2, raw, slotsStats, oversell],
        ratios,
        oversold,
      },
      null,
      2,
    ),
  );
  console.log(`saved ${file}`);
  if (oversold > 0) process.exitCode = 1;
} finally {
  stopApp(app);
  stopApp(unlimited);
  await sqlDb.end();
  await new Promise((r) => setTimeout(r, 1000));
  await scratch.drop();
}
