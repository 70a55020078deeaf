import "server-only";
import bcrypt from "bcryptjs";
import { clock } from "@/lib/clock";
import { GoTrueError, invalidCredentials, userBanned } from "./errors";
import * as store from "./store";
import type { AmrEntry } from "./store";
import {
  authenticated,
  checkPassword,
  dummyHash,
  hashPassword,
  isBanned,
  merge,
  obj,
  str,
  validEmail,
  type Context,
} from "./requests";
import { metadata, sessionJson, startSession, userJson } from "./shapes";

/** The user's own endpoints: POST /signup, POST /token (password, refresh_token), GET|PUT /user, POST /logout. */

export async function signup(ctx: Context): Promise<Response> {
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

export async function token(ctx: Context): Promise<Response> {
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
  if (!presented)
    throw new GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  // The reuse branch deletes the session and must commit before answering, so it returns rather than throws.
  const result = await store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const rotated = await store.rotateRefreshToken(tx, presented, now);
    if (rotated.kind !== "rotated") return rotated;
    const user = await store.userById(tx, rotated.session.user_id);
    if (!user) return { kind: "not_found" as const };
    if (isBanned(user)) throw userBanned(400, "Invalid Refresh Token: User Banned");
    const amr = store.parseJson(rotated.session.amr) as AmrEntry[];
    return {
      kind: "ok" as const,
      body: await sessionJson(tx, ctx.issuer, user, rotated.session, rotated.token, amr[0]?.method ?? "password"),
    };
  });
  if (result.kind === "ok") return Response.json(result.body);
  if (result.kind === "reused")
    throw new GoTrueError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
  throw new GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
}

export async function getUser(ctx: Context): Promise<Response> {
  return store.inAuthTransaction(async (tx) => Response.json(userJson((await authenticated(tx, ctx.request)).user)));
}

export async function putUser(ctx: Context): Promise<Response> {
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
      if (await store.userByEmail(tx, next))
        throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
      patch.email = next;
    }
    const updated = await store.updateUser(tx, user.id, patch, now);
    return Response.json(userJson(updated ?? user));
  });
}

export async function logout(ctx: Context): Promise<Response> {
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
