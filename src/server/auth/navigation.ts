import type { AppRole } from "./session";

/** A stand-in origin to resolve `next` against: whatever resolves to another origin is refused. */
const PLACEHOLDER_ORIGIN = "http://next.invalid";
const MAX_NEXT_LENGTH = 2000;

/**
 * Where to go after signing in: the `next` the guard sent along when it is a path on this site (never another host:
 * "//evil.example", "/\\evil" and anything that resolves elsewhere are refused, as are control characters), else null.
 * The path comes back normalised and percent-encoded ("/manage?q=山田" → "/manage?q=%E5%B1%B1%E7%94%B0"), so it is
 * always a valid Location header; applying it twice gives the same path.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== "string" || next.length > MAX_NEXT_LENGTH) return null;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\u007f]/.test(next)) return null;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into a scheme-relative path ("/.//evil.example" → "//evil.example").
  if (path.startsWith("//") || path.length > 4 * MAX_NEXT_LENGTH) return null;
  return path;
}

export function homeFor(role: AppRole): string {
  return role === "user" ? "/account" : "/manage";
}

export function destinationAfterSignIn(next: unknown, role: AppRole): string {
  const target = safeNext(next);
  const pathname = target?.split(/[?#]/)[0];
  // A customer sent to /manage would only meet the 403 page; their own page is more useful.
  if (!target || (role === "user" && (pathname === "/manage" || pathname?.startsWith("/manage/"))))
    return homeFor(role);
  return target;
}
