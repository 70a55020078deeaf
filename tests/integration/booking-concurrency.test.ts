/**
 * Invariants 1, 3 and 6 under real concurrency: PostgreSQL only (TEST_DATABASE_URL), with real parallel connections.
 * PGlite runs one statement at a time, so these races cannot happen there; the same code is covered functionally
 * by booking*.test.ts on both databases. The suite gets the shared per-file database (a clone of the migrated
 * template, tests/helpers/db.ts) and opens a second handle on it with a 20-connection pool for the races.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { openDatabase, queryRows, type DatabaseHandle } from "@/server/db/client";
import { setDatabaseForTests } from "@/server/db";
import { services, slots, reservations } from "@/server/db/schema";
import { holdReservation } from "@/server/booking/hold";
import { rescheduleReservation } from "@/server/booking/reschedule";
import { expireHolds } from "@/server/booking/expire";
import { confirmReservation } from "@/server/booking/confirm";
import { describeEachDatabase } from "../helpers/db";

const POOL_MAX = 20;
let handle: DatabaseHandle;

const guest = { kind: "guest" } as const;

async function makeSlot(capacity: number, startsInHours = 72): Promise<{ serviceId: string; slotId: string }> {
  const [service] = await handle.db
    .insert(services)
    .values({
      slug: `svc-${crypto.randomUUID()}`,
      nameJa: "テスト",
      nameEn: "Test",
      durationMinutes: 60,
      priceAmount: 1000,
      defaultCapacity: capacity,
    })
    .returning();
  if (!service) throw new Error("no service");
  const startsAt = new Date(Date.now() + startsInHours * 3_600_000);
  const [slot] = await handle.db
    .insert(slots)
    .values({ serviceId: service.id, startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000), capacity })
    .returning();
  if (!slot) throw new Error("no slot");
  return { serviceId: service.id, slotId: slot.id };
}

async function addSlot(serviceId: string, capacity: number, startsInHours: number): Promise<string> {
  const startsAt = new Date(Date.now() + startsInHours * 3_600_000);
  const [slot] = await handle.db
    .insert(slots)
    .values({ serviceId, startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000), capacity })
    .returning();
  if (!slot) throw new Error("no slot");
  return slot.id;
}

async function slotState(slotId: string): Promise<{ reserved: number; capacity: number; active: number }> {
  const [row] = await queryRows<{ reserved: number; capacity: number; active: number }>(
    handle.db,
    sql`select s.reserved, s.capacity,
               coalesce((select sum(quantity) from reservations r where r.slot_id = s.id and r.status in ('held','confirmed')), 0)::int as active
          from slots s where s.id = ${slotId}`,
  );
  if (!row) throw new Error("slot missing");
  return { reserved: Number(row.reserved), capacity: Number(row.capacity), active: Number(row.active) };
}

function hold(slotId: string, i: number, quantity = 1) {
  return holdReservation({
    slotId,
    quantity,
    customer: { name: `Guest ${i}`, email: `guest${i}@example.com` },
    locale: "ja",
    actor: guest,
  });
}

describeEachDatabase("booking concurrency", (ctx) => {
  describe.skipIf(ctx.kind !== "postgres")("on PostgreSQL", () => {
    beforeAll(async () => {
      handle = await openDatabase({ kind: "postgres", url: ctx.url as string, poolMax: POOL_MAX });
      setDatabaseForTests(handle);
    });

    afterAll(async () => {
      setDatabaseForTests(ctx.handle);
      await handle?.close();
    });

    it("200 concurrent holds on a capacity-10 slot: exactly 10 succeed, 190 are sold out", async () => {
      const { slotId } = await makeSlot(10);
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => hold(slotId, i)));
      const ok = results.filter((r) => r.status === "fulfilled");
      const soldOut = results.filter(
        (r) => r.status === "rejected" && r.reason instanceof AppError && r.reason.code === "sold_out",
      );
      expect(ok).toHaveLength(10);
      expect(soldOut).toHaveLength(190);
      const state = await slotState(slotId);
      expect(state.reserved).toBe(10);
      expect(state.active).toBe(10);
    });

    it("50 concurrent reschedules between two nearly full slots never exceed capacity or surface a deadlock", async () => {
      const { serviceId, slotId: a } = await makeSlot(6);
      const b = await addSlot(serviceId, 6, 96);
      const inA = await Promise.all(Array.from({ length: 5 }, (_, i) => hold(a, 1000 + i)));
      const inB = await Promise.all(Array.from({ length: 5 }, (_, i) => hold(b, 2000 + i)));
      const moves = Array.from({ length: 50 }, (_, i) => {
        const fromA = i % 2 === 0;
        const pool = fromA ? inA : inB;
        const r = pool[i % pool.length];
        if (!r) throw new Error("no reservation");
        return rescheduleReservation({
          reservationId: r.reservation.id,
          toSlotId: fromA ? b : a,
          by: "staff",
          actor: guest,
        });
      });
      const results = await Promise.allSettled(moves);
      const unexpected = results.filter(
        (r) =>
          r.status === "rejected" &&
          !(r.reason instanceof AppError && ["sold_out", "invalid_state"].includes(r.reason.code)),
      );
      expect(unexpected.map((r) => (r as PromiseRejectedResult).reason?.message)).toEqual([]);
      expect(results.some((r) => r.status === "fulfilled")).toBe(true);
      for (const id of [a, b]) {
        const state = await slotState(id);
        expect(state.reserved).toBeLessThanOrEqual(state.capacity);
        expect(state.reserved).toBe(state.active);
      }
      const total = (await slotState(a)).reserved + (await slotState(b)).reserved;
      expect(total).toBe(10);
    });

    it("expiry racing confirmation releases each hold at most once", async () => {
      const { slotId } = await makeSlot(40);
      const held = await Promise.all(Array.from({ length: 30 }, (_, i) => hold(slotId, 3000 + i)));
      // Make every hold due now, then let two expiry runs race thirty confirmations.
      await handle.db.execute(
        sql`update reservations set hold_expires_at = now() - interval '1 minute' where slot_id = ${slotId}`,
      );
      const confirmations = held.map((h) => confirmReservation({ reservationId: h.reservation.id, actor: guest }));
      const [expiredA, expiredB, ...outcomes] = await Promise.all([expireHolds(), expireHolds(), ...confirmations]);
      const confirmed = outcomes.filter((o) => o.outcome === "confirmed").length;
      expect(Number(expiredA) + Number(expiredB) + confirmed).toBe(30);
      const rows = await handle.db
        .select()
        .from(reservations)
        .where(sql`${reservations.slotId} = ${slotId}`);
      expect(rows.filter((r) => r.status === "confirmed")).toHaveLength(confirmed);
      const state = await slotState(slotId);
      expect(state.reserved).toBe(confirmed);
      expect(state.active).toBe(confirmed);
      const audits = await queryRows<{ n: number }>(
        handle.db,
        sql`select count(*)::int as n from audit_log where action = 'reservation.expired' and entity_id in (select id::text from reservations where slot_id = ${slotId})`,
      );
      expect(Number(audits[0]?.n)).toBe(30 - confirmed);
    });
  });
});
