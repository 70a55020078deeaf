import { eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { services } from "@/server/db/schema";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { HOUR, T0, at, holdOk, newService, slotReserved } from "../helpers/booking";

/**
 * The hold remembers a slot's price briefly (src/server/booking/hold.ts). A price change must still be charged at
 * once: the hold statement only takes seats at the price it was checked against, and retries with the new one.
 */
describeEachDatabase("booking: price changes", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  it("charges the new price right after it changes, and a service made free confirms at once", async () => {
    const service = await newService(ctx.db, { priceAmount: 2000, defaultCapacity: 10 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 10 });

    const first = await holdOk(slot.id, { quantity: 2 });
    expect(first.reservation.amount).toEqual({ amount: 4000, currency: "JPY" });

    await ctx.db.update(services).set({ priceAmount: 2500 }).where(eq(services.id, service.id));
    const second = await holdOk(slot.id, { quantity: 2, customer: { name: "B", email: "b@example.com" } });
    expect(second.reservation.amount).toEqual({ amount: 5000, currency: "JPY" });
    expect(second.reservation.status).toBe("held");

    await ctx.db.update(services).set({ priceAmount: 0 }).where(eq(services.id, service.id));
    const third = await holdOk(slot.id, { customer: { name: "C", email: "c@example.com" } });
    expect(third.reservation).toMatchObject({ status: "confirmed", amount: { amount: 0, currency: "JPY" } });
    expect(third.next).toEqual({ type: "done" });

    expect(await slotReserved(ctx.db, slot.id)).toBe(5);
  });
});
