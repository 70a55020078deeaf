import { appBaseUrl } from "./env";

/**
 * Stripe sends the customer back to the payment page without the manage token (return URLs are given to Stripe,
 * so they carry no secret). Starting checkout stores the token in this cookie, scoped to the reservation's pages.
 */
export function returnCookieName(code: string): string {
  return `slotbook_rt_${code.replace(/[^A-Za-z0-9-]/g, "")}`;
}

export function returnCookie(code: string, token: string): string {
  const secure = appBaseUrl().startsWith("https:") ? "; Secure" : "";
  return `${returnCookieName(code)}=${encodeURIComponent(token)}; Path=/reservations/${encodeURIComponent(code)}; Max-Age=86400; HttpOnly; SameSite=Lax${secure}`;
}
