import "server-only";
import { createHash } from "node:crypto";

/**
 * An opaque user id for error events (Sentry's user scope): the same user always gives the same value, so events of
 * one user group together, but the value is neither the id nor anything that names the person.
 */
export function hashUserId(id: string): string {
  return createHash("sha256").update(`slotbook-user:${id}`).digest("hex").slice(0, 24);
}
