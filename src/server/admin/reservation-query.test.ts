import { describe, expect, it } from "vitest";
import { reservationExportQuery, reservationQuery } from "./reservation-query";

describe("reservation list query", () => {
  it("defaults, and treats blank form fields as absent", () => {
    expect(reservationQuery.parse({})).toEqual({ sort: "-createdAt", page: 1, pageSize: 25 });
    expect(
      reservationQuery.parse({
        q: "",
        status: "",
        serviceId: "",
        from: "",
        to: "",
        payment: "",
        sort: "",
        page: "",
        pageSize: "",
      }),
    ).toEqual({
      sort: "-createdAt",
      page: 1,
      pageSize: 25,
    });
  });

  it("takes statuses as a comma list or repeated keys, without duplicates", () => {
    expect(reservationQuery.parse({ status: "held, confirmed,held" }).status).toEqual(["held", "confirmed"]);
    expect(reservationQuery.parse({ status: ["held", "no_show"] }).status).toEqual(["held", "no_show"]);
    expect(reservationQuery.safeParse({ status: "held,bogus" }).success).toBe(false);
  });

  it("reads days in the business time zone (to includes the whole day) and instants as given", () => {
    const q = reservationQuery.parse({ from: "2030-01-07", to: "2030-01-07" });
    expect(q.from?.toISOString()).toBe("2030-01-06T15:00:00.000Z");
    expect(q.to?.toISOString()).toBe("2030-01-07T15:00:00.000Z");
    expect(reservationQuery.parse({ from: "2030-01-07T09:30:00+09:00" }).from?.toISOString()).toBe(
      "2030-01-07T00:30:00.000Z",
    );
    expect(reservationQuery.safeParse({ from: "2030-01-08", to: "2030-01-07" }).success).toBe(false);
    expect(reservationQuery.safeParse({ from: "07/01/2030" }).success).toBe(false);
  });

  it("rejects unknown keys and out-of-range pages; the export has no pages", () => {
    expect(reservationQuery.safeParse({ bogus: "1" }).success).toBe(false);
    expect(reservationQuery.safeParse({ pageSize: "101" }).success).toBe(false);
    expect(reservationQuery.safeParse({ page: "0" }).success).toBe(false);
    expect(reservationExportQuery.safeParse({ page: "2" }).success).toBe(false);
    expect(reservationExportQuery.parse({ sort: "code" })).toEqual({ sort: "code" });
  });
});
