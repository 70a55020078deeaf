import "server-only";
import bcrypt from "bcryptjs";
import { jwtVerify } from "jose";
import { clock } from "@/lib/clock";
import type { Tx } from "@/server/db/client";
import { emulatorJwtSecret } from "@/server/auth/config";
import { GoTrueError, userBanned, weakPassword } from "./errors";
import * as store from "./store";
import type { SessionRow, UserRow } from "./store";

/** What every endpoint gets, the emulator's settings, and the request helpers GoTrue's handlers share (parsing, validation, authentication). */

export const EMULATOR_SETTINGS = {
  minPasswordLength: 6,
  otpExpirySeconds: 3600,
  otpRateLimitSeconds: 60,
} as const;

export type Context = { request: Request; url: URL; issuer: string; body: Record<string, unknown> };

export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === "string" ? v : undefined;
}

export function obj(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function validEmail(email: string | undefined): string {
  const value = email?.trim() ?? "";
  // GoTrue's validateEmail (internal/api/mail.go); checkmail's format error reads "invalid format".
  if (value === "") throw new GoTrueError(400, "validation_failed", "An email address is required");
  if (value.length > 255) throw new GoTrueError(400, "validation_failed", "An email address is too long");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new GoTrueError(400, "validation_failed", "Unable to validate email address: invalid format");
  }
  return value.toLowerCase();
}

export function checkPassword(password: string | undefined): string {
  if (!password) throw new GoTrueError(400, "validation_failed", "Signup requires a valid password");
  if ([...password].length < EMULATOR_SETTINGS.minPasswordLength)
    throw weakPassword(EMULATOR_SETTINGS.minPasswordLength);
  return password;
}

export const hashPassword = (password: string) => bcrypt.hash(password, 10);

let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword("slotbook-auth-emulator-no-such-user"));

export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && new Date(user.banned_until) > clock.now();
}

/** Merges like GoTrue's UpdateUserMetaData: top-level keys replaced, null removes a key. */
export function merge(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
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
      expired
        ? "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"
        : "invalid JWT: unable to parse or verify signature, signature is invalid",
    );
  }
}

export async function requireServiceRole(request: Request): Promise<void> {
  const claims = await verifyBearer(request);
  if (claims.role !== "service_role" && claims.role !== "supabase_admin") {
    throw new GoTrueError(403, "not_admin", "User not allowed");
  }
}

/** The signed-in user and session behind the request's access token, as GoTrue's requireAuthentication. */
export async function authenticated(
  tx: Tx,
  request: Request,
): Promise<{ user: UserRow; session: SessionRow; claims: Record<string, unknown> }> {
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
