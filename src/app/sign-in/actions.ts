"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { appBaseUrl } from "@/lib/env";
import { logger } from "@/lib/logger";
import { destinationAfterSignIn, safeNext } from "@/server/auth/navigation";
import { authContextFrom, createSessionClient } from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";
import { getCurrentLocale } from "@/i18n/current-locale";

/**
 * Sign-in, sign-up and one-time codes, as server actions over @supabase/ssr: the session lands in HttpOnly cookies
 * set by this response. Each returns an error key the form shows (messages "auth.errors.*"), or redirects.
 */

export type AuthFormState = {
  error?: string;
  field?: "email" | "password" | "code" | "name";
  codeSentTo?: string;
  notice?: string;
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

const email = z.string().trim().toLowerCase().email().max(254);
const password = z.string().min(1).max(200);

/** Supabase Auth error codes → the form's message keys; anything else is "unavailable" (and logged). */
function errorKey(code: string | undefined, status: number | undefined): string {
  switch (code) {
    case "invalid_credentials":
    case "email_not_confirmed":
    case "otp_expired":
    case "over_email_send_rate_limit":
    case "over_request_rate_limit":
    case "weak_password":
    case "user_already_exists":
    case "email_exists":
    case "signup_disabled":
    case "user_banned":
      return code === "email_exists" ? "user_already_exists" : code;
    default:
      if (status === 429) return "over_request_rate_limit";
      logger.warn({ event: "auth.unexpected_error", code, status }, "sign-in failed unexpectedly");
      return "unavailable";
  }
}

async function finishSignIn(accessToken: string, next: FormDataEntryValue | null): Promise<never> {
  const auth = authContextFrom(await verifyAccessToken(accessToken));
  logger.info({ event: "auth.signed_in", userId: auth.userId, role: auth.role }, "signed in");
  redirect(destinationAfterSignIn(next, auth.role));
}

export async function signInWithPassword(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z.object({ email, password }).safeParse({ email: form.get("email"), password: form.get("password") });
  const values = typed(form, "email");
  if (!parsed.success) return { error: "invalid_input", field: parsed.error.issues[0]?.path[0] === "password" ? "password" : "email", values };
  const supabase = await sessionClient();
  const { data, error } = await supabase.auth.signInWithPassword(parsed.data);
  if (error || !data.session) return { error: errorKey(error?.code, error?.status), field: "password", values };
  return finishSignIn(data.session.access_token, form.get("next"));
}

/** Emails a sign-in link and a six-digit code (existing accounts only: sign-up is its own page). */
export async function sendSignInCode(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = email.safeParse(form.get("email"));
  if (!parsed.success) return { error: "invalid_input", field: "email", values: typed(form, "email") };
  const confirm = new URL("/auth/confirm", appBaseUrl());
  confirm.searchParams.set("next", safeNext(form.get("next")) ?? "");
  confirm.searchParams.set("locale", await getCurrentLocale());
  const supabase = await sessionClient();
  const { error } = await supabase.auth.signInWithOtp({
    email: parsed.data,
    options: { shouldCreateUser: false, emailRedirectTo: confirm.toString() },
  });
  // An unknown address gets the same answer as a known one, so the form does not reveal who has an account.
  if (error && error.code !== "otp_disabled" && error.code !== "user_not_found") {
    return { error: errorKey(error.code, error.status), field: "email", values: typed(form, "email") };
  }
  return { codeSentTo: parsed.data };
}

export async function verifySignInCode(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z
    .object({ email, code: z.string().trim().regex(/^\d{6}$/) })
    .safeParse({ email: form.get("email"), code: form.get("code") });
  if (!parsed.success) return { error: "invalid_code", field: "code", codeSentTo: String(form.get("email") ?? "") };
  const supabase = await sessionClient();
  const { data, error } = await supabase.auth.verifyOtp({ email: parsed.data.email, token: parsed.data.code, type: "email" });
  if (error || !data.session) return { error: error?.code === "otp_expired" ? "otp_expired" : errorKey(error?.code, error?.status), field: "code", codeSentTo: parsed.data.email };
  return finishSignIn(data.session.access_token, form.get("next"));
}

export async function signUp(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = z
    .object({ name: z.string().trim().min(1).max(100), email, password: z.string().min(8).max(200) })
    .safeParse({ name: form.get("name"), email: form.get("email"), password: form.get("password") });
  const values = typed(form, "email", "name");
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    return { error: field === "password" ? "password_too_short" : "invalid_input", field: field === "name" || field === "password" ? field : "email", values };
  }
  const confirm = new URL("/auth/confirm", appBaseUrl());
  confirm.searchParams.set("next", "/account");
  confirm.searchParams.set("locale", await getCurrentLocale());
  const supabase = await sessionClient();
  const { data, error } = await supabase.auth.signUp({
    email: parsed.data.email,
    password: parsed.data.password,
    options: { data: { name: parsed.data.name }, emailRedirectTo: confirm.toString() },
  });
  if (error) return { error: errorKey(error.code, error.status), field: error.code === "weak_password" ? "password" : "email", values };
  // With email confirmation on (a real project's default) there is no session yet: the link in the email signs in.
  if (!data.session) return { notice: "confirm_email" };
  return finishSignIn(data.session.access_token, form.get("next"));
}
