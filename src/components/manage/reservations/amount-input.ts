import { minorUnitDigits } from "@/lib/money";

/**
 * Staff type money in the currency's major unit (yen, or dollars with cents); the API takes integer minor units.
 * Returns null for anything that is not a positive amount with at most the currency's decimals, or above `max`.
 */
export function parseAmount(text: string, currency: string, max: number): number | null {
  const digits = minorUnitDigits(currency);
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  const trimmed = text.trim().replace(/[,，]/g, "");
  if (!pattern.test(trimmed)) return null;
  const minor = Math.round(Number(trimmed) * 10 ** digits);
  return minor >= 1 && minor <= max ? minor : null;
}

/** The minor-unit amount as the input shows it (e.g. 1500 JPY → "1500", 1050 USD → "10.50"). */
export function formatAmountInput(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}
