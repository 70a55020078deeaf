import { afterEach, beforeEach, expect, it } from "vitest";
import { GET as getReservationRoute } from "@/app/api/reservations/[id]/route";
import { clock } from "@/lib/clock";
import { manageTokenFor } from "@/server/booking/codes";
import { rehashManageLinks } from "@/server/booking/rehash-manage-links";
import { HOUR, T0, at, holdOk, newService } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv, withEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute } from "../helpers/http";

/**
 * Rotating MANAGE_LINK_SECRET (docs/security.md): links already emailed keep working through the overlap window
 * (MANAGE_LINK_SECRET_PREVIOUS); after `security:rehash-manage-links` and with the previous secret removed, a link
 * derived from the old secret no longer opens the reservation — what a leak needs.
 */
const OLD = "old-manage-link-secret-0123456789abcdefghij";
const NEW = "new-manage-link-secret-0123456789abcdefghij";

describeEachDatabase("manage link secret rotation", (ctx) => {
  let restore: () => void;
  beforeEach(() => {
    clock.set(T0, { freeze: true });
    restore = setEnv({ MANAGE_LINK_SECRET: OLD });
  });
  afterEach(() => {
    restore();
    clock.reset();
  });

  const opens = async (id: string, token: string) =>
    (
      await callRoute(getReservationRoute, `/api/reservations/${id}?token=${encodeURIComponent(token)}`, {
        params: { id },
      })
    ).status;

  it("old links work during the overlap, new emails carry new links, and after rehash + removal old links are refused", async () => {
    const service = await newService(ctx.db);
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) });
    const held = await holdOk(slot.id);
    const id = held.reservation.id;
    const oldToken = held.token;
    expect(await opens(id, oldToken)).toBe(200);

    await withEnv({ MANAGE_LINK_SECRET: NEW, MANAGE_LINK_SECRET_PREVIOUS: OLD }, async () => {
      const newToken = manageTokenFor(id).token;
      expect(newToken).not.toBe(oldToken);
      expect(await opens(id, oldToken)).toBe(200);
      expect(await opens(id, newToken)).toBe(200);

      expect(await rehashManageLinks()).toBe(1);
      expect(await rehashManageLinks()).toBe(0);
      expect(await opens(id, oldToken)).toBe(200); // still inside the overlap window
    });

    await withEnv({ MANAGE_LINK_SECRET: NEW, MANAGE_LINK_SECRET_PREVIOUS: undefined }, async () => {
      expect(await opens(id, manageTokenFor(id).token)).toBe(200);
      expect(await opens(id, oldToken)).toBe(404);
    });
  });
});
