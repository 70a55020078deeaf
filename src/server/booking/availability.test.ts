import { describe, expect, it } from "vitest";
import { mockSlots } from "./availability";

const serviceId = "8f9d2c1e-0b7a-4c3d-9e8f-1a2b3c4d5e6f";
const range = { serviceId, from: new Date("2030-01-10T00:00:00Z"), to: new Date("2030-01-12T00:00:00Z") };

describe("mockSlots (?source=mock)", () => {
  it("generates hourly slots between 10:00 and 16:00 Japan time, for the given service", () => {
    const slots = mockSlots(range);
    expect(slots).toHaveLength(14);
    expect(slots.map((s) => new Date(s.startsAt).getUTCHours()).slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const slot of slots) {
      expect(slot.serviceId).toBe(serviceId);
      expect(new Date(slot.endsAt).getTime() - new Date(slot.startsAt).getTime()).toBe(3_600_000);
      expect(new Date(slot.startsAt).getTime()).toBeGreaterThanOrEqual(range.from.getTime());
      expect(new Date(slot.startsAt).getTime()).toBeLessThan(range.to.getTime());
    }
  });

  it("is deterministic for a service and range, and differs between services", () => {
    expect(mockSlots(range)).toEqual(mockSlots(range));
    const other = mockSlots({ ...range, serviceId: "00000000-0000-4000-8000-000000000000" });
    expect(other.map((s) => s.id)).not.toEqual(mockSlots(range).map((s) => s.id));
  });

  it("keeps remaining within capacity and marks full slots sold out", () => {
    const slots = mockSlots({ ...range, to: new Date("2030-03-10T00:00:00Z") });
    expect(slots.length).toBeGreaterThan(100);
    for (const slot of slots) {
      expect(slot.remaining).toBeGreaterThanOrEqual(0);
      expect(slot.remaining).toBeLessThanOrEqual(slot.capacity);
      expect(slot.status).toBe(slot.remaining === 0 ? "sold_out" : "open");
    }
    expect(slots.some((s) => s.status === "sold_out")).toBe(true);
  });

  it("returns nothing for an empty range and at most 500 slots for a huge one", () => {
    expect(mockSlots({ ...range, to: range.from })).toEqual([]);
    expect(mockSlots({ ...range, to: new Date("2035-01-01T00:00:00Z") })).toHaveLength(500);
  });
});
