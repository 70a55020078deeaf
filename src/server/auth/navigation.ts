import type { AppRole } from "./session";

/**
 * Where to go after signing in: the `next` the guard sent along when it is a path on this site (never another host:
 * "//evil.example" and "/\\evil" are refused), else the person's home (staff → /manage, customers → /account).
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== "string" || next.length > 2000) return null;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  if (/[\u0000-\u001f]/.test(next)) return null;
  return next;
}

export function homeFor(role: AppRole): string {
  return role === "user" ? "/account" : "/manage";
}

export function destinationAfterSignIn(next: unknown, role: AppRole): string {
  const target = safeNext(next);
  // A customer sent to /manage would only meet the 403 page; their own page is more useful.
  if (!target || (role === "user" && (target === "/manage" || target.startsWith("/manage/")))) return homeFor(role);
  return target;
}
