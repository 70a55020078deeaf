import "server-only";
import { AppError } from "@/lib/errors";
import { isLookupKey } from "@/lib/text";
import { getReservation, type ReservationView } from "@/server/booking/read";

export type LoadedReservation =
  { kind: "ok"; reservation: ReservationView } | { kind: "missing_token" } | { kind: "not_found" };

/**
 * The reservation behind a manage link. A missing token and a token that does not match are answered the same
 * way whatever the code is, so the page never reveals whether a code exists.
 */
export async function loadReservation(code: string, token: string | string[] | undefined): Promise<LoadedReservation> {
  if (typeof token !== "string" || token.length === 0) return { kind: "missing_token" };
  if (token.length > 200 || !isReservationCodeShape(code) || !isLookupKey(token)) return { kind: "not_found" };
  try {
    return { kind: "ok", reservation: await getReservation({ code }, { token }) };
  } catch (error) {
    if (error instanceof AppError && error.code === "reservation_not_found") return { kind: "not_found" };
    throw error;
  }
}

/**
 * Whether a URL segment could be a reservation code at all (letters, digits and dashes, e.g. BK-7Q4M-X2HD). The pages
 * answer 404 for anything else (NUL, spaces, a path), which says nothing about which codes exist.
 */
export function isReservationCodeShape(code: string): boolean {
  return /^[A-Za-z0-9-]{1,40}$/.test(code);
}

export function manageHref(code: string, token: string, extra: Record<string, string> = {}): string {
  return `/reservations/${encodeURIComponent(code)}?${new URLSearchParams({ token, ...extra }).toString()}`;
}
