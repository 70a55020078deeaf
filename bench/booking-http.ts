/**
 * `npm run bench:http`: the booking hot paths over HTTP against a production build (`npm run build` first) on
 * PostgreSQL, each compared with a baseline measured in the same run:
 *   A. POST /api/reservations on one hot slot  vs  GET /api/ping (trivial route, same server)
 *   B. the same hold                           vs  the same conditional UPDATE + INSERT sent straight to PostgreSQL
 *   C. GET /api/slots                          vs  GET /api/ping
 *   D. oversell check: 400 holds at the same concurrency on a 25-seat slot → exactly 25 succeed
 * Prints req/s, p50, p99 and ratios, and writes bench/results/booking-http-<timestamp>.json.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is only used to create a scratch database.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "../src/server/db/client";
import { runMigrations } from "../src/server/db/migrate";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `bench_${Date.now()}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

type Stats = { label: string; requests: number; rps: number; p50: number; p99: number; statuses: Record<string, number> };

async function load(label: string, total: number, fire: (i: number) => Promise<number>): Promise<Stats> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const status = await fire(i);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const stats = { label, requests: total, rps: total / seconds, p50: pct(50), p99: pct(99), statuses };
  console.log(
    `  ${label.padEnd(46)} ${stats.rps.toFixed(0).padStart(6)} req/s  p50 ${stats.p50.toFixed(1).padStart(6)} ms  p99 ${stats.p99.toFixed(1).padStart(6)} ms  ${JSON.stringify(statuses)}`,
  );
  return stats;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const handle = await openDatabase({ kind: "postgres", url: dbUrl, poolMax: 2 });
await runMigrations(handle);
await handle.close();
const sqlDb = postgres(dbUrl, { max: CONCURRENCY, prepare: false, onnotice: () => {} });
const [service] = await sqlDb`insert into services (slug, name_ja, name_en, duration_minutes, price_amount, default_capacity)
  values ('bench', 'ベンチ', 'Bench', 60, 1000, 1000000) returning id`;
const mkSlot = async (capacity: number, hours: number) =>
  (
    await sqlDb`insert into slots (service_id, starts_at, ends_at, capacity)
      values (${service!.id}, now() + make_interval(hours => ${hours}), now() + make_interval(hours => ${hours + 1}), ${capacity}) returning id`
  )[0]!.id as string;
const hotSlot = await mkSlot(1_000_000, 48);
const rawSlot = await mkSlot(1_000_000, 49);
const limitedSlot = await mkSlot(25, 50);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "start", "--hostname", "127.0.0.1", "--port", String(port)], {
  env: { ...process.env, NODE_ENV: "production", ALLOW_DEV_MOCKS: "true", DATABASE_URL: dbUrl, DATA_DIR: `.data/bench`, CRON_IN_PROCESS: "false", NEXT_TELEMETRY_DISABLED: "1" },
  stdio: ["ignore", "ignore", "inherit"],
  detached: true,
});
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 120) throw new Error("server did not start (did you run `npm run build`?)");
    await new Promise((r) => setTimeout(r, 500));
  }
  const holdBody = (slotId: string, i: number) =>
    JSON.stringify({ slotId, quantity: 1, customer: { name: `Bench ${i}`, email: `bench${i}@example.com` } });
  const hold = (slotId: string) => async (i: number) =>
    (
      await fetch(`${base}/api/reservations`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `${slotId}-${i}` },
        body: holdBody(slotId, i),
      }).then(async (r) => (await r.arrayBuffer(), r))
    ).status;
  const get = (url: string) => async () => (await fetch(url).then(async (r) => (await r.arrayBuffer(), r))).status;

  // Warm up every route (first requests compile/cache).
  await load("warm-up", 100, get(`${base}/api/ping`));
  await load("warm-up hold", 50, hold(hotSlot));
  console.log(`bench: concurrency ${CONCURRENCY}, ${REQUESTS} requests per run`);
  const ping = await load("GET /api/ping (trivial route)", REQUESTS, get(`${base}/api/ping`));
  const holdStats = await load("POST /api/reservations (hot slot)", REQUESTS, hold(hotSlot));
  const raw = await load("raw SQL: conditional UPDATE + INSERT", REQUESTS, async (i) => {
    await sqlDb.begin(async (tx) => {
      const taken = await tx`update slots set reserved = reserved + 1 where id = ${rawSlot} and status = 'open' and reserved + 1 <= capacity returning id`;
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
  };
  const oversold = Math.max(0, Number(limited!.active) - Number(limited!.capacity));
  console.log(
    `ratios: hold/trivial ${ratios.holdVsTrivial.toFixed(2)} (goal ≥ 0.5), hold/raw SQL ${ratios.holdVsRawSql.toFixed(2)} (goal ≥ 0.35), slots/trivial ${ratios.slotsVsTrivial.toFixed(2)} (goal ≥ 0.8)`,
  );
  console.log(`oversell: ${oversell.statuses["201"] ?? 0} × 201 on 25 seats, reserved ${limited!.reserved}, active ${limited!.active}, oversold ${oversold}`);
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/booking-http-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ concurrency: CONCURRENCY, runs: [ping, holdStats, raw, slotsStats, oversell], ratios, oversold }, null, 2));
  console.log(`saved ${file}`);
  if (oversold > 0) process.exitCode = 1;
} finally {
  if (server.pid) process.kill(-server.pid, "SIGTERM");
  await sqlDb.end();
  await new Promise((r) => setTimeout(r, 1000));
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
