import "server-only";
import { z } from "zod";
import { API_VERSION_HEADER, errorResponse, GoTrueError, unexpectedFailure } from "./errors";
import { clearAuthMessages } from "./messages";
import { adminCreateUser, adminDeleteUser, adminGetUser, adminListUsers, adminUpdateUser } from "./admin";
import { getUser, logout, putUser, signup, token } from "./accounts";
import { otp, verify } from "./otp";
import { requireServiceRole, type Context } from "./requests";

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
 * Split by endpoint group: accounts.ts (signup, token, user, logout), otp.ts (otp, verify), admin.ts (admin users);
 * shapes.ts (user and session JSON), requests.ts (context, settings, validation, authentication).
 *
 * Endpoints: POST /signup, POST /token?grant_type=password|refresh_token, GET|PUT /user, POST /logout?scope=,
 * POST /otp, POST /verify, GET|POST /admin/users, GET|PUT|DELETE /admin/users/{id}, GET /.well-known/jwks.json,
 * GET /settings, GET /health.
 */

export { EMULATOR_SETTINGS } from "./requests";
export { userJson } from "./shapes";

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

export {
  lastAuthMessage,
  onAuthMessage,
  clearAuthMessages,
  type AuthMessage,
  type AuthMessageHandler,
} from "./messages";
