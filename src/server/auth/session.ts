import "server-only";
import { combineChunks, createServerClient, stringFromBase64URL, type CookieOptionsWithName } from "@supabase/ssr";
import { isAuthRetryableFetchError, type SupabaseClient } from "@supabase/supabase-js";
import { getConfig } from "@/lib/env";
import { authTransport, sdkTransportOptions } from "./client";
import { currentAuth } from "./roles";
import { InvalidAccessTokenError, verifyAccessToken, type AccessTokenClaims } from "./verify";

/**
 * Cookie sessions for the pages (sign-in, /account, /manage), through @supabase/ssr in every mode: the same
 * createServerClient talks to a real project or, in the embedded default, to the in-process Auth emulator (only the
 * SDK's fetch differs, see client.ts).
 *
 * Who refreshes: only the proxy (src/proxy.ts) and the sign-in actions write session cookies. Everything else reads
 * the access token from the cookie and verifies it locally (readSession), never refreshing, because a refresh whose
 * new cookies cannot be written would rotate the refresh token away from under the browser.
 */

export type AppRole = "admin" | "staff" | "user";

/** Who is calling, from a verified Supabase access token: the claims RLS reads (asUser) and the app role. */
export type AuthContext = {
  userId: string;
  email: string | null;
  role: AppRole;
  /**
   * The token's session_id: the auth.sessions row that must still exist (roles.ts currentAuth). Always set from a
   * token; optional so code that builds a context by hand (benchmarks, tests of domain verbs) need not invent one.
   */
  sessionId?: string;
  claims: {
    sub: string;
    role: "authenticated";
    email?: string;
    user_role: AppRole;
    aud: "authenticated";
    exp?: number;
  };
};

export function authContextFrom(claims: AccessTokenClaims): AuthContext {
  const role: AppRole = claims.user_role === "admin" || claims.user_role === "staff" ? claims.user_role : "user";
  return {
    userId: claims.sub,
    email: claims.email || null,
    role,
    sessionId: typeof claims.session_id === "string" ? claims.session_id : undefined,
    claims: {
      sub: claims.sub,
      role: "authenticated",
      email: claims.email,
      user_role: role,
      aud: "authenticated",
      exp: claims.exp,
    },
  };
}

/** The session cookie's name (chunks add .0, .1, …); fixed so it does not depend on the project URL. */
export const AUTH_COOKIE = "sb-slotbook-auth-token";

export function authCookieOptions(): CookieOptionsWithName {
  return {
    name: AUTH_COOKIE,
    path: "/",
    sameSite: "lax",
    // Only server code reads the session; the browser never needs the tokens.
    httpOnly: true,
    secure: getConfig().env.NODE_ENV === "production" && (getConfig().env.APP_BASE_URL ?? "").startsWith("https:"),
    maxAge: 400 * 24 * 60 * 60,
  };
}

export type CookieJar = {
  getAll(): { name: string; value: string }[];
  /** Absent where cookies cannot be written (server components): the client then never persists a refresh. */
  setAll?(
    cookies: { name: string; value: string; options: Record<string, unknown> }[],
    headers: Record<string, string>,
  ): void;
};

/** A supabase-js client whose session lives in the given cookie jar (sign-in actions, the proxy's refresh). */
export function createSessionClient(jar: CookieJar): SupabaseClient {
  const transport = authTransport("anon");
  return createServerClient(transport.url, transport.key, {
    cookieOptions: authCookieOptions(),
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (cookies, headers) => jar.setAll?.(cookies, headers),
    },
    auth: { detectSessionInUrl: false, flowType: "pkce" },
    ...sdkTransportOptions(transport),
  });
}

type StoredSession = { access_token?: unknown; refresh_token?: unknown; expires_at?: unknown };

/** The session JSON as @supabase/ssr stores it (possibly chunked, "base64-" prefixed), or null. */
async function storedSession(jar: CookieJar): Promise<StoredSession | null> {
  const all = jar.getAll();
  const raw = await combineChunks(AUTH_COOKIE, (name) => all.find((c) => c.name === name)?.value);
  if (!raw) return null;
  try {
    const json = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice("base64-".length)) : raw;
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === "object" ? (parsed as StoredSession) : null;
  } catch {
    return null;
  }
}

export function hasSessionCookie(jar: CookieJar): boolean {
  return jar.getAll().some((c) => c.name === AUTH_COOKIE || c.name.startsWith(`${AUTH_COOKIE}.`));
}

/**
 * The signed-in person from the session cookie: the access token verified locally (signature, audience, expiry on the
 * app clock), its session still in auth.sessions and the role as user_roles holds it now (currentAuth, one query).
 * Null when there is no session, its access token is invalid or expired, or the session has ended (signed out);
 * never refreshes (see the module note).
 */
export async function readSession(jar: CookieJar): Promise<AuthContext | null> {
  if (!hasSessionCookie(jar)) return null;
  const session = await storedSession(jar);
  if (!session || typeof session.access_token !== "string") return null;
  const token = await verifiedToken(session.access_token);
  return token && currentAuth(token);
}

async function verifiedToken(accessToken: string): Promise<AuthContext | null> {
  try {
    return authContextFrom(await verifyAccessToken(accessToken));
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) return null;
    throw error;
  }
}

/** Supabase Auth could not be reached (network, 5xx), as opposed to refusing the session. */
export class AuthUnavailableError extends Error {
  constructor(readonly status: number | undefined) {
    super("Supabase Auth is unavailable");
    this.name = "AuthUnavailableError";
  }
}

/**
 * Brings the cookie session up to date (the proxy calls this on every page and admin API request that carries one):
 * supabase-js refreshes an access token that has expired or is about to, writing the new cookies through the jar,
 * and clears a session whose refresh token is refused. Returns the verified caller (session still in auth.sessions,
 * role as user_roles holds it now), or null when signed out. When Auth cannot be reached, a still-valid access token
 * keeps working; without one it throws AuthUnavailableError (the caller answers 503 rather than pretending the person
 * signed out). The session check's database being unreachable counts as Auth unreachable.
 */
export async function refreshSession(
  jar: CookieJar,
  options: { checkCurrent?: boolean } = {},
): Promise<AuthContext | null> {
  if (!hasSessionCookie(jar)) return null;
  const supabase = createSessionClient(jar);
  const { data, error } = await supabase.auth.getSession();
  // checkCurrent: false leaves the session and role read (currentAuth) to the handler behind, which does it anyway
  // (adminRoute's requireRole): the caller then has the token's verified claims only.
  const current = options.checkCurrent === false ? async (token: AuthContext | null) => token : stillCurrent;
  if (error && (isAuthRetryableFetchError(error) || (error.status ?? 0) >= 500)) {
    const stored = await storedSession(jar);
    const found =
      typeof stored?.access_token === "string" ? await current(await verifiedToken(stored.access_token)) : null;
    if (found) return found;
    throw new AuthUnavailableError(error.status);
  }
  if (error || !data.session) return null;
  return current(await verifiedToken(data.session.access_token));
}

/** currentAuth for the proxy: its database unreachable is Auth unavailable (503 in protected areas), not a crash. */
async function stillCurrent(token: AuthContext | null): Promise<AuthContext | null> {
  if (!token) return null;
  try {
    return await currentAuth(token);
  } catch (cause) {
    throw Object.assign(new AuthUnavailableError(undefined), { cause });
  }
}
