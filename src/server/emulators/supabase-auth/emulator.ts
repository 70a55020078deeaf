import "server-only";
import { createHash, randomInt } from "node:crypto";
import bcrypt from "bcryptjs";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { clock } from "@/lib/clock";
import type { Tx } from "@/server/db/client";
import { ACCESS_TOKEN_TTL_SECONDS, emulatorJwtSecret } from "@/server/auth/config";
import {
  API_VERSION_HEADER,
  errorResponse,
  GoTrueError,
  invalidCredentials,
  otpInvalid,
  unexpectedFailure,
  userBanned,
  userNotFound,
  weakPassword,
} from "./errors";
import { clearAuthMessages, deliverAuthMessage, type AuthMessage } from "./messages";
import * as store from "./store";
import type { AmrEntry, SessionRow, UserRow } from "./store";

/**
 * In-process stand-in for Supabase Auth (GoTrue), reached through supabase-js / @supabase/ssr with
 * `global.fetch: supabaseAuthEmulatorFetch` (src/server/auth/client.ts). It serves the endpoints under `/auth/v1/`
 * that the SDK calls, with GoTrue's JSON shapes and error codes; users live in auth.users and sessions in
 * auth.sessions (as on Supabase), rotating refresh tokens and one-time codes in schema auth_emulator, so several app
 * instances agree. Access tokens are HS256 JWTs with Supabase's claims, passed through
 * public.custom_access_token_hook exactly like a project with the hook on.
 *
 * Settings, as a local `supabase start` with email confirmations off: autoconfirm on, minimum password length 6,
 * JWT expiry 3600 s, refresh-token rotation on with a reuse interval of 10 s (the token just rotated, presented again
 * within 10 s, returns the session's current one; any other used token revokes its session), OTP expiry 3600 s, one
 * OTP email per address per 60 s. Beyond GoTrue (which relies on its per-IP verify limit): a code is used up by 5
 * wrong guesses for its address; the app also limits verification per IP and per address in every mode.
 *
 * Endpoints: POST /signup, POST /token?grant_type=password|refresh_token, GET|PUT /user, POST /logout?scope=,
 * POST /otp, POST /verify, GET|POST /admin/users, GET|PUT|DELETE /admin/users/{id}, GET /.well-known/jwks.json,
 * GET /settings, GET /health.
 */

export const EMULATOR_SETTINGS = {
  minPasswordLength: 6,
  otpExpirySeconds: 3600,
  otpRateLimitSeconds: 60,
} as const;

type Context = { request: Request; url: URL; issuer: string; body: Record<string, unknown> };

export async function supabaseAuthEmulatorFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request && init === undefined ? input : new Request(input, init);
  const url = new URL(request.url);
  const apiVersion = request.headers.get(API_VERSION_HEADER);
  try {
    const marker = url.pathname.indexOf("/auth/v1");
    if (marker < 0) throw new GoTrueError(404, "not_found", "Not Found");
    const issuer = `${url.origin}${url.pathname.slice(0, marker)}/auth/v1`;
    const route = url.pathname.slice(marker + "/auth/v1".length).replace(/\/+$/, "") || "/";
    const method = request.method.toUpperCase();
    const body = await readBody(request, method);
    const response = await dispatch(method, route, { request, url, issuer, body });
    if (apiVersion) response.headers.set(API_VERSION_HEADER, "2024-01-01");
    return response;
  } catch (error) {
    // GoTrue answers anything else (a database failure) with 500 unexpected_failure, never a dropped connection.
    return errorResponse(error instanceof GoTrueError ? error : unexpectedFailure(), apiVersion);
  }
}

/** Tests: forget the in-memory auth messages (database state goes with the test database). */
export function resetSupabaseAuthEmulator(): void {
  clearAuthMessages();
}

async function readBody(request: Request, method: string): Promise<Record<string, unknown>> {
  if (method === "GET" || method === "HEAD") return {};
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new GoTrueError(400, "bad_json", "Could not parse request body as JSON");
}

