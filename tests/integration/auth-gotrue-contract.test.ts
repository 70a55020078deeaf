import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import {
  isAuthApiError,
  isAuthRetryableFetchError,
  isAuthWeakPasswordError,
  type AuthError,
} from "@supabase/supabase-js";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { authTransport, createAdminAuthClient, createAuthClient } from "@/server/auth/client";
import { EMULATOR_SUPABASE_URL } from "@/server/auth/config";
import { queryRows } from "@/server/db/client";
import { resetSupabaseAuthEmulator, supabaseAuthEmulatorFetch } from "@/server/emulators/supabase-auth/emulator";
import { describeEachDatabase } from "../helpers/db";

/**
 * The Auth emulator against GoTrue itself, not against fixtures written here. GOTRUE_TAG is the release of
 * github.com/supabase/auth whose source each row cites (read offline with `git show v2.196.0:<file>`); every status,
 * code and message below is a fact taken from that file. Every code must also be one that the installed
 * @supabase/auth-js publishes (dist/main/lib/error-codes.d.ts), so a client upgrade that renames codes shows up here.
 * When moving to a newer GoTrue release, re-read the cited files and update GOTRUE_TAG with the rows.
 */
const GOTRUE_TAG = "v2.196.0";

type Expected = { status: number; code: string; message: string; source: string };

const PUBLISHED_CODES = readFileSync(
  path.join(
    path.dirname(createRequire(import.meta.url).resolve("@supabase/auth-js/package.json")),
    "dist/main/lib/error-codes.d.ts",
  ),
  "utf8",
);

const CASES = {
  weakPassword: {
    status: 422,
    code: "weak_password",
    message: "Password should be at least 6 characters.",
    source: "internal/api/password.go, internal/api/errors.go (handleResponseErrorWeakPassword)",
  },
  signUpWithoutPassword: {
    status: 400,
    code: "validation_failed",
    message: "Signup requires a valid password",
    source: "internal/api/signup.go",
  },
  malformedEmail: {
    status: 400,
    code: "validation_failed",
    message: "Unable to validate email address: invalid format",
    source: "internal/api/mail.go (validateEmail)",
  },
  missingEmail: {
    status: 400,
    code: "validation_failed",
    message: "An email address is required",
    source: "internal/api/mail.go (validateEmail)",
  },
  alreadyRegistered: {
    status: 422,
    code: "user_already_exists",
    message: "User already registered",
    source: "internal/api/signup.go",
  },
  invalidCredentials: {
    status: 400,
    code: "invalid_credentials",
    message: "Invalid login credentials",
    source: "internal/api/token.go (InvalidLoginMessage)",
  },
  unsupportedGrant: {
    status: 400,
    code: "invalid_credentials",
    message: "unsupported_grant_type",
    source: "internal/api/token.go (Token)",
  },
  bannedSignIn: {
    status: 400,
    code: "user_banned",
    message: "User is banned",
    source: "internal/api/token.go (ResourceOwnerPasswordGrant)",
  },
  bannedToken: {
    status: 403,
    code: "user_banned",
    message: "User is banned",
    source: "internal/api/auth.go (requireAuthentication)",
  },
  bannedRefresh: {
    status: 400,
    code: "user_banned",
    message: "Invalid Refresh Token: User Banned",
    source: "internal/tokens/service.go (RefreshTokenGrant)",
  },
  nonUuidAdminId: {
    status: 404,
    code: "validation_failed",
    message: "user_id must be an UUID",
    source: "internal/api/admin.go (loadUser)",
  },
  databaseFailure: {
    status: 500,
    code: "unexpected_failure",
    message: "Unexpected failure, please check server logs for more information",
    source: "internal/api/errors.go (HandleResponseError)",
  },
} satisfies Record<string, Expected>;

function expectGoTrue(error: AuthError | null, expected: Expected): void {
  expect(error, `${expected.code} (${GOTRUE_TAG}:${expected.source})`).toMatchObject({
    status: expected.status,
    code: expected.code,
    message: expected.message,
  });
  expect(isAuthApiError(error) || isAuthWeakPasswordError(error)).toBe(true);
}

