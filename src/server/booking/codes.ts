import { createHash, randomBytes, randomInt } from "node:crypto";

// No 0/O, 1/I/L: codes are read aloud on the phone and typed from emails.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** Public reservation code, e.g. "BK-7Q4M-X2HD" (31^8 ≈ 8.5e11 combinations; uniqueness enforced by the DB). */
export function newReservationCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `BK-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** A guest's manage token: 256 random bits, shown once in the manage link; only its hash is stored. */
export function newManageToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashManageToken(token) };
}

export function hashManageToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
