import { describe, expect, it } from "vitest";
import { destinationAfterSignIn, safeNext } from "./navigation";

describe("safeNext: only paths on this site", () => {
  it.each(["/manage", "/manage/reservations?q=BK-1", "/account"])("keeps %s", (path) => {
    expect(safeNext(path)).toBe(path);
  });

  it.each(["//evil.example", "/\\evil.example", "https://evil.example/", "manage", "", "/a\nb", 42, undefined])("refuses %j", (value) => {
    expect(safeNext(value)).toBeNull();
  });
});

describe("destinationAfterSignIn", () => {
  it("sends staff where the guard came from, or to /manage", () => {
    expect(destinationAfterSignIn("/manage/slots", "staff")).toBe("/manage/slots");
    expect(destinationAfterSignIn(null, "admin")).toBe("/manage");
  });

  it("sends customers to /account instead of the staff area or a foreign host", () => {
    expect(destinationAfterSignIn("/manage", "user")).toBe("/account");
    expect(destinationAfterSignIn("//evil.example", "user")).toBe("/account");
    expect(destinationAfterSignIn("/reservations/BK-1", "user")).toBe("/reservations/BK-1");
  });
});
