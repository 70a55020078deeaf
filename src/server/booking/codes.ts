import { createHash, createHmac, randomInt } from "node:crypto";
import { getConfig } from "@/lib/env";

// No 0/O, 1/I/L: codes are read aloud on the phone and typed from emails.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** Public reservation code, e.g. "BK-7Q4M-X2HD" (31^8 ≈ 8.5e11 combinations; uniqueness enforced by the DB). */
export function newReservationCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `BK-${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * The manage token of a reservation, derived from MANAGE_LINK_SECRET and the reservation id (HMAC-SHA256, 256 bits),
 * so every email about the reservation (confirmation, reminder, refund…) can carry the guest's link although only
 * the token's hash is stored. Rotation (docs/security.md): the new secret in MANAGE_LINK_SECRET, the old one in
 * MANAGE_LINK_SECRET_PREVIOUS for the overlap window; `npm run security:rehash-manage-links` then re-derives the
 * stored hashes so links from before the rotation stop working once the previous secret is removed.
 */
export function manageTokenFor(reservationId: string): { token: string; hash: string } {
  const token = createHmac("sha256", manageLinkSecret()).update(`manage:${reservationId}`).digest("base64url");
  return { token, hash: hashManageToken(token) };
}

/** Embedded default only (mocks allowed): a fixed development secret, like the Stripe emulator's webhook secret. */
const DEVELOPMENT_SECRET = "slotbook-development-manage-link-secret-not-for-production";

function manageLinkSecret(): string {
  const { env, modes } = getConfig();
  if (env.MANAGE_LINK_SECRET) return env.MANAGE_LINK_SECRET;
  if (modes.mocksAllowed) return DEVELOPMENT_SECRET;
  throw new Error("MANAGE_LINK_SECRET is not set");
}

/**
 * The token a reservation had under MANAGE_LINK_SECRET_PREVIOUS, while a rotation's overlap window is open (links in
 * emails sent before the rotation keep working until the variable is removed). Null outside a rotation.
 */
export function previousManageTokenFor(reservationId: string): string | null {
  const previous = getConfig().env.MANAGE_LINK_SECRET_PREVIOUS;
  return previous ? createHmac("sha256", previous).update(`manage:${reservationId}`).digest("base64url") : null;
}

/** Key for hashing client addresses stored on holds (hold-caps.ts): derived, never the link secret itself. */
export function clientKeySecret(): string {
  return createHmac("sha256", manageLinkSecret()).update("hold-client-key").digest("base64url");
}

export function hashManageToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