async function dispatch(method: string, route: string, ctx: Context): Promise<Response> {
  const admin = /^\/admin\/users(?:\/([^/]+))?$/.exec(route);
  if (admin) {
    await requireServiceRole(ctx.request);
    const id = admin[1];
    // GoTrue's loadUser (internal/api/admin.go): a path id that is not a UUID is a 404 validation_failed.
    if (id && !z.guid().safeParse(id).success) {
      throw new GoTrueError(404, "validation_failed", "user_id must be an UUID");
    }
    if (!id && method === "GET") return adminListUsers(ctx);
    if (!id && method === "POST") return adminCreateUser(ctx);
    if (id && method === "GET") return adminGetUser(id);
    if (id && method === "PUT") return adminUpdateUser(id, ctx);
    if (id && method === "DELETE") return adminDeleteUser(id);
  }
  const key = `${method} ${route}`;
  switch (key) {
    case "POST /signup":
      return signup(ctx);
    case "POST /token":
      return token(ctx);
    case "GET /user":
      return getUser(ctx);
    case "PUT /user":
      return putUser(ctx);
    case "POST /logout":
      return logout(ctx);
    case "POST /otp":
      return otp(ctx);
    case "POST /verify":
      return verify(ctx);
    case "GET /.well-known/jwks.json":
      // HS256 projects (the legacy shared JWT secret) publish no keys: a symmetric secret is never exposed, and
      // clients verify such tokens by asking GET /user (supabase-js getClaims() falls back to that).
      return Response.json({ keys: [] });
    case "GET /settings":
      return Response.json({
        external: { email: true, phone: false, anonymous_users: false },
        disable_signup: false,
        mailer_autoconfirm: true,
        phone_autoconfirm: false,
        sms_provider: "",
        saml_enabled: false,
      });
    case "GET /health":
      return Response.json({ version: "emulator", name: "GoTrue", description: "slotbook Supabase Auth emulator" });
    default:
      throw new GoTrueError(404, "not_found", "Not Found");
  }
}

// --- JSON shapes ----------------------------------------------------------------------------------------------

