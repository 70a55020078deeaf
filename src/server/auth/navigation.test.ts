import { describe, expect, it } from "vitest";
import { destinationAfterSignIn, safeNext } from "./navigation";

describe("safeNext: only paths on this site", () => {
  it.each(["/manage", "/manage/reservations?q=BK-1", "/account", "/manage/audit?actor=a%40b.jp#top"])(
    "keeps %s",
    (path) => {
      expect(safeNext(path)).toBe(path);
    },
  );

  it.each([
    "//evil.example",
    "/\\evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "https://evil.example/",
    "manage",
    "",
    "/a\nb",
    "/a\u0000b",
    "/a\tb",
    "/a\u007fb",
    "/" + "a".repeat(2000),
    42,
    undefined,
  ])("refuses %j", (value) => {
    expect(safeNext(value)).toBeNull();
  });

  it("percent-encodes non-ASCII so the result is a valid Location header", () => {
    expect(safeNext("/manage?q=山田")).toBe("/manage?q=%E5%B1%B1%E7%94%B0");
    expect(safeNext("/manage/予約#一覧")).toBe("/manage/%E4%BA%88%E7%B4%84#%E4%B8%80%E8%A6%A7");
    expect(() => new Headers({ Location: safeNext("/manage?q=山田 太郎")! })).not.toThrow();
    expect(safeNext("/manage?q=山田 太郎")).toMatch(/^[\x21-\x7e]+$/);
  });

  it("normalises dot segments and backslashes, and is idempotent", () => {
    expect(safeNext("/account/../manage")).toBe("/manage");
    expect(safeNext("/a\\b")).toBe("/a/b");
    for (const path of ["/manage?q=山田", "/x/%E0%A4%A", "/a b?c d#e f"]) {
      const once = safeNext(path);
      expect(once).not.toBeNull();
      expect(safeNext(once)).toBe(once);
    }
  });
});

describe("destinationAfterSignIn", () => {
  it("sends staff where the guard came from, or to /manage", () => {
    expect(destinationAfterSignIn("/manage/slots", "staff")).toBe("/manage/slots");
    expect(destinationAfterSignIn(null, "admin")).toBe("/manage");
    expect(destinationAfterSignIn("/manage/reservations?q=山田", "staff")).toBe(
      "/manage/reservations?q=%E5%B1%B1%E7%94%B0",
    );
  });

  it("sends customers to /account instead of the staff area or a foreign host", () => {
    expect(destinationAfterSignIn("/manage", "user")).toBe("/account");
    expect(destinationAfterSignIn("/manage?q=x", "user")).toBe("/account");
    expect(destinationAfterSignIn("/account/../manage/slots", "user")).toBe("/account");
    expect(destinationAfterSignIn("//evil.example", "user")).toBe("/account");
    expect(destinationAfterSignIn("/reservations/BK-1", "user")).toBe("/reservations/BK-1");
  });
});
