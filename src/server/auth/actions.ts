"use server";

import { isAuthRetryableFetchError, type AuthError } from "@supabase/supabase-js";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { text } from "@/lib/text";
import { appBaseUrl } from "@/lib/env";
import { logger } from "@/lib/logger";
import { createAuthClient } from "@/server/auth/client";
import { destinationAfterSignIn, safeNext } from "@/server/auth/navigation";
import { authContextFrom, createSessionClient } from "@/server/auth/session";
import { firstRefusal, isUnavailable, retryMinutes } from "@/server/auth/throttle";
import { verifyAccessToken } from "@/server/auth/verify";
import { clearFailures, consume, lockedOut, recordFailure, type LimitOutcome } from "@/server/security/rate-limit";
import { clientIp } from "@/server/security/client-ip";
import { getCurrentLocale } from "@/i18n/current-locale";

/**
 * Sign-in, sign-up and one-time codes, as server actions over @supabase/ssr: the session lands in HttpOnly cookies
 * set by this response. Each returns an error key the form shows (messages "auth.errors.*"), or redirects.
 *
 * Abuse protection (docs/auth.md): every path is rate limited here, in front of Supabase Auth, so it holds with the
 * emulator and with a real project alike (rules in src/server/security/rate-limit-rules.ts); and no answer depends on
 * whether an account exists for the address (no account enumeration).
 */

export type AuthFormState = {
  error?: string;
  field?: "email" | "password" | "code" | "name";
  codeSentTo?: string;
  notice?: string;
  /** With error "rate_limited": whole minutes until another attempt may succeed. */
  retryAfterMinutes?: number;
  /** What was typed (never the password), so the form shows it again after React resets it. */
  values?: { email?: string; name?: string };
};

const typed = (form: FormData, ...names: ("email" | "name")[]) =>
  Object.fromEntries(names.map((n) => [n, String(form.get(n) ?? "").slice(0, 254)]));

async function sessionClient() {
  const jar = await cookies();
  return createSessionClient({
    getAll: () => jar.getAll(),
    setAll: (toSet) => {
      for (const c of toSet) jar.set(c.name, c.value, c.options);
    },
  });
}

/** The client's address for the per-IP limits (TRUSTED_PROXY_HOPS applies, src/server/security/client-ip.ts). */
async function requestIp(): Promise<string | undefined> {
  return clientIp({ headers: await headers() });
}

const limited = (outcome: Pick<LimitOutcome, "resetSeconds">): AuthFormState => ({
  error: "rate_limited",
  retryAfterMinutes: retryMinutes(outcome),
});

/** Runs an action; a limiter store that is down (the sign-in rules fail closed) becomes the form's "unavailable". */
async function unlessUnavailable(
  fallback: AuthFormState,
  action: () => Promise<AuthFormState>,
): Promise<AuthFormState> {
  try {
    return await action();
  } catch (error) {
    if (isUnavailable(error)) return { ...fallback, error: "unavailable" };
    throw error;
  }
}

const email = z.string().trim().toLowerCase().email().max(254);
const password = z.string().min(1).max(200);

/** Supabase Auth error codes → the form's message keys; anything else is "unavailable" (and logged). */
function errorKey(code: string | undefined, status: number | undefined): string {
  switch (code) {
    case "invalid_credentials":
    case "email_not_confirmed":
    case "otp_expired":
    case "over_request_rate_limit":
    case "weak_password":
    case "signup_disabled":
    case "user_banned":
      return code;
    default:
      if (status === 429) return "over_request_rate_limit";
      logger.warn({ event: "auth.unexpected_error", code, status }, "sign-in failed unexpectedly");
      return "unavailable";
  }
}

/** Auth itself could not be reached: the same for every address, so the form may say so. */
const unreachable = (error: AuthError) => isAuthRetryableFetchError(error) || (error.status ?? 0) >= 500;

