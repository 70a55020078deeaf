/**
 * `npm run bench:admin-list`: the staff reservation list (searchReservations, the query behind /manage/reservations
 * and GET /api/admin/reservations) at 100k reservations, as ratios to baselines measured in the same run:
 *   trivial   `select 1` inside asUser (the transaction, role switch and claims every list read pays)
 *   lookup    one reservation by its unique code inside asUser (a plain indexed read under RLS)
 * Seeds with bulk SQL (generate_series) into an in-memory PGlite database, and into a scratch PostgreSQL database as
 * well when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (the scratch database is created next to it and dropped).
 * Settings: BENCH_RESERVATIONS (100000), BENCH_ITERATIONS (30).
 */
import { sql } from "drizzle-orm";
import { getReservationDetail } from "../src/server/admin/reservation-detail";
import { exportReservationsCsv } from "../src/server/admin/reservation-export";
import type { ReservationSearch } from "../src/server/admin/reservation-query";
import { searchReservations } from "../src/server/admin/reservations";
import type { Actor } from "../src/server/audit";
import type { AuthContext } from "../src/server/auth/session";
import { asUser, setDatabaseForTests } from "../src/server/db/index";
import { openDatabase, queryRows, type DatabaseHandle } from "../src/server/db/client";
import { runMigrations } from "../src/server/db/migrate";
import { createScratchDatabase } from "./http-harness";

const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 100_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const SLOTS = Math.max(1, Math.floor(RESERVATIONS / 5));
/** Slots start here, one per hour per service; the date filters below pick a month inside the range. */
const BASE = new Date("2030-01-01T00:00:00Z");

const staffId = "00000000-0000-4000-8000-00000000beef";
const staff: AuthContext = {
  userId: staffId,
  email: "bench-staff@example.com",
  role: "staff",
  claims: {
    sub: staffId,
    role: "authenticated",
    email: "bench-staff@example.com",
    user_role: "staff",
    aud: "authenticated",
  },
};

const actor: Actor = { kind: "user", id: staffId, role: "staff" };

