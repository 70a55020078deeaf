import { describe, expect, it } from "vitest";
import { maskPhone, maskPhonesInText, normalizeJapanesePhone, parsePhone, smsNumber } from "./phone";

describe("normalizeJapanesePhone", () => {
  it.each([
    ["090-1234-5678", "+819012345678"],
    ["09012345678", "+819012345678"],
    ["080 1234 5678", "+818012345678"],
    ["070-1234-5678", "+817012345678"],
    ["060-1234-5678", "+816012345678"],
    ["０９０−１２３４−５６７８", "+819012345678"], // full-width digits and minus sign
    ["０９０ー１２３４ー５６７８", "+819012345678"], // katakana prolonged sound mark typed as a dash
    ["090‐1234‐5678", "+819012345678"], // U+2010 hyphen
    ["(090) 1234-5678", "+819012345678"],
    [" 090.1234.5678 ", "+819012345678"],
    ["+81 90-1234-5678", "+819012345678"],
    ["+81 (0)90-1234-5678", "+819012345678"],
    ["+819012345678", "+819012345678"],
    ["＋８１９０１２３４５６７８", "+819012345678"],
    ["03-1234-5678", "+81312345678"], // Tokyo fixed line
    ["06-6123-4567", "+81661234567"], // Osaka fixed line
    ["0120-123-456", "+81120123456"], // free dial
    ["050-1234-5678", "+815012345678"], // IP phone
    ["+1 415 555 2671", "+14155552671"], // another country: kept as E.164
  ])("%s → %s", (input, expected) => {
    expect(normalizeJapanesePhone(input)).toBe(expected);
  });

  it.each([
    [""],
    ["   "],
    ["abc"],
    ["090-1234-567"], // one digit short
    ["090-1234-56789"], // one digit long
    ["90-1234-5678"], // no trunk 0, no country code
    ["819012345678"], // country code without +
    ["0081-90-1234-5678"], // international prefix instead of +
    ["+81"],
    ["+0123456789"],
    ["090-1234-5678 ext 12"],
    ["0901234567"], // obsolete 10-digit mobile
    ["+1234"], // too short for E.164
  ])("rejects %j", (input) => {
    expect(normalizeJapanesePhone(input)).toBeNull();
  });

  it("rejects null and undefined", () => {
    expect(normalizeJapanesePhone(null)).toBeNull();
    expect(normalizeJapanesePhone(undefined)).toBeNull();
  });
});

describe("smsNumber (numbers that can receive SMS)", () => {
  it.each([
    ["090-1234-5678", "+819012345678"],
    ["080-1234-5678", "+818012345678"],
    ["070-1234-5678", "+817012345678"],
    ["+81 90 1234 5678", "+819012345678"],
    ["+1 415 555 2671", "+14155552671"],
  ])("%s → %s", (input, expected) => {
    expect(smsNumber(input)).toBe(expected);
  });

  it.each([
    ["03-1234-5678"],
    ["0120-123-456"],
    ["0800-123-4567"],
    ["050-1234-5678"],
    ["020-1234-5678"],
    ["not a number"],
    [null],
  ])("refuses %j (fixed line, free dial, IP, M2M or invalid)", (input) => {
    expect(smsNumber(input)).toBeNull();
  });

  it("reports the country and whether the number takes SMS", () => {
    expect(parsePhone("090-1234-5678")).toEqual({ e164: "+819012345678", country: "JP", smsCapable: true });
    expect(parsePhone("03-1234-5678")).toEqual({ e164: "+81312345678", country: "JP", smsCapable: false });
    expect(parsePhone("+44 7700 900123")).toEqual({ e164: "+447700900123", country: undefined, smsCapable: true });
  });
});

describe("maskPhone", () => {
  it("keeps only the last four digits", () => {
    expect(maskPhone("+819012345678")).toBe("+********5678");
    expect(maskPhone("090-1234-5678")).toBe("*******5678");
    expect(maskPhone("1234")).toBe("****");
    expect(maskPhone("")).toBe("");
    expect(maskPhone(null)).toBe("");
  });

  it("masks numbers quoted in provider messages", () => {
    const text = maskPhonesInText("The 'To' number +819012345678 is not a valid phone number. (error 21211)");
    expect(text).toBe("The 'To' number +********5678 is not a valid phone number. (error 21211)");
    expect(text).not.toContain("9012345678");
  });
});