async function finishSignIn(accessToken: string, next: FormDataEntryValue | null): Promise<never> {
  const auth = authContextFrom(await verifyAccessToken(accessToken));
  logger.info({ event: "auth.signed_in", userId: auth.userId, role: auth.role }, "signed in");
  redirect(destinationAfterSignIn(next, auth.role));
}

/**
 * Email and password. Limited per client address (every attempt counts) and per account: each wrong password is a
 * failure, and after 5 the address is locked out for 1 minute, then 2, 4 … up to an hour per further failure. While
 * locked out the password is not even checked, so the right one gets the same refusal as a wrong one. Unknown
 * addresses count and lock out exactly like known ones, and Auth compares a hash either way (similar timing).
 */
export async function signInWithPassword(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z.object({ email, password }).safeParse({ email: form.get("email"), password: form.get("password") });
  const values = typed(form, "email");
  if (!parsed.success)
    return {
      error: "invalid_input",
      field: parsed.error.issues[0]?.path[0] === "password" ? "password" : "email",
      values,
    };
  const account = parsed.data.email;
  let accessToken: string | undefined;
  const state = await unlessUnavailable({ field: "password", values }, async () => {
    const refused =
      (await firstRefusal([["signin.password.ip", await requestIp()]])) ??
      (await lockedOut("signin.password.account", account));
    if (refused) return { ...limited(refused), field: "password", values };
    const supabase = await sessionClient();
    const { data, error } = await supabase.auth.signInWithPassword(parsed.data);
    if (error || !data.session) {
      if (error?.code === "invalid_credentials") {
        const lockoutSeconds = await recordFailure("signin.password.account", account);
        if (lockoutSeconds > 0) return { ...limited({ resetSeconds: lockoutSeconds }), field: "password", values };
      }
      return { error: errorKey(error?.code, error?.status), field: "password", values };
    }
    await clearFailures("signin.password.account", account);
    accessToken = data.session.access_token;
    return {};
  });
  if (!accessToken) return state;
  return finishSignIn(accessToken, form.get("next"));
}

/**
 * Emails a sign-in link and a six-digit code (existing accounts only: sign-up is its own page). Limited per client
 * address and per address asked for. The answer is "if an account exists for this address, we sent a code" whatever
 * Auth says about the address: unknown, known, or known but asked again within GoTrue's 60 s (which only existing
 * users can hit). Only Auth being unreachable, the same for every address, is shown.
 */
export async function sendSignInCode(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = email.safeParse(form.get("email"));
  const values = typed(form, "email");
  if (!parsed.success) return { error: "invalid_input", field: "email", values };
  return unlessUnavailable({ field: "email", values }, async () => {
    const refused = await firstRefusal([
      ["signin.code_send.ip", await requestIp()],
      ["signin.code_send.email", parsed.data],
    ]);
    if (refused) return { ...limited(refused), field: "email", values };
    const error = await emailSignInLink(parsed.data, safeNext(form.get("next")) ?? "");
    if (error && unreachable(error)) return { error: "unavailable", field: "email", values };
    return { codeSentTo: parsed.data };
  });
}

/** signInWithOtp for an existing account, its refusals logged but never shown (they would tell who has an account). */
async function emailSignInLink(address: string, next: string): Promise<AuthError | null> {
  const supabase = await sessionClient();
  const { error } = await supabase.auth.signInWithOtp({
    email: address,
    options: { shouldCreateUser: false, emailRedirectTo: await confirmUrl(next) },
  });
  if (error)
    logger.info({ event: "auth.code_not_sent", code: error.code, status: error.status }, "no sign-in code sent");
  return error;
}

async function confirmUrl(next: string): Promise<string> {
  const confirm = new URL("/auth/confirm", appBaseUrl());
  confirm.searchParams.set("next", next);
  confirm.searchParams.set("locale", await getCurrentLocale());
  return confirm.toString();
}

