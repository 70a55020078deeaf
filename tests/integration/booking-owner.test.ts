import { afterEach, beforeEach, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { holdReservation } from "@/server/booking/hold";
import { getReservation } from "@/server/booking/read";
import type { JwtClaims } from "@/server/db";
import { userRoles } from "@/server/db/schema";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot, insertUser } from "../helpers/fixtures";
import { HOUR, T0, at, newService } from "../helpers/booking";

/**
 * A signed-in customer's reservation carries their user id, gets the same manage link as a guest's (so its emails
 * work alike), and is readable by them (and only them, or staff) through Row Level Security.
 */
describeEachDatabase("booking: signed-in owner", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const claims = (sub: string, role: JwtClaims["user_role"] = "user"): JwtClaims => ({
    sub,
    role: "authenticated",
    user_role: role,
  });

  it("stores the user id, issues the usual manage token, and lets only the owner or staff read it", async () => {
    const owner = await insertUser(ctx.db, `owner-${crypto.randomUUID()}@example.com`);
    const other = await insertUser(ctx.db, `other-${crypto.randomUUID()}@example.com`);
    const staff = await insertUser(ctx.db, `staff-${crypto.randomUUID()}@example.com`);
    await ctx.db.insert(userRoles).values({ userId: staff, role: "staff" });
    const service = await newService(ctx.db, { defaultCapacity: 4 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 4 });

    const held = await holdReservation({
      slotId: slot.id,
      quantity: 1,
      customer: { name: "Owner", email: "owner@example.com" },
      locale: "en",
      userId: owner,
      actor: { kind: "user", id: owner, role: "user" },
    });
    expect(held.manageToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const mine = await getReservation({ id: held.reservation.id }, { claims: claims(owner) });
    expect(mine).toMatchObject({ id: held.reservation.id, status: "held", customer: { email: "owner@example.com" } });
    const asStaff = await getReservation({ code: held.reservation.code }, { claims: claims(staff, "staff") });
    expect(asStaff.id).toBe(held.reservation.id);

    const denied = await getReservation({ id: held.reservation.id }, { claims: claims(other) }).catch(
      (e: unknown) => e,
    );
    expect(denied).toBeInstanceOf(AppError);
    expect((denied as AppError).code).toBe("reservation_not_found");
  });
});
