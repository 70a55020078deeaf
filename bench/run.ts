/**
 * `npm run bench`: costs that shape later work, each printed as a ratio to a baseline measured in the same run
 * (absolute times on a shared 2-core machine mean little).
 *   1. slot listing under RLS as anon (asAnon) vs the same query on the raw connection (no RLS, no role switch)
 *   2. a request through the route wrapper vs a bare handler returning the same JSON
 * Runs on an in-memory PGlite database, or on BENCH_DATABASE_URL (a scratch PostgreSQL database) when set.
 */
import { and, asc, eq, gte, lt, ne } from "drizzle-orm";
import { NextRequest } from "next/server";
import { openDatabase } from "../src/server/db/client";
import { runMigrations } from "../src/server/db/migrate";
import { seedDatabase } from "../src/server/db/seed";
import { services, slots } from "../src/server/db/schema";
import { setDatabaseForTests } from "../src/server/db/index";
import { listSlots } from "../src/server/booking/availability";
import { route } from "../src/server/http/route";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);

async function time(label: string, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  const perOp = (performance.now() - started) / ITERATIONS;
  console.log(`  ${label.padEnd(44)} ${(perOp * 1000).toFixed(0).padStart(7)} µs/op`);
  return perOp;
}

const url = process.env.BENCH_DATABASE_URL;
const handle = url ? await openDatabase({ kind: "postgres", url, poolMax: 4 }) : await openDatabase({ kind: "pglite" });
await runMigrations(handle);
await seedDatabase(handle.db, {
  now: new Date(),
  timeZone: "Asia/Tokyo",
  currency: "JPY",
  days: 60,
  accounts: { admin: {}, staff: {} },
});
setDatabaseForTests(handle);
const [service] = await handle.db.select().from(services).where(eq(services.slug, "morning-yoga"));
if (!service) throw new Error("seed failed");
const from = new Date();
const to = new Date(from.getTime() + 30 * 86_400_000);

console.log(`bench on ${handle.kind}, ${ITERATIONS} iterations each`);
console.log("1. slot listing (30 days, one service)");
const raw = await time("baseline: raw query, no RLS", () =>
  handle.db
    .select()
    .from(slots)
    .where(
      and(
        eq(slots.serviceId, service.id),
        gte(slots.startsAt, from),
        lt(slots.startsAt, to),
        ne(slots.status, "cancelled"),
      ),
    )
    .orderBy(asc(slots.startsAt)),
);
const rls = await time("listSlots(): asAnon transaction + RLS", () => listSlots({ serviceId: service.id, from, to }));
console.log(`  ratio RLS/baseline: ${(rls / raw).toFixed(2)}x`);

console.log("2. HTTP handler");
const bare = async () => Response.json({ ok: true });
const wrapped = route({ route: "/bench" }, async () => ({ ok: true }));
const request = () => new NextRequest("http://localhost/bench");
const b = await time("baseline: bare handler", () => bare());
const w = await time("route() wrapper (id, log, headers)", () => wrapped(request()));
console.log(`  ratio wrapper/baseline: ${(w / b).toFixed(2)}x`);

await handle.close();