/**
 * The emailed code. Limited per client address and per address (5 tries per 15 minutes); the code itself dies after
 * 5 wrong guesses in the Auth emulator. A refusal keeps the form on the code step.
 */
export async function verifySignInCode(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z
    .object({
      email,
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/),
    })
    .safeParse({ email: form.get("email"), code: form.get("code") });
  if (!parsed.success) return { error: "invalid_code", field: "code", codeSentTo: String(form.get("email") ?? "") };
  const codeSentTo = parsed.data.email;
  let accessToken: string | undefined;
  const state = await unlessUnavailable({ field: "code", codeSentTo }, async () => {
    const refused = await firstRefusal([
      ["signin.code_verify.ip", await requestIp()],
      ["signin.code_verify.email", codeSentTo],
    ]);
    if (refused) return { ...limited(refused), field: "code", codeSentTo };
    const supabase = await sessionClient();
    const { data, error } = await supabase.auth.verifyOtp({
      email: codeSentTo,
      token: parsed.data.code,
      type: "email",
    });
    if (error || !data.session) {
      return {
        error: error?.code === "otp_expired" ? "otp_expired" : errorKey(error?.code, error?.status),
        field: "code",
        codeSentTo,
      };
    }
    accessToken = data.session.access_token;
    return {};
  });
  if (!accessToken) return state;
  return finishSignIn(accessToken, form.get("next"));
}

/**
 * Creates an account. Limited per client address. Whether the address is new or already has an account, the answer
 * is the same "check your email to finish", and nobody is signed in here:
 * - new, with email confirmation on (a real project's default): Supabase emails the confirmation link;
 * - new, with autoconfirm (the emulator, like `supabase start`): the session Auth returns is ended at once and the
 *   person gets a sign-in link by email, so finishing takes the same step;
 * - taken (Auth says user_already_exists, or a real project returns its obfuscated user without identities): the
 *   account holder gets a sign-in link, which is what they need if they forgot they had signed up. Someone else
 *   learns nothing, and the existing password is not touched.
 * The sign-in link counts against signin.code_send.email, so sign-up cannot be used to flood an inbox.
 */
export async function signUp(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z
    .object({ name: text({ min: 1, max: 100 }), email, password: z.string().min(8).max(200) })
    .safeParse({ name: form.get("name"), email: form.get("email"), password: form.get("password") });
  const values = typed(form, "email", "name");
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    return {
      error: field === "password" ? "password_too_short" : "invalid_input",
      field: field === "name" || field === "password" ? field : "email",
      values,
    };
  }
  const next = safeNext(form.get("next")) ?? "/account";
  return unlessUnavailable({ field: "email", values }, async () => {
    const refused = await firstRefusal([["signup.ip", await requestIp()]]);
    if (refused) return { ...limited(refused), field: "email", values };
    // A client of its own, not the cookie session: sign-up never signs anyone in on this response.
    const supabase = createAuthClient();
    const { data, error } = await supabase.auth.signUp({
      email: parsed.data.email,
      password: parsed.data.password,
      options: { data: { name: parsed.data.name }, emailRedirectTo: await confirmUrl(next) },
    });
    if (error && (unreachable(error) || error.code === "weak_password" || error.code === "signup_disabled")) {
      return {
        error: errorKey(error.code, error.status),
        field: error.code === "weak_password" ? "password" : "email",
        values,
      };
    }
    if (data.session) await supabase.auth.signOut({ scope: "local" });
    const confirmationSent = !error && !data.session && (data.user?.identities?.length ?? 0) > 0;
    if (!confirmationSent) {
      if (error)
        logger.info(
          { event: "auth.sign_up_refused", code: error.code, status: error.status },
          "sign-up refused by Auth",
        );
      const allowed = await consume("signin.code_send.email", parsed.data.email);
      if (allowed.allowed) await emailSignInLink(parsed.data.email, next);
    }
    return { notice: "confirm_email" };
  });
}
