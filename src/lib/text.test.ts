import { describe, expect, it } from "vitest";
import { findForbiddenControl, hasForbiddenControl, isLookupKey, text } from "./text";

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe("text(): one rule for text fields", () => {
  const name = text({ min: 1, max: 10, minMessage: "required" });
  const message = text({ max: 50, multiline: true });

  it("trims and accepts ordinary text, Japanese included", () => {
    expect(name.parse("  山田 太郎 ")).toBe("山田 太郎");
    expect(message.parse("line one\r\nline\ttwo\n")).toBe("line one\r\nline\ttwo");
  });

  it.each(["a\u0000b", "\u0000", "a\u0007b", "a\u001bb", "a\u007fb", "a\u000bb", "a\u000cb"])(
    "refuses %j everywhere with a clear message",
    (value) => {
      expect(messagesOf(name.safeParse(value))).toEqual(["must be one line, without tabs or control characters"]);
      expect(messagesOf(message.safeParse(value))).toEqual(["must not contain control characters"]);
    },
  );

  it("refuses tabs and line breaks inside a single-line field only", () => {
    for (const value of ["a\nb", "a\rb", "a\tb"]) {
      expect(name.safeParse(value).success).toBe(false);
      expect(message.safeParse(value).success).toBe(true);
    }
  });

  it("still checks the length, after trimming", () => {
    expect(messagesOf(name.safeParse("   "))).toEqual(["required"]);
    expect(messagesOf(name.safeParse("x".repeat(11)))).toEqual(["at most 10 characters"]);
    expect(text({ max: 3, trim: false }).parse(" a ")).toBe(" a ");
  });

  it("leaves other Unicode alone (C1 range, emoji, full-width space)", () => {
    expect(name.parse("\u0085x😀\u3000y")).toBe("\u0085x😀\u3000y");
  });
});

describe("hasForbiddenControl / findForbiddenControl", () => {
  it("allows tab, LF and CR in the lenient (multi-line) rule only", () => {
    expect(hasForbiddenControl("a\tb\nc\r", { multiline: true })).toBe(false);
    expect(hasForbiddenControl("a\tb")).toBe(true);
    expect(hasForbiddenControl("a\u0000b", { multiline: true })).toBe(true);
  });

  it("finds the first offending string in a JSON value, object keys included", () => {
    const control = "must not contain control characters";
    expect(findForbiddenControl({ customer: { name: "ok", email: "x\u0000@y" } })).toEqual({
      path: ["customer", "email"],
      message: control,
    });
    expect(findForbiddenControl({ list: ["a", "b\u0001"] })).toEqual({ path: ["list", 1], message: control });
    expect(findForbiddenControl({ ["bad\u0000key"]: 1 })).toEqual({ path: ["bad\u0000key"], message: control });
    expect(findForbiddenControl("\u007f")).toEqual({ path: [], message: control });
    expect(findForbiddenControl({ message: "two\nlines\twith tab", n: 1, b: true, z: null })).toBeNull();
  });

  it("refuses nesting deeper than 32 levels (and does not overflow on thousands)", () => {
    const nest = (levels: number): unknown => (levels === 0 ? "x" : [nest(levels - 1)]);
    expect(findForbiddenControl(nest(32))).toBeNull();
    expect(findForbiddenControl(nest(33))).toEqual({
      path: Array(32).fill(0),
      message: "is nested too deeply (at most 32 levels)",
    });
    expect(findForbiddenControl(JSON.parse("[".repeat(20_000) + "]".repeat(20_000)))?.message).toMatch(
      /nested too deeply/,
    );
  });
});

describe("unpaired surrogates (JSON can spell them; PostgreSQL's json refuses them)", () => {
  it("are refused, while real pairs (emoji) pass", () => {
    const message = "must be valid Unicode text (an unpaired surrogate was found)";
    for (const value of ["\ud800", "a\udc00b", "x\ud83d"]) {
      expect(messagesOf(text({ max: 10 }).safeParse(value))).toEqual([message]);
      expect(findForbiddenControl({ at: value })).toEqual({ path: ["at"], message });
    }
    expect(hasForbiddenControl("😀")).toBe(false);
  });
});

describe("isLookupKey", () => {
  it("accepts a short plain string and refuses control characters, empty and long values", () => {
    expect(isLookupKey("haircut")).toBe(true);
    expect(isLookupKey("カット")).toBe(true);
    for (const value of ["", "a\u0000", "a\nb", "x".repeat(201), undefined, ["a"]])
      expect(isLookupKey(value)).toBe(false);
  });
});