async function seed(handle: DatabaseHandle): Promise<void> {
  const started = performance.now();
  const db = handle.db;
  // The staff member the reads run as must exist with the role: RLS checks user_roles as well as the token.
  await db.execute(
    sql`insert into auth.users (id, aud, role, email) values (${staffId}::uuid, 'authenticated', 'authenticated', ${staff.email})`,
  );
  await db.execute(sql`insert into user_roles (user_id, role) values (${staffId}::uuid, 'staff')`);
  await db.execute(sql`insert into services (slug, name_ja, name_en, duration_minutes, price_amount, default_capacity)
    select 'bench-' || g, 'ベンチ講座' || g, 'Bench class ' || g, 60, 3000, 10 from generate_series(1, 5) g`);
  await db.execute(sql`insert into slots (service_id, starts_at, ends_at, capacity, reserved)
    select s.id, ${BASE.toISOString()}::timestamptz + make_interval(hours => g),
           ${BASE.toISOString()}::timestamptz + make_interval(hours => g + 1), 10, 5
      from (select id, row_number() over (order by slug) as n from services) s,
           generate_series(0, ${Math.ceil(SLOTS / 5) - 1}) g`);
  // Statuses and payments in realistic proportions: most confirmed and paid, some held, cancelled, expired, no-show.
  await db.execute(sql`insert into reservations (code, slot_id, customer_name, customer_email, customer_phone, quantity,
                                                 status, hold_expires_at, amount, currency, created_at, updated_at)
    select 'BK-' || substr(h, 1, 4) || '-' || substr(h, 5, 4), sl.id, '顧客 ' || g || ' Customer', 'customer' || g || '@example.com',
           '090-' || lpad((g % 10000)::text, 4, '0') || '-' || lpad((g / 10000)::text, 4, '0'), 1,
           case when g % 20 = 0 then 'held' when g % 10 = 1 then 'cancelled' when g % 10 = 2 then 'expired'
                when g % 50 = 3 then 'no_show' else 'confirmed' end,
           case when g % 20 = 0 then now() + interval '15 minutes' end,
           3000, 'JPY', ${BASE.toISOString()}::timestamptz - interval '90 days' + make_interval(secs => g * 60),
           now()
      from generate_series(1, ${RESERVATIONS}) g
      -- Codes shaped like real ones (BK-XXXX-XXXX from the code alphabet), unique because g is.
      cross join lateral (select translate(lpad(to_hex(g), 8, '0'), '0123456789abcdef', '23456789ABCDEFGH') as h) c
      join (select id, row_number() over (order by starts_at, service_id) as n from slots) sl on sl.n = (g % ${SLOTS}) + 1`);
  await db.execute(sql`insert into payments (reservation_id, status, amount, amount_refunded, currency, attempt, created_at)
    select r.id,
           case when r.status = 'held' then 'pending' when r.status = 'expired' then 'expired'
                when r.status = 'cancelled' then 'refunded' when right(r.code, 1) = 'C' then 'partially_refunded'
                else 'succeeded' end,
           3000,
           case when r.status = 'cancelled' then 3000 when right(r.code, 1) = 'C' then 1000 else 0 end,
           'JPY', 1, r.created_at
      from reservations r where right(r.code, 1) <> '9'`);
  // One inbox row per payment, shaped like a Stripe event about its checkout session (what the detail page scans).
  await db.execute(sql`insert into webhook_events (provider, event_id, type, payload, status, received_at)
    select 'stripe', 'evt_bench_' || p.id, 'checkout.session.completed',
           jsonb_build_object('data', jsonb_build_object('object', jsonb_build_object('id', 'cs_bench_' || p.id,
             'metadata', jsonb_build_object('reservation_id', p.reservation_id::text)))),
           'processed', p.created_at
      from payments p`);
  await db.execute(sql`analyze`);
  console.log(
    `  seeded ${RESERVATIONS} reservations, ${SLOTS} slots in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function time(label: string, fn: () => Promise<unknown>, baseline?: number, note = () => ""): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] ?? 0;
  const ratio = baseline ? `${(median / baseline).toFixed(1).padStart(7)}x` : "";
  console.log(`  ${label.padEnd(44)} ${median.toFixed(2).padStart(9)} ms ${ratio} ${note()}`);
  return median;
}

const base = { sort: "-createdAt", page: 1, pageSize: 25 } satisfies ReservationSearch;
const month = { from: new Date(BASE.getTime() + 30 * 86_400_000), to: new Date(BASE.getTime() + 61 * 86_400_000) };

async function run(handle: DatabaseHandle): Promise<void> {
  await runMigrations(handle);
  setDatabaseForTests(handle);
  console.log(`\nadmin list bench on ${handle.kind}, median of ${ITERATIONS} runs`);
  await seed(handle);
  const [probe] = await queryRows<{ code: string }>(
    handle.db,
    sql`select code from reservations order by code limit 1 offset 4242`,
  );
  const code = probe?.code ?? "";

  const trivial = await time("baseline: select 1 under asUser", () =>
    asUser(staff.claims, (tx) => tx.execute(sql`select 1`)),
  );
  const lookup = await time(
    "baseline: one reservation by code under asUser",
    () => asUser(staff.claims, (tx) => queryRows(tx, sql`select * from reservations where code = ${code}`)),
    trivial,
  );
  console.log("  ratios below: to the indexed lookup");
  const cases: [string, ReservationSearch][] = [
    ["default page (-createdAt, 25)", base],
    ["page 2000 (offset 49,975)", { ...base, page: 2000 }],
    ["sort by start, page 1", { ...base, sort: "startsAt" }],
    ["search email fragment 'customer4242'", { ...base, q: "customer4242" }],
    ["search code", { ...base, q: code }],
    ["search phone digits '0904242'", { ...base, q: "0904242" }],
    ["status confirmed + one month", { ...base, status: ["confirmed"], ...month }],
    ["status held,cancelled", { ...base, status: ["held", "cancelled"] }],
    ["payment partially_refunded", { ...base, payment: "partially_refunded" }],
    ["payment none", { ...base, payment: "none" }],
  ];
  for (const [label, search] of cases) {
    let total = 0;
    await time(
      label,
      async () => (total = (await searchReservations(staff, search)).total),
      lookup,
      () => `(total ${total})`,
    );
    // Every case matches rows in the seeded data; a total of 0 means RLS let the staff member see nothing.
    if (total === 0) throw new Error(`${label}: no rows visible to the bench's staff member, so nothing was measured`);
  }

  console.log("  detail and export");
  const [sample] = await queryRows<{ id: string }>(handle.db, sql`select id from reservations where code = ${code}`);
  await time(
    "getReservationDetail (scans webhook_events)",
    () => getReservationDetail(staff, sample?.id ?? ""),
    lookup,
  );
  await time(
    "count(*) alone, no filter",
    () => asUser(staff.claims, (tx) => queryRows(tx, sql`select count(*) from reservations`)),
    lookup,
  );
  const started = performance.now();
  const csv = await exportReservationsCsv({
    auth: staff,
    actor,
    filter: { sort: "-createdAt" },
    locale: "ja",
    timeZone: "Asia/Tokyo",
  });
  const bytes = (await csv.arrayBuffer()).byteLength;
  console.log(
    `  full CSV export, ${RESERVATIONS} rows: ${((performance.now() - started) / 1000).toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB (once)`,
  );
}

const pglite = await openDatabase({ kind: "pglite" });
try {
  await run(pglite);
} finally {
  await pglite.close();
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (adminUrl) {
  process.env.BENCH_DATABASE_URL = adminUrl;
  const scratch = await createScratchDatabase();
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 2 });
  try {
    await run(handle);
  } finally {
    await handle.close();
    await scratch.drop();
  }
}
setDatabaseForTests(undefined);
