import { describe, expect, it } from "vitest";
import { defaultLocale, isLocale, pickLocale } from "./locale";

describe("pickLocale", () => {
  it("defaults to Japanese", () => {
    expect(defaultLocale).toBe("ja");
    expect(pickLocale({})).toBe("ja");
    expect(pickLocale({ explicit: null, cookie: null, acceptLanguage: null })).toBe("ja");
  });

  it("takes an explicit choice first, then the cookie, then Accept-Language", () => {
    expect(pickLocale({ explicit: "en", cookie: "ja", acceptLanguage: "ja" })).toBe("en");
    expect(pickLocale({ explicit: "ja", cookie: "en", acceptLanguage: "en" })).toBe("ja");
    expect(pickLocale({ cookie: "en", acceptLanguage: "ja" })).toBe("en");
    expect(pickLocale({ acceptLanguage: "en" })).toBe("en");
  });

  it("skips unsupported explicit and cookie values", () => {
    expect(pickLocale({ explicit: "fr", cookie: "de", acceptLanguage: "en" })).toBe("en");
    expect(pickLocale({ explicit: "EN" })).toBe("ja");
  });

  it.each([
    ["en-US,en;q=0.9", "en"],
    ["EN-gb", "en"],
    ["fr-FR, de;q=0.8, en;q=0.5", "en"],
    ["ja-JP,en;q=0.5", "ja"],
    ["zh-CN, ko", "ja"],
    ["*", "ja"],
    ["", "ja"],
  ])("reads Accept-Language %j as %s", (header, locale) => {
    expect(pickLocale({ acceptLanguage: header })).toBe(locale);
  });
});

describe("isLocale", () => {
  it("accepts only the supported locales", () => {
    expect(isLocale("ja")).toBe(true);
    expect(isLocale("en")).toBe(true);
    expect(isLocale("fr")).toBe(false);
    expect(isLocale(undefined)).toBe(false);
    expect(isLocale(1)).toBe(false);
  });
});

describe("pickLocale and Accept-Language quality values", () => {
  it("skips a language marked q=0 and prefers the highest quality", () => {
    expect(pickLocale({ acceptLanguage: "en;q=0, ja;q=0.5" })).toBe("ja");
    expect(pickLocale({ acceptLanguage: "ja;q=0.3, en;q=0.9" })).toBe("en");
    expect(pickLocale({ acceptLanguage: "fr, en;q=0" })).toBe("ja");
  });
});
