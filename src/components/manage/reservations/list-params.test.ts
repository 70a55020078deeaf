import { describe, expect, it } from "vitest";
import { exportHref, flatListParams, listHref } from "./list-params";

describe("reservation list params", () => {
  it("flattens repeated keys (statuses joined, others first value) and drops blanks", () => {
    expect(
      flatListParams({ status: ["held", "confirmed"], q: ["a", "b"], from: "", to: undefined, sort: "code" }),
    ).toEqual({
      status: "held,confirmed",
      q: "a",
      sort: "code",
    });
  });

  it("builds list links with patches in a stable order, and the export link without pages", () => {
    const params = { page: "3", q: "tan", status: "held" };
    expect(listHref(params, { page: 4 })).toBe("/manage/reservations?q=tan&status=held&page=4");
    expect(listHref(params, { page: undefined, q: "" })).toBe("/manage/reservations?status=held");
    expect(listHref({})).toBe("/manage/reservations");
    expect(exportHref({ ...params, pageSize: "50", sort: "-code" })).toBe(
      "/api/admin/reservations/export?q=tan&status=held&sort=-code",
    );
  });
});