/** Direct calls for what supabase-js cannot send (an unknown grant type, a non-UUID id it validates itself). */
async function rawAuth(pathAndQuery: string, init: { method: string; key: string; json?: unknown }) {
  const res = await supabaseAuthEmulatorFetch(`${EMULATOR_SUPABASE_URL}/auth/v1${pathAndQuery}`, {
    method: init.method,
    headers: {
      "content-type": "application/json",
      apikey: init.key,
      authorization: `Bearer ${init.key}`,
      "X-Supabase-Api-Version": "2024-01-01",
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${++counter}@example.com`;

describe("GoTrue cases table", () => {
  it.each(Object.entries(CASES))("%s: its code is one @supabase/auth-js publishes", (_, expected) => {
    expect(PUBLISHED_CODES).toContain(`'${expected.code}'`);
  });
});

describeEachDatabase(`Supabase Auth emulator against GoTrue ${GOTRUE_TAG}`, (ctx) => {
  beforeEach(() => resetSupabaseAuthEmulator());

  it("sign-up: weak password with reasons, no password, malformed or missing email, an address already registered", async () => {
    const auth = createAuthClient().auth;
    const weak = await auth.signUp({ email: uniqueEmail("weak"), password: "abc" });
    expectGoTrue(weak.error, CASES.weakPassword);
    expect(isAuthWeakPasswordError(weak.error) && weak.error.reasons).toEqual(["length"]);

    expectGoTrue(
      (await auth.signUp({ email: uniqueEmail("nopass"), password: "" })).error,
      CASES.signUpWithoutPassword,
    );
    expectGoTrue(
      (await auth.signUp({ email: "not-an-address", password: "correct horse" })).error,
      CASES.malformedEmail,
    );
    expectGoTrue((await auth.signUp({ email: "", password: "correct horse" })).error, CASES.missingEmail);

    const email = uniqueEmail("twice");
    expect((await auth.signUp({ email, password: "correct horse" })).error).toBeNull();
    expectGoTrue(
      (await createAuthClient().auth.signUp({ email, password: "correct horse" })).error,
      CASES.alreadyRegistered,
    );
  });

  it("token: wrong password, unsupported grant type", async () => {
    const email = uniqueEmail("grant");
    await createAuthClient().auth.signUp({ email, password: "correct horse" });
    expectGoTrue(
      (await createAuthClient().auth.signInWithPassword({ email, password: "wrong horse" })).error,
      CASES.invalidCredentials,
    );
    const raw = await rawAuth("/token?grant_type=magic", { method: "POST", key: authTransport("anon").key, json: {} });
    expect({ status: raw.status, code: raw.body.code, message: raw.body.message }).toEqual({
      status: CASES.unsupportedGrant.status,
      code: CASES.unsupportedGrant.code,
      message: CASES.unsupportedGrant.message,
    });
  });

  it("a banned user keeps the sessions but every use is refused with user_banned", async () => {
    const email = uniqueEmail("banned");
    const client = createAuthClient();
    const signedUp = await client.auth.signUp({ email, password: "correct horse" });
    const session = signedUp.data.session!;
    const banned = await createAdminAuthClient().auth.admin.updateUserById(signedUp.data.user!.id, {
      ban_duration: "24h",
    });
    expect(banned.error).toBeNull();
    const sessions = await queryRows<{ n: number }>(
      ctx.db,
      sql`select count(*)::int as n from auth.sessions where user_id = ${signedUp.data.user!.id}`,
    );
    expect(sessions[0]?.n).toBe(1);

    expectGoTrue((await createAuthClient().auth.getUser(session.access_token)).error, CASES.bannedToken);
    expectGoTrue(
      (await createAuthClient().auth.refreshSession({ refresh_token: session.refresh_token })).error,
      CASES.bannedRefresh,
    );
    expectGoTrue(
      (await createAuthClient().auth.signInWithPassword({ email, password: "correct horse" })).error,
      CASES.bannedSignIn,
    );
  });

  it("admin: a user id that is not a UUID", async () => {
    const raw = await rawAuth("/admin/users/not-a-uuid", { method: "GET", key: authTransport("service_role").key });
    expect({ status: raw.status, code: raw.body.code, message: raw.body.message }).toEqual({
      status: CASES.nonUuidAdminId.status,
      code: CASES.nonUuidAdminId.code,
      message: CASES.nonUuidAdminId.message,
    });
  });

  it("a database failure is a 500 unexpected_failure, not a dropped connection (status 0)", async () => {
    // jsonb refuses \u0000 on both drivers, so the insert of this user's metadata fails inside the database.
    const data = { name: "a\u0000b" };
    const raw = await rawAuth("/signup", {
      method: "POST",
      key: authTransport("anon").key,
      json: { email: uniqueEmail("dbfail"), password: "correct horse", data },
    });
    expect({ status: raw.status, code: raw.body.code, message: raw.body.message }).toEqual({
      status: CASES.databaseFailure.status,
      code: CASES.databaseFailure.code,
      message: CASES.databaseFailure.message,
    });
    // supabase-js (auth-js lib/fetch.ts) reads any 500 as a retryable server error, keeping its status.
    const failed = await createAuthClient().auth.signUp({
      email: uniqueEmail("dbfail"),
      password: "correct horse",
      options: { data },
    });
    expect(isAuthRetryableFetchError(failed.error)).toBe(true);
    expect(failed.error?.status).toBe(500);
  });
});
