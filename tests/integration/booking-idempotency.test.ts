import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { idempotencyKeys, reservations, slots } from "@/server/db/schema";
import { hashRequest } from "@/server/idempotency";
import { runJob } from "@/server/jobs/registry";
import {
  HOUR,
  T0,
  at,
  holdPayload,
  newService,
  postHold,
  slotReserved,
  snapshot,
  type HoldResponse,
} from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { expectJson, expectProblem } from "../helpers/http";

/** Invariant 5 on POST /api/reservations: the Idempotency-Key header (IETF draft semantics). */
describeEachDatabase("booking: Idempotency-Key", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const newSlot = async (capacity = 4, reserved = 0) => {
    const service = await newService(ctx.db);
    return insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity, reserved });
  };
  const reservationsIn = async (slotId: string) =>
    (await ctx.db.select().from(reservations).where(eq(reservations.slotId, slotId))).length;
  const keyRow = async (key: string) => {
    const [row] = await ctx.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, "guest"), eq(idempotencyKeys.key, key)));
    return row;
  };
  /** An unfinished first request, as another instance would leave it while running (or after crashing). */
  const insertInFlight = async (key: string, payload: unknown, lockedUntil: Date) => {
    await ctx.db.insert(idempotencyKeys).values({
      scope: "guest",
      key,
      method: "POST",
      path: "/api/reservations",
      requestHash: hashRequest("POST", "/api/reservations", payload),
      status: "in_flight",
      lockedUntil,
      createdAt: T0,
      expiresAt: at(24 * HOUR),
    });
  };

  it("answers 400 missing_header without a key (or with a blank one) and changes nothing", async () => {
    const slot = await newSlot();
    const before = await snapshot(ctx.db);
    for (const key of [null, "", "   "]) {
      const problem = await expectProblem(await postHold(holdPayload(slot.id), key), 400, "missing_header");
      expect(problem.detail).toMatch(/Idempotency-Key/);
    }
    await expectProblem(await postHold(holdPayload(slot.id), "bad key with spaces"), 400, "bad_request");
    expect(await snapshot(ctx.db)).toEqual(before);
  });

  it("replays the stored 201 for the same key and body, with Idempotency-Replayed: true, holding seats once", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id, { quantity: 2 });

    const first = await postHold(payload, key);
    const created = await expectJson<HoldResponse>(first, 201);
    expect(first.headers.get("idempotency-replayed")).toBeNull();
    const after = await snapshot(ctx.db);

    // Key order and the defaulted locale do not make it a different request.
    const reordered = {
      locale: "ja",
      customer: { email: "hanako@example.com", name: "山田 花子" },
      quantity: 2,
      slotId: slot.id,
    };
    for (const body of [payload, reordered]) {
      const again = await postHold(body, key);
      expect(again.headers.get("idempotency-replayed")).toBe("true");
      expect(await expectJson<HoldResponse>(again, 201)).toEqual(created);
    }
    expect(await snapshot(ctx.db)).toEqual(after);
    expect(await reservationsIn(slot.id)).toBe(1);
    expect(await slotReserved(ctx.db, slot.id)).toBe(2);
    expect(await keyRow(key)).toMatchObject({ status: "completed", responseStatus: 201, lockedUntil: null });
  });

  it("answers 422 idempotency_mismatch for the same key with a different body, and changes nothing", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const other = await newSlot();
    await expectJson(await postHold(holdPayload(slot.id), key), 201);
    const before = await snapshot(ctx.db);

    await expectProblem(await postHold(holdPayload(slot.id, { quantity: 2 }), key), 422, "idempotency_mismatch");
    await expectProblem(await postHold(holdPayload(other.id), key), 422, "idempotency_mismatch");
    expect(await snapshot(ctx.db)).toEqual(before);
  });

  it("answers 409 idempotency_in_flight with Retry-After while the first request holds the key, and changes nothing", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id);
    await insertInFlight(key, payload, at(30_000));
    const before = await snapshot(ctx.db);

    const res = await postHold(payload, key);
    await expectProblem(res, 409, "idempotency_in_flight");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await snapshot(ctx.db)).toEqual(before);
    expect(await keyRow(key)).toMatchObject({ status: "in_flight" });

    // A different body under the in-flight key is still a mismatch, not a wait.
    await expectProblem(await postHold(holdPayload(slot.id, { quantity: 3 }), key), 422, "idempotency_mismatch");
  });

  it("runs the operation once when the same key and body arrive concurrently", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id, { quantity: 2 });
    const responses = await Promise.all(Array.from({ length: 5 }, () => postHold(payload, key)));

    const created: HoldResponse[] = [];
    for (const res of responses) {
      if (res.status === 201) created.push(await expectJson<HoldResponse>(res, 201));
      else await expectProblem(res, 409, "idempotency_in_flight");
    }
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((c) => c.reservation.id)).size).toBe(1);
    expect(await reservationsIn(slot.id)).toBe(1);
    expect(await slotReserved(ctx.db, slot.id)).toBe(2);
  });

  it("takes over a key whose first request stopped without finishing once its lock has passed", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id);
    await insertInFlight(key, payload, at(-1_000));

    const res = await postHold(payload, key);
    const body = await expectJson<HoldResponse>(res, 201);
    expect(res.headers.get("idempotency-replayed")).toBeNull();
    expect(body.reservation.status).toBe("held");
    expect(await reservationsIn(slot.id)).toBe(1);
    expect(await keyRow(key)).toMatchObject({ status: "completed", responseStatus: 201 });
  });

  it("replays a stored 409 sold_out as the same problem even after seats free up", async () => {
    const slot = await newSlot(1, 1);
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id);
    const first = await expectProblem(await postHold(payload, key), 409, "sold_out");
    expect(await keyRow(key)).toMatchObject({ status: "completed", responseStatus: 409 });

    await ctx.db.update(slots).set({ capacity: 5 }).where(eq(slots.id, slot.id));
    const replayed = await expectProblem(await postHold(payload, key), 409, "sold_out");
    expect(replayed.detail).toBe(first.detail);
    expect(await reservationsIn(slot.id)).toBe(0);
    expect(await slotReserved(ctx.db, slot.id)).toBe(1);

    // A new key is a new attempt, and the freed seats are there for it.
    await expectJson(await postHold(payload), 201);
    expect(await reservationsIn(slot.id)).toBe(1);
  });

  it("does not burn the key on a request rejected before it ran (validation)", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    await expectProblem(await postHold(holdPayload(slot.id, { quantity: 1.5 }), key), 422, "validation_failed");
    expect(await keyRow(key)).toBeUndefined();
    await expectJson(await postHold(holdPayload(slot.id), key), 201);
  });

  it("treats a key older than 24 hours as new", async () => {
    const slot = await newSlot();
    const key = crypto.randomUUID();
    const payload = holdPayload(slot.id);
    const first = await expectJson<HoldResponse>(await postHold(payload, key), 201);

    clock.set(at(24 * HOUR + 1_000), { freeze: true });
    const res = await postHold(payload, key);
    const second = await expectJson<HoldResponse>(res, 201);
    expect(res.headers.get("idempotency-replayed")).toBeNull();
    expect(second.reservation.id).not.toBe(first.reservation.id);
    expect(await reservationsIn(slot.id)).toBe(2);
  });

  it("removes expired keys with cleanup-idempotency-keys and keeps the others", async () => {
    const row = (key: string, expiresAt: Date) => ({
      scope: "cleanup-test",
      key,
      method: "POST",
      path: "/api/reservations",
      requestHash: "hash",
      expiresAt,
    });
    await ctx.db
      .insert(idempotencyKeys)
      .values([row("old-1", at(-HOUR)), row("old-2", at(-1)), row("fresh", at(HOUR)), row("fresh-2", at(24 * HOUR))]);

    const result = await runJob("cleanup-idempotency-keys");
    expect(result).toMatchObject({ job: "cleanup-idempotency-keys", status: "done", affected: 2 });
    const left = await ctx.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, "cleanup-test"));
    expect(left.map((k) => k.key).sort()).toEqual(["fresh", "fresh-2"]);

    expect((await runJob("cleanup-idempotency-keys")).affected).toBe(0);
  });
});
