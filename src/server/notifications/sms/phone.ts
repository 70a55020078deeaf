/**
 * Phone numbers for SMS. Customers type Japanese numbers the way they are printed (090-1234-5678, ０９０ １２３４ ５６７８,
 * (03) 1234-5678, +81 90-1234-5678); the SMS provider needs E.164 (+819012345678).
 *
 * Rules (Japan, national numbers start with a trunk 0):
 *   - 11 digits: 0[2-9]0 + 8 digits (020 M2M, 050 IP, 060/070/080/090 mobile, 0800 free dial)
 *   - 10 digits: 0 + 9 digits (fixed lines, 0120 / 0570 / 0990 service numbers)
 * Only 060/070/080/090 numbers (excluding 0800 free dial) are mobile, so only they can receive SMS.
 * A number written with another country code (+1 415…) is kept if it is valid E.164; whether it takes SMS is the
 * provider's call.
 * Pure functions, no server-only import: unit-tested and usable from forms.
 */

export type ParsedPhone = {
  /** E.164, e.g. +819012345678. */
  e164: string;
  /** "JP" when the number is Japanese; undefined for other countries. */
  country: "JP" | undefined;
  /** Japanese mobile (can receive SMS); true for foreign numbers (unknown, left to the provider). */
  smsCapable: boolean;
};

// Dashes, spaces and brackets people type, in their ASCII and full-width / typographic forms (NFKC folds most).
const SEPARATORS = /[\s\-‐‑‒–—―−ーｰ().・]/g;

/** Parses a phone number typed by a person. Null when it is not a valid number. */
export function parsePhone(input: string | null | undefined): ParsedPhone | null {
  if (typeof input !== "string") return null;
  const folded = input.normalize("NFKC").trim().replace(SEPARATORS, "");
  if (folded === "" || folded.length > 20) return null;

  let national: string;
  if (folded.startsWith("+81")) {
    national = `0${folded.slice(3).replace(/^0/, "")}`;
  } else if (folded.startsWith("+")) {
    const e164 = folded;
    if (!/^\+[1-9]\d{7,14}$/.test(e164)) return null;
    return { e164, country: undefined, smsCapable: true };
  } else if (folded.startsWith("0")) {
    national = folded;
  } else {
    return null;
  }

  if (!isJapaneseNational(national)) return null;
  return { e164: `+81${national.slice(1)}`, country: "JP", smsCapable: isJapaneseMobile(national) };
}

function isJapaneseNational(national: string): boolean {
  if (/^0[2-9]0\d{8}$/.test(national)) return true; // 11 digits
  // 10 digits: fixed lines and 0120 / 0570 / 0990; a 10-digit 0X0 number is an obsolete or mistyped mobile number.
  if (/^0[1-9]\d{8}$/.test(national)) return !/^0[2-9]0/.test(national);
  return false;
}

function isJapaneseMobile(national: string): boolean {
  return /^0[6-9]0\d{8}$/.test(national) && !national.startsWith("0800");
}

/** E.164 form of a Japanese (or already international) number; null when invalid. 090-1234-5678 → +819012345678. */
export function normalizeJapanesePhone(input: string | null | undefined): string | null {
  return parsePhone(input)?.e164 ?? null;
}

/** The E.164 number to text, or null when there is none or it cannot receive SMS (fixed line, free dial, invalid). */
export function smsNumber(input: string | null | undefined): string | null {
  const parsed = parsePhone(input);
  return parsed?.smsCapable ? parsed.e164 : null;
}

/** For logs: every digit but the last four hidden (+819012345678 → +*********5678). */
export function maskPhone(input: string | null | undefined): string {
  if (!input) return "";
  const digits = input.replace(/\D/g, "");
  if (digits.length <= 4) return "*".repeat(digits.length);
  return `${input.trim().startsWith("+") ? "+" : ""}${"*".repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** Masks any run of 6+ digits in free text (provider error messages often quote the number). */
export function maskPhonesInText(text: string): string {
  return text.replace(/\+?\d[\d\s-]{4,}\d/g, (match) =>
    match.replace(/\D/g, "").length >= 6 ? maskPhone(match) : match,
  );
}
