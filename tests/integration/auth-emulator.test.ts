import { createServerClient } from "@supabase/ssr";
import { sql } from "drizzle-orm";
import { jwtVerify } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { clock } from "@/lib/clock";
import { authTransport, createAdminAuthClient, createAuthClient, sdkTransportOptions } from "@/server/auth/client";
import { EMULATOR_JWT_SECRET, EMULATOR_SUPABASE_URL } from "@/server/auth/config";
import { InvalidAccessTokenError, verifyAccessToken } from "@/server/auth/verify";
import { queryRows } from "@/server/db/client";
import { seedDatabase } from "@/server/db/seed";
import {
  lastAuthMessage,
  onAuthMessage,
  resetSupabaseAuthEmulator,
  supabaseAuthEmulatorFetch,
  type AuthMessage,
} from "@/server/emulators/supabase-auth/emulator";
import * as fixtures from "../fixtures/supabase-auth/responses";
import { describeEachDatabase } from "../helpers/db";

const AUTH_URL = `${EMULATOR_SUPABASE_URL}/auth/v1`;
const secret = new TextEncoder().encode(EMULATOR_JWT_SECRET);

/** The JSON type skeleton of a value: same keys and types, values ignored (arrays by their first element). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value === null) return "null";
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as object)
        .map(([k, v]) => [k, shape(v)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  }
  return typeof value;
}

async function claimsOf(token: string) {
  return (await jwtVerify(token, secret, { algorithms: ["HS256"], currentDate: clock.now() })).payload;
}

async function raw(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  return supabaseAuthEmulatorFetch(`${AUTH_URL}${path}`, {
    method: json === undefined ? "GET" : "POST",
    ...rest,
    headers: { "content-type": "application/json", ...(rest.headers as Record<string, string> | undefined) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

let counter = 0;
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${++counter}@example.com`;

describeEachDatabase("Supabase Auth emulator through supabase-js", (ctx) => {
  beforeEach(() => {
    resetSupabaseAuthEmulator();
    onAuthMessage(undefined);
  });

  describe("custom access token hook (SQL)", () => {
    it("sets claims.user_role from user_roles, 'user' by default, and keeps the rest of the event", async () => {
      const [user] = await queryRows<{ id: string }>(
        ctx.db,
        sql`insert into auth.users (email) values (${uniqueEmail("hook")}) returning id::text as id`,
      );
      const run = async () => {
        const [row] = await queryRows<{ result: unknown }>(
          ctx.db,
          sql`select public.custom_access_token_hook(${JSON.stringify({ user_id: user!.id, claims: { sub: user!.id, role: "authenticated" }, authentication_method: "password" })}::jsonb) as result`,
        );
        return (typeof row!.result === "string" ? JSON.parse(row!.result) : row!.result) as Record<string, unknown>;
      };
      expect(await run()).toEqual({
        user_id: user!.id,
        authentication_method: "password",
        claims: { sub: user!.id, role: "authenticated", user_role: "user" },
      });
      await ctx.db.execute(sql`insert into public.user_roles (user_id, role) values (${user!.id}::uuid, 'staff')`);
      expect((await run()).claims).toMatchObject({ user_role: "staff" });
    });

    it("is not executable by anon or authenticated", async () => {
      const [row] = await queryRows<{ anon: boolean; authed: boolean }>(
        ctx.db,
        sql`select has_function_privilege('anon', 'public.custom_access_token_hook(jsonb)', 'execute') as anon,
                   has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute') as authed`,
      );
      expect(row).toEqual({ anon: false, authed: false });
    });
  });

  describe("sign-up, sign-in, getUser, refresh, sign-out", () => {
    it("signs up with autoconfirm and returns a session whose token carries Supabase's claims plus user_role", async () => {
      const email = uniqueEmail("signup");
      const supabase = createAuthClient();
      const { data, error } = await supabase.auth.signUp({
        email,
        password: "correct horse",
        options: { data: { name: "User" } },
      });
      expect(error).toBeNull();
      expect(data.session).not.toBeNull();
      expect(data.user).toMatchObject({
        email,
        aud: "authenticated",
        role: "authenticated",
        user_metadata: { name: "User" },
      });
      const claims = await claimsOf(data.session!.access_token);
      expect(Object.keys(claims).sort()).toEqual(Object.keys(fixtures.accessTokenClaims).sort());
      expect(claims).toMatchObject({
        iss: AUTH_URL,
        sub: data.user!.id,
        aud: "authenticated",
        role: "authenticated",
        email,
        phone: "",
        aal: "aal1",
        is_anonymous: false,
        app_metadata: { provider: "email", providers: ["email"] },
        user_metadata: { name: "User" },
        user_role: "user",
      });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(shape(claims)).toEqual(shape(fixtures.accessTokenClaims));
      // The password is stored as a bcrypt hash in auth.users.
      const [row] = await queryRows<{ encrypted_password: string }>(
        ctx.db,
        sql`select encrypted_password from auth.users where email = ${email}`,
      );
      expect(row!.encrypted_password).toMatch(/^\$2[aby]\$10\$/);

      const again = await createAuthClient().auth.signUp({ email, password: "another password" });
      expect(again.error).toMatchObject({
        status: 422,
        code: "user_already_exists",
        message: "User already registered",
      });
    });

    it("refuses weak passwords and wrong credentials with GoTrue's codes", async () => {
      const supabase = createAuthClient();
      const weak = await supabase.auth.signUp({ email: uniqueEmail("weak"), password: "123" });
      expect(weak.error).toMatchObject({ name: "AuthWeakPasswordError", status: 422, code: "weak_password" });

      const wrong = await supabase.auth.signInWithPassword({ email: "nobody@example.com", password: "whatever123" });
      expect(wrong.error).toMatchObject({
        name: "AuthApiError",
        status: 400,
        code: "invalid_credentials",
        message: "Invalid login credentials",
      });
    });

    it("answers errors in the 2024-01-01 shape for supabase-js and the legacy shape without the version header", async () => {
      const modern = await raw("/token?grant_type=password", {
        json: { email: "nobody@example.com", password: "x" },
        headers: { "X-Supabase-Api-Version": "2024-01-01" },
      });
      expect(modern.status).toBe(400);
      expect(modern.headers.get("x-supabase-api-version")).toBe("2024-01-01");
      expect(await modern.json()).toEqual(fixtures.errorResponse2024);

      const legacy = await raw("/token?grant_type=password", { json: { email: "nobody@example.com", password: "x" } });
      expect(legacy.status).toBe(400);
      expect(await legacy.json()).toEqual(fixtures.errorResponseLegacy);
    });

    it("signs in with a password, gets the user, rotates refresh tokens and refuses reuse, signs out", async () => {
      const email = uniqueEmail("signin");
      await createAuthClient().auth.signUp({ email, password: "correct horse", options: { data: { name: "User" } } });

      const supabase = createAuthClient();
      const signIn = await supabase.auth.signInWithPassword({ email, password: "correct horse" });
      expect(signIn.error).toBeNull();
      const first = signIn.data.session!;
      expect((await claimsOf(first.access_token)).amr).toEqual([{ method: "password", timestamp: expect.any(Number) }]);

      // Structurally identical to a real GoTrue session response.
      const rawSignIn = await raw("/token?grant_type=password", { json: { email, password: "correct horse" } });
      expect(shape(await rawSignIn.json())).toEqual(shape(fixtures.sessionResponse));

      const got = await supabase.auth.getUser();
      expect(got.error).toBeNull();
      expect(got.data.user).toMatchObject({ email, id: signIn.data.user!.id });
      expect(shape(got.data.user)).toEqual(shape(fixtures.userResponse));

      const refreshed = await supabase.auth.refreshSession();
      expect(refreshed.error).toBeNull();
      const second = refreshed.data.session!;
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect((await claimsOf(second.access_token)).session_id).toBe((await claimsOf(first.access_token)).session_id);

      // Within the reuse interval (two tabs refreshing at once) the rotated token gets the session's current one back.
      const concurrent = await createAuthClient().auth.refreshSession({ refresh_token: first.refresh_token });
      expect(concurrent.error).toBeNull();
      expect(concurrent.data.session!.refresh_token).toBe(second.refresh_token);

      // Later, reusing the rotated token fails and revokes the session (its newest token stops working too).
      clock.set(new Date(Date.now() + 11_000));
      const reuse = await createAuthClient().auth.refreshSession({ refresh_token: first.refresh_token });
      expect(reuse.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
      const afterReuse = await createAuthClient().auth.refreshSession({ refresh_token: second.refresh_token });
      expect(afterReuse.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
      const unknown = await createAuthClient().auth.refreshSession({ refresh_token: "no-such-token" });
      expect(unknown.error).toMatchObject({ status: 400, code: "refresh_token_not_found" });

      // Sign out (global): the access token's session is gone, so /user refuses it.
      const other = createAuthClient();
      const session = (await other.auth.signInWithPassword({ email, password: "correct horse" })).data.session!;
      expect((await other.auth.signOut()).error).toBeNull();
      const afterSignOut = await createAuthClient().auth.getUser(session.access_token);
      expect(afterSignOut.error).toMatchObject({ name: "AuthSessionMissingError" });
      const refreshAfterSignOut = await createAuthClient().auth.refreshSession({
        refresh_token: session.refresh_token,
      });
      expect(refreshAfterSignOut.error).toMatchObject({ status: 400 });
    });

    it("updates password and metadata with PUT /user", async () => {
      const email = uniqueEmail("update");
      const supabase = createAuthClient();
      await supabase.auth.signUp({ email, password: "first password", options: { data: { name: "A", keep: 1 } } });
      const updated = await supabase.auth.updateUser({ password: "second password", data: { name: "B" } });
      expect(updated.error).toBeNull();
      expect(updated.data.user?.user_metadata).toEqual({ name: "B", keep: 1 });
      const same = await supabase.auth.updateUser({ password: "second password" });
      expect(same.error).toMatchObject({ status: 422, code: "same_password" });
      expect(
        (await createAuthClient().auth.signInWithPassword({ email, password: "first password" })).error,
      ).toMatchObject({ code: "invalid_credentials" });
      expect(
        (await createAuthClient().auth.signInWithPassword({ email, password: "second password" })).error,
      ).toBeNull();
    });
  });

  describe("roles through the hook", () => {
    it("puts the seeded admin's role into user_role, and a newly granted staff role after signing in again", async () => {
      const adminEmail = uniqueEmail("seed-admin");
      const staffEmail = uniqueEmail("seed-staff");
      await seedDatabase(ctx.db, {
        now: new Date(),
        timeZone: "Asia/Tokyo",
        currency: "JPY",
        days: 1,
        accounts: {
          admin: { email: adminEmail, password: "admin-password-123" },
          staff: { email: staffEmail, password: "staff-password-123" },
        },
      });
      const admin = await createAuthClient().auth.signInWithPassword({
        email: adminEmail,
        password: "admin-password-123",
      });
      expect(admin.error).toBeNull();
      expect((await claimsOf(admin.data.session!.access_token)).user_role).toBe("admin");
      const verified = await verifyAccessToken(admin.data.session!.access_token);
      expect(verified).toMatchObject({
        sub: admin.data.user!.id,
        role: "authenticated",
        user_role: "admin",
        email: adminEmail,
      });

      const email = uniqueEmail("promoted");
      const supabase = createAuthClient();
      const signUp = await supabase.auth.signUp({ email, password: "correct horse" });
      expect((await claimsOf(signUp.data.session!.access_token)).user_role).toBe("user");
      await ctx.db.execute(
        sql`insert into public.user_roles (user_id, role) values (${signUp.data.user!.id}::uuid, 'staff')`,
      );
      const again = await supabase.auth.signInWithPassword({ email, password: "correct horse" });
      expect((await claimsOf(again.data.session!.access_token)).user_role).toBe("staff");
      // A refresh re-runs the hook too.
      await ctx.db.execute(
        sql`update public.user_roles set role = 'admin' where user_id = ${signUp.data.user!.id}::uuid`,
      );
      const refreshed = await supabase.auth.refreshSession();
      expect((await claimsOf(refreshed.data.session!.access_token)).user_role).toBe("admin");
    });
  });

  describe("verifyAccessToken", () => {
    it("rejects a tampered, foreign-secret or expired token", async () => {
      const email = uniqueEmail("verify");
      const { data } = await createAuthClient().auth.signUp({ email, password: "correct horse" });
      const token = data.session!.access_token;
      await expect(verifyAccessToken(token)).resolves.toMatchObject({ email });
      const [h, p, s] = token.split(".");
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), user_role: "admin" })).toString("base64url")}.${s}`;
      await expect(verifyAccessToken(tampered)).rejects.toMatchObject({ reason: "invalid" });
      await expect(verifyAccessToken("not-a-jwt")).rejects.toBeInstanceOf(InvalidAccessTokenError);
      clock.set(new Date(Date.now() + 3601_000));
      await expect(verifyAccessToken(token)).rejects.toMatchObject({ reason: "expired" });
      const expiredUser = await createAuthClient().auth.getUser(token);
      expect(expiredUser.error).toMatchObject({ status: 403, code: "bad_jwt" });
    });
  });

  describe("one-time codes and magic links", () => {
    it("signInWithOtp hands the code to the message hook; verifyOtp with the code or the token hash signs in once", async () => {
      const seen: AuthMessage[] = [];
      onAuthMessage((m) => {
        seen.push(m);
      });
      const email = uniqueEmail("otp");
      const supabase = createAuthClient();
      const sent = await supabase.auth.signInWithOtp({
        email,
        options: { emailRedirectTo: "http://localhost:3000/auth/callback" },
      });
      expect(sent.error).toBeNull();
      const message = lastAuthMessage(email)!;
      expect(seen).toEqual([message]);
      expect(message).toMatchObject({ type: "signup", email, redirectTo: "http://localhost:3000/auth/callback" });
      expect(message.token).toMatch(/^\d{6}$/);
      expect(message.actionLink).toContain(`${AUTH_URL}/verify?token=${message.tokenHash}&type=signup`);

      const wrong = await supabase.auth.verifyOtp({
        email,
        token: message.token === "000000" ? "111111" : "000000",
        type: "email",
      });
      expect(wrong.error).toMatchObject({
        status: 403,
        code: "otp_expired",
        message: "Token has expired or is invalid",
      });
      const ok = await supabase.auth.verifyOtp({ email, token: message.token, type: "email" });
      expect(ok.error).toBeNull();
      expect(ok.data.user).toMatchObject({ email, email_confirmed_at: expect.any(String) });
      expect((await claimsOf(ok.data.session!.access_token)).amr).toEqual([
        { method: "otp", timestamp: expect.any(Number) },
      ]);
      const twice = await createAuthClient().auth.verifyOtp({ email, token: message.token, type: "email" });
      expect(twice.error).toMatchObject({ code: "otp_expired" });

      // Within 60 s another email is refused, as GoTrue's per-address limit.
      const tooSoon = await createAuthClient().auth.signInWithOtp({ email });
      expect(tooSoon.error).toMatchObject({ status: 429, code: "over_email_send_rate_limit" });
      clock.set(new Date(Date.now() + 61_000));
      expect((await createAuthClient().auth.signInWithOtp({ email })).error).toBeNull();
      const magic = lastAuthMessage(email)!;
      expect(magic.type).toBe("magiclink");
      const byHash = await createAuthClient().auth.verifyOtp({ token_hash: magic.tokenHash, type: "magiclink" });
      expect(byHash.error).toBeNull();
      expect(byHash.data.session?.user.email).toBe(email);
    });

    it("refuses to create a user when shouldCreateUser is false", async () => {
      const result = await createAuthClient().auth.signInWithOtp({
        email: uniqueEmail("nocreate"),
        options: { shouldCreateUser: false },
      });
      expect(result.error).toMatchObject({ status: 422, code: "otp_disabled" });
    });
  });

  describe("admin API", () => {
    it("creates, lists, reads and deletes users with the service-role key, and refuses anyone else", async () => {
      const admin = createAdminAuthClient();
      const email = uniqueEmail("admin-created");
      const created = await admin.auth.admin.createUser({
        email,
        password: "admin-set-password",
        email_confirm: true,
        user_metadata: { name: "User" },
      });
      expect(created.error).toBeNull();
      expect(shape(created.data.user)).toEqual(shape(fixtures.neverSignedInUserResponse));
      const duplicate = await admin.auth.admin.createUser({ email, password: "admin-set-password" });
      expect(duplicate.error).toMatchObject({ status: 422, code: "email_exists" });

      const signIn = await createAuthClient().auth.signInWithPassword({ email, password: "admin-set-password" });
      expect(signIn.error).toBeNull();

      const list = await admin.auth.admin.listUsers({ page: 1, perPage: 1 });
      expect(list.error).toBeNull();
      expect(list.data.users).toHaveLength(1);
      expect((list.data as unknown as { total: number }).total).toBeGreaterThanOrEqual(1);
      const rawList = await raw("/admin/users?page=1&per_page=1", {
        headers: { authorization: `Bearer ${authTransport("service_role").key}` },
      });
      expect(shape(await rawList.json())).toEqual(shape(fixtures.adminListResponse));

      const byId = await admin.auth.admin.getUserById(created.data.user!.id);
      expect(byId.data.user?.email).toBe(email);
      const updated = await admin.auth.admin.updateUserById(created.data.user!.id, { app_metadata: { plan: "gold" } });
      expect(updated.data.user?.app_metadata).toEqual({ provider: "email", providers: ["email"], plan: "gold" });

      const userToken = signIn.data.session!.access_token;
      const forbidden = await raw("/admin/users", { headers: { authorization: `Bearer ${userToken}` } });
      expect(forbidden.status).toBe(403);
      const anon = createAuthClient();
      expect((await anon.auth.admin.listUsers()).error).toMatchObject({ status: 403, code: "not_admin" });

      const deleted = await admin.auth.admin.deleteUser(created.data.user!.id);
      expect(deleted.error).toBeNull();
      expect((await admin.auth.admin.getUserById(created.data.user!.id)).error).toMatchObject({
        status: 404,
        code: "user_not_found",
      });
      expect(
        (await createAuthClient().auth.signInWithPassword({ email, password: "admin-set-password" })).error,
      ).toMatchObject({ code: "invalid_credentials" });
    });
  });

  describe("JWKS and @supabase/ssr", () => {
    it("serves an empty JWKS for the HS256 project", async () => {
      const res = await raw("/.well-known/jwks.json");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(fixtures.jwksResponse);
    });

    it("createServerClient takes the same transport and signs in through the emulator", async () => {
      const email = uniqueEmail("ssr");
      await createAuthClient().auth.signUp({ email, password: "correct horse" });
      const jar = new Map<string, string>();
      const transport = authTransport();
      const server = createServerClient(transport.url, transport.key, {
        ...sdkTransportOptions(transport),
        cookies: {
          getAll: () => [...jar].map(([name, value]) => ({ name, value })),
          setAll: (cookies) => {
            for (const c of cookies) jar.set(c.name, c.value);
          },
        },
      });
      const { data, error } = await server.auth.signInWithPassword({ email, password: "correct horse" });
      expect(error).toBeNull();
      expect(data.user?.email).toBe(email);
      expect([...jar.keys()].some((k) => k.startsWith("sb-localhost-auth-token"))).toBe(true);
    });
  });
});
