import { describe, expect, it } from "vitest";
import { HTTP_DURATION_BUCKETS, refundReasonLabel, routeGroup } from "./metrics";
import { quantileMs } from "./metrics-store";

describe("routeGroup", () => {
  it.each([
    ["/api/reservations", "booking"],
    ["/api/reservations/[id]/checkout", "booking"],
    ["/api/slots", "catalog"],
    ["/api/services", "catalog"],
    ["/api/admin/reservations/[id]", "admin"],
    ["/api/webhooks/stripe", "webhooks"],
    ["/api/cron/expire-holds", "cron"],
    ["/api/health", "health"],
    ["/api/ping", "health"],
    ["/api/[...path]", "other"],
  ])("%s → %s", (route, group) => {
    expect(routeGroup(route)).toBe(group);
  });
});

describe("refundReasonLabel", () => {
  it("keeps the system's reasons and never passes a staff member's free text through", () => {
    expect(refundReasonLabel("late_payment")).toBe("late_payment");
    expect(refundReasonLabel("duplicate_payment")).toBe("duplicate_payment");
    expect(refundReasonLabel("cancelled: 体調不良のため")).toBe("cancellation");
    expect(refundReasonLabel("Customer called, 田中様 refund half")).toBe("manual");
  });
});

describe("quantileMs", () => {
  const empty = () => new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0);

  it("is null without observations", () => {
    expect(quantileMs(empty(), 0.5)).toBeNull();
  });

  it("interpolates inside the bucket the rank falls in, like histogram_quantile", () => {
    const b = empty();
    b[0] = 50; // ≤ 5 ms
    b[4] = 50; // 50–100 ms
    expect(quantileMs(b, 0.5)).toBe(5);
    expect(quantileMs(b, 0.75)).toBe(75);
    expect(quantileMs(b, 0.99)).toBe(99);
  });

  it("reports the overflow bucket at its lower bound (10 s)", () => {
    const b = empty();
    b[HTTP_DURATION_BUCKETS.length] = 3;
    expect(quantileMs(b, 0.5)).toBe(10_000);
  });
});
