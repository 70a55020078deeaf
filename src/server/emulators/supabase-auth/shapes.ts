import "server-only";
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
import { clock } from "@/lib/clock";
import type { Tx } from "@/server/db/client";
import { ACCESS_TOKEN_TTL_SECONDS, emulatorJwtSecret } from "@/server/auth/config";
import * as store from "./store";
import type { AmrEntry, SessionRow, UserRow } from "./store";
import type { Context } from "./requests";

/** GoTrue's JSON shapes: the user (models.User) and the session with its access token. */

export function iso(value: string | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

export function metadata(value: unknown): Record<string, unknown> {
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

export async function sessionJson(
  tx: Tx,
  issuer: string,
  user: UserRow,
  session: SessionRow,
  refreshToken: string,
  method: string,
) {
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
  const claims = await store.applyAccessTokenHook(tx, {
    user_id: user.id,
    claims: baseClaims,
    authentication_method: method,
  });
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

export async function startSession(tx: Tx, ctx: Context, user: UserRow, method: string): Promise<Response> {
  const now = clock.now();
  const signedIn = (await store.updateUser(tx, user.id, { lastSignInAt: now }, now)) ?? user;
  const session = await store.createSession(
    tx,
    user.id,
    [{ method, timestamp: Math.floor(now.getTime() / 1000) }],
    now,
  );
  const refresh = await store.insertRefreshToken(tx, session, null, now);
  return Response.json(await sessionJson(tx, ctx.issuer, signedIn, session, refresh, method));
}