function iso(value: string | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

function metadata(value: unknown): Record<string, unknown> {
  const parsed = store.parseJson(value);
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** A stable uuid for the user's one email identity (GoTrue stores it in auth.identities). */
function identityId(userId: string): string {
  const h = createHash("sha1").update(`email-identity:${userId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** models.User as GoTrue serialises it. */
export function userJson(row: UserRow): Record<string, unknown> {
  const email = row.email ?? "";
  const identity = {
    identity_id: identityId(row.id),
    id: row.id,
    user_id: row.id,
    identity_data: { email, email_verified: row.email_confirmed_at !== null, phone_verified: false, sub: row.id },
    provider: "email",
    last_sign_in_at: iso(row.last_sign_in_at) ?? iso(row.created_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    email,
  };
  return {
    id: row.id,
    aud: row.aud ?? "authenticated",
    role: row.role ?? "authenticated",
    email,
    email_confirmed_at: iso(row.email_confirmed_at),
    phone: row.phone ?? "",
    confirmed_at: iso(row.email_confirmed_at ?? row.phone_confirmed_at),
    last_sign_in_at: iso(row.last_sign_in_at),
    app_metadata: { provider: "email", providers: ["email"], ...metadata(row.raw_app_meta_data) },
    user_metadata: metadata(row.raw_user_meta_data),
    identities: row.email ? [identity] : [],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    ...(row.banned_until ? { banned_until: iso(row.banned_until) } : {}),
    is_anonymous: row.is_anonymous,
  };
}

async function sessionJson(tx: Tx, issuer: string, user: UserRow, session: SessionRow, refreshToken: string, method: string) {
  const now = clock.now();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
  const u = userJson(user);
  const baseClaims = {
    iss: issuer,
    sub: user.id,
    aud: "authenticated",
    exp,
    iat,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: u.app_metadata,
    user_metadata: u.user_metadata,
    role: user.role ?? "authenticated",
    aal: session.aal,
    amr: store.parseJson(session.amr) as AmrEntry[],
    session_id: session.id,
    is_anonymous: user.is_anonymous,
  };
  const claims = await store.applyAccessTokenHook(tx, { user_id: user.id, claims: baseClaims, authentication_method: method });
  const accessToken = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(emulatorJwtSecret()));
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    expires_at: exp,
    refresh_token: refreshToken,
    user: u,
  };
}

async function startSession(tx: Tx, ctx: Context, user: UserRow, method: string): Promise<Response> {
  const now = clock.now();
  const signedIn = (await store.updateUser(tx, user.id, { lastSignInAt: now }, now)) ?? user;
  const session = await store.createSession(tx, user.id, [{ method, timestamp: Math.floor(now.getTime() / 1000) }], now);
  const refresh = await store.insertRefreshToken(tx, session, null, now);
  return Response.json(await sessionJson(tx, ctx.issuer, signedIn, session, refresh, method));
}

// --- helpers ----------------------------------------------------------------------------------------------------

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === "string" ? v : undefined;
}

function obj(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function validEmail(email: string | undefined): string {
  const value = email?.trim() ?? "";
  // GoTrue's validateEmail (internal/api/mail.go); checkmail's format error reads "invalid format".
  if (value === "") throw new GoTrueError(400, "validation_failed", "An email address is required");
  if (value.length > 255) throw new GoTrueError(400, "validation_failed", "An email address is too long");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new GoTrueError(400, "validation_failed", "Unable to validate email address: invalid format");
  }
  return value.toLowerCase();
}

function checkPassword(password: string | undefined): string {
  if (!password) throw new GoTrueError(400, "validation_failed", "Signup requires a valid password");
  if ([...password].length < EMULATOR_SETTINGS.minPasswordLength) throw weakPassword(EMULATOR_SETTINGS.minPasswordLength);
  return password;
}

const hashPassword = (password: string) => bcrypt.hash(password, 10);

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword("slotbook-auth-emulator-no-such-user"));

function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && new Date(user.banned_until) > clock.now();
}

/** Merges like GoTrue's UpdateUserMetaData: top-level keys replaced, null removes a key. */
function merge(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

function bearer(request: Request): string {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new GoTrueError(401, "no_authorization", "This endpoint requires a Bearer token");
  return match[1];
}

async function verifyBearer(request: Request): Promise<Record<string, unknown>> {
  const jwt = bearer(request);
  try {
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(emulatorJwtSecret()), {
      algorithms: ["HS256"],
      currentDate: clock.now(),
    });
    return payload as Record<string, unknown>;
  } catch (error) {
    const expired = error instanceof Error && "code" in error && error.code === "ERR_JWT_EXPIRED";
    throw new GoTrueError(
      403,
      "bad_jwt",
      expired ? "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired" : "invalid JWT: unable to parse or verify signature, signature is invalid",
    );
  }
}

async function requireServiceRole(request: Request): Promise<void> {
  const claims = await verifyBearer(request);
  if (claims.role !== "service_role" && claims.role !== "supabase_admin") {
    throw new GoTrueError(403, "not_admin", "User not allowed");
  }
}

/** The signed-in user and session behind the request's access token, as GoTrue's requireAuthentication. */
async function authenticated(tx: Tx, request: Request): Promise<{ user: UserRow; session: SessionRow; claims: Record<string, unknown> }> {
  const claims = await verifyBearer(request);
  const sub = typeof claims.sub === "string" ? claims.sub : "";
  const user = await store.userById(tx, sub);
  if (!user) throw new GoTrueError(403, "user_not_found", "User from sub claim in JWT does not exist");
  const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
  const session = await store.sessionById(tx, sessionId);
  if (!session || session.user_id !== user.id) {
    throw new GoTrueError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
  }
  // A user banned after the token was issued is refused (internal/api/auth.go requireAuthentication).
  if (isBanned(user)) throw userBanned(403);
  return { user, session, claims };
}

// --- endpoints --------------------------------------------------------------------------------------------------

async function signup(ctx: Context): Promise<Response> {
  const email = validEmail(str(ctx.body, "email"));
  const password = checkPassword(str(ctx.body, "password"));
  const passwordHash = await hashPassword(password);
  return store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const user = await store.insertUser(tx, {
      email,
      passwordHash,
      confirmedAt: now, // autoconfirm
      appMetadata: { provider: "email", providers: ["email"] },
      userMetadata: obj(ctx.body, "data") ?? {},
      now,
    });
    if (!user) throw new GoTrueError(422, "user_already_exists", "User already registered");
    return startSession(tx, ctx, user, "password");
  });
}

async function token(ctx: Context): Promise<Response> {
  const grant = ctx.url.searchParams.get("grant_type");
  if (grant === "password") return passwordGrant(ctx);
  if (grant === "refresh_token") return refreshGrant(ctx);
  throw new GoTrueError(400, "invalid_credentials", "unsupported_grant_type");
}

async function passwordGrant(ctx: Context): Promise<Response> {
  const email = str(ctx.body, "email")?.trim();
  const password = str(ctx.body, "password") ?? "";
  if (!email) throw invalidCredentials();
  return store.inAuthTransaction(async (tx) => {
    const user = await store.userByEmail(tx, email);
    // Compare even without a user, so the timing does not tell whether the address exists.
    const ok = await bcrypt.compare(password, user?.encrypted_password ?? (await dummyHash()));
    if (!user || !user.encrypted_password || !ok) throw invalidCredentials();
    if (!user.email_confirmed_at) throw new GoTrueError(400, "email_not_confirmed", "Email not confirmed");
    if (isBanned(user)) throw userBanned(400);
    return startSession(tx, ctx, user, "password");
  });
}

async function refreshGrant(ctx: Context): Promise<Response> {
  const presented = str(ctx.body, "refresh_token");
  if (!presented) throw new GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  // The reuse branch deletes the session and must commit before answering, so it returns rather than throws.
  const result = await store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const rotated = await store.rotateRefreshToken(tx, presented, now);
    if (rotated.kind !== "rotated") return rotated;
    const user = await store.userById(tx, rotated.session.user_id);
    if (!user) return { kind: "not_found" as const };
    if (isBanned(user)) throw userBanned(400, "Invalid Refresh Token: User Banned");
    const amr = store.parseJson(rotated.session.amr) as AmrEntry[];
    return { kind: "ok" as const, body: await sessionJson(tx, ctx.issuer, user, rotated.session, rotated.token, amr[0]?.method ?? "password") };
  });
  if (result.kind === "ok") return Response.json(result.body);
  if (result.kind === "reused") throw new GoTrueError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
  throw new GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
}

async function getUser(ctx: Context): Promise<Response> {
  return store.inAuthTransaction(async (tx) => Response.json(userJson((await authenticated(tx, ctx.request)).user)));
}

async function putUser(ctx: Context): Promise<Response> {
  return store.inAuthTransaction(async (tx) => {
    const { user } = await authenticated(tx, ctx.request);
    const now = clock.now();
    const password = str(ctx.body, "password");
    const data = obj(ctx.body, "data");
    const patch: store.UserPatch = {};
    if (password !== undefined) {
      checkPassword(password);
      if (user.encrypted_password && (await bcrypt.compare(password, user.encrypted_password))) {
        throw new GoTrueError(422, "same_password", "New password should be different from the old password.");
      }
      patch.passwordHash = await hashPassword(password);
    }
    if (data) patch.userMetadata = merge(metadata(user.raw_user_meta_data), data);
    const email = str(ctx.body, "email");
    if (email !== undefined && email.toLowerCase() !== user.email) {
      // With autoconfirm (no secure email change mail) GoTrue applies the new address directly.
      const next = validEmail(email);
      if (await store.userByEmail(tx, next)) throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
      patch.email = next;
    }
    const updated = await store.updateUser(tx, user.id, patch, now);
    return Response.json(userJson(updated ?? user));
  });
}

async function logout(ctx: Context): Promise<Response> {
  const scope = ctx.url.searchParams.get("scope") ?? "global";
  if (scope !== "global" && scope !== "local" && scope !== "others") {
    throw new GoTrueError(400, "validation_failed", "Unsupported logout scope");
  }
  await store.inAuthTransaction(async (tx) => {
    const { user, session } = await authenticated(tx, ctx.request);
    await store.deleteSessions(tx, user.id, scope, session.id);
  });
  return new Response(null, { status: 204 });
}

async function otp(ctx: Context): Promise<Response> {
  const email = validEmail(str(ctx.body, "email"));
  const createUser = ctx.body.create_user !== false;
  const redirectTo = ctx.url.searchParams.get("redirect_to");
  const message = await store.inAuthTransaction(async (tx): Promise<AuthMessage> => {
    const now = clock.now();
    let user = await store.userByEmail(tx, email);
    let type: AuthMessage["type"] = "magiclink";
    if (!user) {
      if (!createUser) throw new GoTrueError(422, "otp_disabled", "Signups not allowed for otp");
      user = await store.insertUser(tx, {
        email,
        passwordHash: null,
        confirmedAt: null,
        appMetadata: { provider: "email", providers: ["email"] },
        userMetadata: obj(ctx.body, "data") ?? {},
        now,
      });
      if (!user) throw new GoTrueError(422, "user_already_exists", "User already registered");
      type = "signup";
    }
    const last = await store.lastOneTimeTokenAt(tx, user.id);
    if (last) {
      const waited = (now.getTime() - last.getTime()) / 1000;
      if (waited < EMULATOR_SETTINGS.otpRateLimitSeconds) {
        const wait = Math.ceil(EMULATOR_SETTINGS.otpRateLimitSeconds - waited);
        throw new GoTrueError(429, "over_email_send_rate_limit", `For security purposes, you can only request this after ${wait} seconds.`);
      }
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const tokenHash = store.tokenHashOf(email, code);
    await store.insertOneTimeToken(tx, {
      userId: user.id,
      type,
      tokenHash,
      now,
      expiresAt: new Date(now.getTime() + EMULATOR_SETTINGS.otpExpirySeconds * 1000),
    });
    const link = new URL(`${ctx.issuer}/verify`);
    link.searchParams.set("token", tokenHash);
    link.searchParams.set("type", type);
    if (redirectTo) link.searchParams.set("redirect_to", redirectTo);
    return { type, email, userId: user.id, token: code, tokenHash, redirectTo, actionLink: link.toString(), createdAt: now.toISOString() };
  });
  // After commit, like GoTrue's mailer: the message can only point at a stored code.
  await deliverAuthMessage(message);
  return Response.json({});
}

async function verify(ctx: Context): Promise<Response> {
  const type = str(ctx.body, "type");
  const accepted: Record<string, string[]> = {
    email: ["magiclink", "signup"],
    magiclink: ["magiclink"],
    signup: ["signup"],
  };
  const types = type ? accepted[type] : undefined;
  if (!types) throw new GoTrueError(400, "validation_failed", "Verify requires a verification type");
  const tokenHashParam = str(ctx.body, "token_hash");
  const code = str(ctx.body, "token");
  const email = str(ctx.body, "email");
  let tokenHash: string;
  if (tokenHashParam) tokenHash = tokenHashParam;
  else if (code && email) tokenHash = store.tokenHashOf(email.trim(), code.trim());
  else throw new GoTrueError(400, "validation_failed", "Verify requires either a token or a token hash");
  // A wrong code must be counted even though the answer is an error, so the transaction returns rather than throws.
  const result = await store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const userId = await store.consumeOneTimeToken(tx, tokenHash, types, now);
    if (!userId) {
      // Only a code typed with its address can be attributed; a token hash names no one until it matches.
      if (!tokenHashParam && email) await store.recordWrongCode(tx, email.trim(), types, now);
      return null;
    }
    const user = await store.updateUser(tx, userId, { confirmedAt: now }, now);
    if (!user) throw otpInvalid();
    if (isBanned(user)) throw userBanned(403);
    return startSession(tx, ctx, user, "otp");
  });
  if (!result) throw otpInvalid();
  return result;
}

// --- admin --------------------------------------------------------------------------------------------------------

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** "87600h", "24h", "30m", "none": GoTrue's ban_duration (Go durations; only h/m/s here). */
function banUntil(duration: string, now: Date): Date | null {
  if (duration === "none") return null;
  const match = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(duration);
  if (!match) throw new GoTrueError(400, "validation_failed", "invalid format for ban duration");
  const unit = { h: 3_600_000, m: 60_000, s: 1000 }[match[2] as "h" | "m" | "s"];
  return new Date(now.getTime() + Number(match[1]) * unit);
}

async function adminListUsers(ctx: Context): Promise<Response> {
  const page = positiveInt(ctx.url.searchParams.get("page"), 1);
  const perPage = positiveInt(ctx.url.searchParams.get("per_page"), 50);
  const { users, total } = await store.inAuthTransaction((tx) => store.listUsers(tx, page, perPage));
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const links: string[] = [];
  if (page < lastPage) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`</admin/users?page=${lastPage}&per_page=${perPage}>; rel="last"`);
  return Response.json(
    { users: users.map(userJson), aud: "authenticated" },
    { headers: { "x-total-count": String(total), link: links.join(", ") } },
  );
}

async function adminCreateUser(ctx: Context): Promise<Response> {
  const email = validEmail(str(ctx.body, "email"));
  const password = str(ctx.body, "password");
  const passwordHash = password === undefined ? null : await hashPassword(checkPassword(password));
  return store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const user = await store.insertUser(tx, {
      email,
      passwordHash,
      confirmedAt: ctx.body.email_confirm === true ? now : null,
      appMetadata: { provider: "email", providers: ["email"], ...(obj(ctx.body, "app_metadata") ?? {}) },
      userMetadata: obj(ctx.body, "user_metadata") ?? {},
      role: str(ctx.body, "role"),
      now,
    });
    if (!user) throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
    const ban = str(ctx.body, "ban_duration");
    const final = ban ? await store.updateUser(tx, user.id, { bannedUntil: banUntil(ban, now) }, now) : user;
    return Response.json(userJson(final ?? user));
  });
}

async function adminGetUser(id: string): Promise<Response> {
  const user = await store.inAuthTransaction((tx) => store.userById(tx, id));
  if (!user) throw userNotFound();
  return Response.json(userJson(user));
}

async function adminUpdateUser(id: string, ctx: Context): Promise<Response> {
  return store.inAuthTransaction(async (tx) => {
    const user = await store.userById(tx, id);
    if (!user) throw userNotFound();
    const now = clock.now();
    const patch: store.UserPatch = {};
    const password = str(ctx.body, "password");
    if (password !== undefined) patch.passwordHash = await hashPassword(checkPassword(password));
    const email = str(ctx.body, "email");
    if (email !== undefined && email.toLowerCase() !== user.email) {
      const next = validEmail(email);
      if (await store.userByEmail(tx, next)) throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
      patch.email = next;
    }
    if (ctx.body.email_confirm === true) patch.confirmedAt = now;
    const app = obj(ctx.body, "app_metadata");
    if (app) patch.appMetadata = merge(metadata(user.raw_app_meta_data), app);
    const data = obj(ctx.body, "user_metadata");
    if (data) patch.userMetadata = merge(metadata(user.raw_user_meta_data), data);
    const role = str(ctx.body, "role");
    if (role) patch.role = role;
    const ban = str(ctx.body, "ban_duration");
    if (ban) patch.bannedUntil = banUntil(ban, now);
    // A ban keeps the sessions, as GoTrue's User.Ban does; each use of them is refused with user_banned instead.
    const updated = await store.updateUser(tx, id, patch, now);
    return Response.json(userJson(updated ?? user));
  });
}

async function adminDeleteUser(id: string): Promise<Response> {
  const deleted = await store.inAuthTransaction((tx) => store.deleteUser(tx, id));
  if (!deleted) throw userNotFound();
  return Response.json({});
}

export { lastAuthMessage, onAuthMessage, clearAuthMessages, type AuthMessage, type AuthMessageHandler } from "./messages";
