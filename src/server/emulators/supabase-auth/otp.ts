import "server-only";
import { randomInt } from "node:crypto";
import { clock } from "@/lib/clock";
import { GoTrueError, otpInvalid, userBanned } from "./errors";
import { deliverAuthMessage, type AuthMessage } from "./messages";
import * as store from "./store";
import { EMULATOR_SETTINGS, isBanned, obj, str, validEmail, type Context } from "./requests";
import { startSession } from "./shapes";

/** One-time codes and links: POST /otp sends one, POST /verify exchanges it for a session. */

export async function otp(ctx: Context): Promise<Response> {
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
        throw new GoTrueError(
          429,
          "over_email_send_rate_limit",
          `For security purposes, you can only request this after ${wait} seconds.`,
        );
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
    return {
      type,
      email,
      userId: user.id,
      token: code,
      tokenHash,
      redirectTo,
      actionLink: link.toString(),
      createdAt: now.toISOString(),
    };
  });
  // After commit, like GoTrue's mailer: the message can only point at a stored code.
  await deliverAuthMessage(message);
  return Response.json({});
}

export async function verify(ctx: Context): Promise<Response> {
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
