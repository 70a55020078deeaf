import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  blank,
  containsPattern,
  csvList,
  dateRangeFields,
  flatParams,
  hrefWith,
  pageFields,
  parseListParams,
  rangeBounds,
} from "./list-query";

const schema = z.strictObject({
  status: blank(csvList(["a", "b", "c"]).optional()),
  q: blank(z.string().min(2).optional()),
  ...dateRangeFields,
  ...pageFields,
});

describe("list query helpers", () => {
  it("treats blank form fields as absent and fills the page defaults", () => {
    expect(schema.parse({ status: "", q: "", from: "", page: "" })).toEqual({ page: 1, pageSize: 25 });
    expect(schema.parse({ status: "a, c", page: "3" })).toEqual({ status: ["a", "c"], page: 3, pageSize: 25 });
    expect(schema.safeParse({ status: "a,z" }).success).toBe(false);
  });

  it("reads a day in the business time zone, `to` including the whole day; an instant as given", () => {
    expect(rangeBounds({ from: "2030-01-07", to: "2030-01-07" }, "Asia/Tokyo")).toEqual({
      from: new Date("2030-01-06T15:00:00Z"),
      to: new Date("2030-01-07T15:00:00Z"),
    });
    expect(rangeBounds({ from: "2030-01-07T09:00:00+09:00" }, "Asia/Tokyo")).toEqual({
      from: new Date("2030-01-07T00:00:00Z"),
      to: undefined,
    });
    // Across a DST change the day still starts at local midnight.
    expect(rangeBounds({ to: "2030-03-09" }, "America/New_York").to).toEqual(new Date("2030-03-10T05:00:00Z"));
  });

  it("keeps the filters that parse and names the ones that do not (and unknown ones)", () => {
    expect(parseListParams(schema, { status: "b", q: "x", pageSize: "500", extra: "1" })).toEqual({
      query: { status: ["b"], page: 1, pageSize: 25 },
      invalid: expect.arrayContaining(["q", "pageSize", "extra"]),
    });
    expect(parseListParams(schema, { status: "b" })).toEqual({
      query: { status: ["b"], page: 1, pageSize: 25 },
      invalid: [],
    });
  });

  it("escapes LIKE wildcards, flattens search params and builds links that keep the other filters", () => {
    expect(containsPattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
    expect(flatParams({ a: "1", b: ["2", "3"], c: "", d: undefined })).toEqual({ a: "1", b: "2" });
    expect(hrefWith("/manage/audit", { action: "x", before: "9" }, { before: undefined, after: 5 })).toBe(
      "/manage/audit?action=x&after=5",
    );
    expect(hrefWith("/manage/audit", {}, {})).toBe("/manage/audit");
  });
});
