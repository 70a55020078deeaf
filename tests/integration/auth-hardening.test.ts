import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as confirmRoute } from "@/app/auth/confirm/route";
import { GET as adminReservations } from "@/app/api/admin/reservations/route";
import { signOut } from "@/server/auth/sign-out";
import {
  sendSignInCode,
  signInWithPassword,
  signUp,
  verifySignInCode,
  type AuthFormState,
} from "@/server/auth/actions";
import { proxy } from "@/proxy";
import { createAuthClient } from "@/server/auth/client";
import { authenticate, requireRole, sameOrigin } from "@/server/auth/guard";
import { readSession, refreshSession } from "@/server/auth/session";
import { queryRows } from "@/server/db/client";
import { migrationsFolder, readJournal, runMigrations } from "@/server/db/migrate";
import { clearAuthMessages, lastAuthMessage } from "@/server/emulators/supabase-auth/messages";
import { tokenHashOf } from "@/server/emulators/supabase-auth/store";
import { resetRateLimitsForTests } from "@/server/security/rate-limit";
import { RULE_NAMES, type RuleName } from "@/server/security/rate-limit-rules";
import { bearer, memoryJar, sessionCookieFor, signedInAs } from "../helpers/auth";
import { createTestDatabase, describeEachDatabase } from "../helpers/db";
import { mocksOffEnv, setEnv } from "../helpers/env";
import { apiRequest, callRoute, expectProblem } from "../helpers/http";

/**
 * Issue 11, sign-in hardening: every finding retried as the attacker did it.
 *   - a six-digit code guessed through the code form or /auth/confirm (codes die after 5 wrong guesses; both paths are
 *     limited per client address and per address or token hash; /auth/confirm answers 429 with a page);
 *   - passwords guessed 200 times (per-account lockout that refuses even the right password; per-IP limit);
 *   - sign-up and code sending unthrottled; account enumeration through codes and sign-up;
 *   - a signed-out session's access token and cookie still working; the same-origin check ignoring the scheme.
 * Server actions run as Next.js runs them, with next/headers standing in for the request (cookies, client address).
 */

const request = vi.hoisted(() => ({ ip: "203.0.113.10", cookies: new Map<string, string>() }));

vi.mock("next/headers", () => ({
  cookies: async () => ({
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name) } : undefined),
    set: (name: string, value: string) =>
      void (value ? request.cookies.set(name, value) : request.cookies.delete(name)),
    delete: (name: string) => void request.cookies.delete(name),
  }),
  headers: async () => new Headers({ "x-forwarded-for": request.ip }),
}));
vi.mock("@/i18n/current-locale", () => ({ getCurrentLocale: async () => "ja" }));

const PASSWORD = "correct horse battery";

/** RATE_LIMITS with the given rules set and every other rule out of the way. */
function limits(rules: Partial<Record<RuleName, string>>): () => void {
  resetRateLimitsForTests();
  return setEnv({ RATE_LIMITS: RULE_NAMES.map((rule) => `${rule}=${rules[rule] ?? "1000000/60"}`).join(",") });
}

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

/** An action's answer: its form state, or where it redirected (a successful sign-in). */
async function act(action: Promise<AuthFormState>): Promise<AuthFormState | { redirectedTo: string }> {
  try {
    return await action;
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;"))
      return { redirectedTo: digest.split(";")[2] ?? "" };
    throw error;
  }
}

const wrongCode = (code: string, n = 0) => String((Number(code) + 1 + n) % 1_000_000).padStart(6, "0");
const hasSessionCookie = () =>
  [...request.cookies.keys()].some((name) => name.startsWith("sb-") && !name.endsWith("code-verifier"));
const confirmPath = (tokenHash: string, extra = "") => `/auth/confirm?type=email&token_hash=${tokenHash}${extra}`;
const confirmFrom = (ip: string, tokenHash: string, extra = "", headers: Record<string, string> = {}) =>
  callRoute(confirmRoute, confirmPath(tokenHash, extra), { headers: { "x-forwarded-for": ip, ...headers } });

async function emailedCode(email: string): Promise<{ code: string; tokenHash: string }> {
  const message = lastAuthMessage(email);
  expect(message, `a sign-in email to ${email}`).toBeDefined();
  return { code: message!.token, tokenHash: message!.tokenHash };
}

describeEachDatabase("auth hardening (issue 11)", (ctx) => {
  let restoreEnv: () => void = () => {};

  beforeEach(() => {
    request.ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    request.cookies.clear();
    clearAuthMessages();
    resetRateLimitsForTests();
  });
  afterEach(() => {
    restoreEnv();
    restoreEnv = () => {};
    resetRateLimitsForTests();
  });

  const sessionsOf = async (userId: string) =>
    (
      await queryRows<{ n: number }>(
        ctx.db,
        sql`select count(*)::int as n from auth.sessions where user_id = ${userId}::uuid`,
      )
    )[0]!.n;

  describe("one-time codes", () => {
    it("the Auth emulator kills a code after 5 wrong guesses: the right code then fails like a wrong one", async () => {
      const who = await signedInAs(ctx.db, "admin");
      const auth = createAuthClient();
      expect(
        (await auth.auth.signInWithOtp({ email: who.email, options: { shouldCreateUser: false } })).error,
      ).toBeNull();
      const { code } = await emailedCode(who.email);
      for (let i = 0; i < 5; i++) {
        const wrong = await createAuthClient().auth.verifyOtp({
          email: who.email,
          token: wrongCode(code, i),
          type: "email",
        });
        expect(wrong.error).toMatchObject({
          status: 403,
          code: "otp_expired",
          message: "Token has expired or is invalid",
        });
      }
      const right = await createAuthClient().auth.verifyOtp({ email: who.email, token: code, type: "email" });
      expect(right.error).toMatchObject({ status: 403, code: "otp_expired" });
      expect(right.data.session).toBeNull();
      const [row] = await queryRows<{ failed_attempts: number; used: boolean }>(
        ctx.db,
        sql`select failed_attempts, used_at is not null as used from auth_emulator.one_time_tokens t
              join auth.users u on u.id = t.user_id where u.email = ${who.email}`,
      );
      expect(row).toEqual({ failed_attempts: 5, used: true });
    });

    it("4 wrong guesses leave the code working (the limit is 5, not fewer)", async () => {
      const who = await signedInAs(ctx.db, "user");
      await createAuthClient().auth.signInWithOtp({ email: who.email, options: { shouldCreateUser: false } });
      const { code } = await emailedCode(who.email);
      for (let i = 0; i < 4; i++) {
        expect(
          (await createAuthClient().auth.verifyOtp({ email: who.email, token: wrongCode(code, i), type: "email" }))
            .error,
        ).toMatchObject({ code: "otp_expired" });
      }
      const right = await createAuthClient().auth.verifyOtp({ email: who.email, token: code, type: "email" });
      expect(right.error).toBeNull();
      expect(right.data.session?.user.email).toBe(who.email);
    });

    it("the code form: 6 wrong codes then the right one is refused for 15 minutes, per address whatever the IP", async () => {
      restoreEnv = limits({ "signin.code_verify.email": "5/900", "signin.code_verify.ip": "20/900" });
      const who = await signedInAs(ctx.db, "user");
      expect(await act(sendSignInCode({}, form({ email: who.email })))).toEqual({ codeSentTo: who.email });
      const { code } = await emailedCode(who.email);
      const answers: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        request.ip = `198.51.100.${i + 1}`; // spread over addresses: the per-address limit still holds
        answers.push(await act(verifySignInCode({}, form({ email: who.email, code: wrongCode(code, i) }))));
      }
      expect(answers.slice(0, 5)).toEqual(
        Array(5).fill({ error: "otp_expired", field: "code", codeSentTo: who.email }),
      );
      expect(answers[5]).toEqual({
        error: "rate_limited",
        retryAfterMinutes: 15,
        field: "code",
        codeSentTo: who.email,
      });
      const right = await act(verifySignInCode({}, form({ email: who.email, code })));
      expect(right).toEqual({ error: "rate_limited", retryAfterMinutes: 15, field: "code", codeSentTo: who.email });
      expect(hasSessionCookie()).toBe(false);
    });

    it("the code form is limited per client address across addresses", async () => {
      restoreEnv = limits({ "signin.code_verify.ip": "3/900" });
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(await act(verifySignInCode({}, form({ email: `nobody-${i}@example.com`, code: "123456" }))));
      expect(answers.slice(0, 3).map((a) => (a as AuthFormState).error)).toEqual([
        "otp_expired",
        "otp_expired",
        "otp_expired",
      ]);
      expect(answers[3]).toMatchObject({ error: "rate_limited", retryAfterMinutes: 15 });
      request.ip = "198.51.100.200";
      expect(await act(verifySignInCode({}, form({ email: "nobody-9@example.com", code: "123456" })))).toMatchObject({
        error: "otp_expired",
      });
    });

    it("/auth/confirm: 100 guessed token hashes at once from one client get 20 tries, then 429 pages; the right link too", async () => {
      restoreEnv = limits({ "signin.code_verify.ip": "20/900", "signin.code_verify.email": "5/900" });
      const who = await signedInAs(ctx.db, "admin");
      await createAuthClient().auth.signInWithOtp({ email: who.email, options: { shouldCreateUser: false } });
      const { code, tokenHash } = await emailedCode(who.email);
      const guesses = Array.from({ length: 100 }, (_, i) => tokenHashOf(who.email, wrongCode(code, i)));
      const answers = await Promise.all(guesses.map((hash) => confirmFrom("192.0.2.7", hash)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 303)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(80);
      for (const r of answers.filter((a) => a.status === 303))
        expect(r.headers.get("location")).toMatch(/\/sign-in\?error=link_invalid$/);

      const right = await confirmFrom("192.0.2.7", tokenHash);
      expect(right.status).toBe(429);
      expect(right.headers.getSetCookie()).toEqual([]);
      expect(right.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(right.headers.get("cache-control")).toBe("no-store");
      expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(800);
      expect(Number(right.headers.get("retry-after"))).toBeLessThanOrEqual(900);
      expect(right.headers.get("ratelimit-policy")).toContain('"signin.code_verify.ip";q=20;w=900');
      const page = await right.text();
      expect(page).toContain('<html lang="ja">');
      expect(page).toContain("<h1>試行回数が多すぎます</h1>");
      expect(page).toMatch(/1[45]分後にもう一度お試しください。/);
      expect(page).toContain('<a href="/sign-in">');

      // The right link from another client still signs in: the guesses did not burn the person's link.
      const elsewhere = await confirmFrom("192.0.2.8", tokenHash, "&next=%2Fmanage");
      expect(elsewhere.status).toBe(303);
      expect(new URL(elsewhere.headers.get("location")!).pathname).toBe("/manage");
    });

    it("/auth/confirm limits each token hash too, and speaks English by the link's locale or the cookie", async () => {
      restoreEnv = limits({ "signin.code_verify.email": "5/900" });
      const hash = tokenHashOf("someone@example.com", "123456");
      for (let i = 0; i < 5; i++) expect((await confirmFrom(`192.0.2.${20 + i}`, hash)).status).toBe(303);
      const byLink = await confirmFrom("192.0.2.30", hash, "&locale=en");
      expect(byLink.status).toBe(429);
      const english = await byLink.text();
      expect(english).toContain('<html lang="en">');
      expect(english).toMatch(/<h1>Too many attempts<\/h1>/);
      expect(english).toMatch(/try again in 1[45] minutes\./);
      const byCookie = await confirmFrom("192.0.2.31", hash, "", { cookie: "NEXT_LOCALE=en" });
      expect(byCookie.status).toBe(429);
      expect(byCookie.headers.get("content-language")).toBe("en");
    });
  });

  describe("passwords", () => {
    it("200 wrong passwords lock the account; then the right password is refused the same way, with when to retry", async () => {
      restoreEnv = limits({ "signin.password.account": "5/86400" });
      const who = await signedInAs(ctx.db, "admin");
      const answers: AuthFormState[] = [];
      for (let i = 0; i < 200; i++)
        answers.push(
          (await act(signInWithPassword({}, form({ email: who.email, password: `guess-${i}` })))) as AuthFormState,
        );
      const wrong = { error: "invalid_credentials", field: "password", values: { email: who.email } };
      const locked = { error: "rate_limited", retryAfterMinutes: 1, field: "password", values: { email: who.email } };
      expect(answers.slice(0, 4)).toEqual(Array(4).fill(wrong));
      expect(answers.slice(4)).toEqual(Array(196).fill(locked));

      const right = await act(signInWithPassword({}, form({ email: who.email, password: PASSWORD })));
      expect(right).toEqual(locked);
      expect(hasSessionCookie()).toBe(false);
      expect(await sessionsOf(who.userId)).toBe(1); // only signedInAs's own session
    });

    it("the lockout ends: the right password then signs in and clears the failures; the next lockout is longer", async () => {
      restoreEnv = limits({ "signin.password.account": "2/86400" });
      const who = await signedInAs(ctx.db, "user");
      const attempt = (password: string) => act(signInWithPassword({}, form({ email: who.email, password })));
      expect(await attempt("wrong-1")).toMatchObject({ error: "invalid_credentials" });
      expect(await attempt("wrong-2")).toMatchObject({ error: "rate_limited", retryAfterMinutes: 1 });
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
      try {
        expect(await attempt("wrong-3")).toMatchObject({ error: "rate_limited", retryAfterMinutes: 2 });
        vi.setSystemTime(Date.now() + 121_000);
        expect(await attempt(PASSWORD)).toEqual({ redirectedTo: "/account" });
        request.cookies.clear();
        expect(await attempt("wrong-4")).toMatchObject({ error: "invalid_credentials" });
      } finally {
        vi.useRealTimers();
      }
    });

    it("known and unknown addresses get identical answers, lock out alike and take similar time", async () => {
      restoreEnv = limits({ "signin.password.account": "5/86400" });
      const who = await signedInAs(ctx.db, "user");
      const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const run = async (email: string) => {
        const answers = [];
        const started = performance.now();
        for (let i = 0; i < 6; i++) {
          const answer = (await act(signInWithPassword({}, form({ email, password: `guess-${i}` })))) as AuthFormState;
          answers.push({ ...answer, values: undefined });
        }
        return { answers, ms: performance.now() - started };
      };
      const known = await run(who.email);
      const nobody = await run(unknown);
      expect(nobody.answers).toEqual(known.answers);
      expect(known.answers.at(-1)).toMatchObject({ error: "rate_limited" });
      // Auth compares a bcrypt hash for unknown addresses too; the bound is loose on purpose (shared CI machines).
      expect(nobody.ms / known.ms).toBeGreaterThan(0.33);
      expect(nobody.ms / known.ms).toBeLessThan(3);
    });

    it("password attempts are limited per client address, whatever the account", async () => {
      restoreEnv = limits({ "signin.password.ip": "3/900" });
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(await act(signInWithPassword({}, form({ email: `p${i}@example.com`, password: "whatever-1" }))));
      expect(answers.slice(0, 3).map((a) => (a as AuthFormState).error)).toEqual(Array(3).fill("invalid_credentials"));
      expect(answers[3]).toMatchObject({ error: "rate_limited", retryAfterMinutes: 15 });
    });
  });

  describe("sign-up and code sending", () => {
    it("sign-up is limited per client address", async () => {
      restoreEnv = limits({ "signup.ip": "2/3600" });
      const attempt = () =>
        act(
          signUp(
            {},
            form({
              name: "花子",
              email: `s-${crypto.randomUUID().slice(0, 8)}@example.com`,
              password: "a long enough password",
            }),
          ),
        );
      expect(await attempt()).toEqual({ notice: "confirm_email" });
      expect(await attempt()).toEqual({ notice: "confirm_email" });
      expect(await attempt()).toMatchObject({ error: "rate_limited", retryAfterMinutes: 60, field: "email" });
    });

    it("code sending is limited per client address and per address", async () => {
      restoreEnv = limits({ "signin.code_send.email": "2/3600", "signin.code_send.ip": "4/3600" });
      const who = await signedInAs(ctx.db, "user");
      const send = (email: string) => act(sendSignInCode({}, form({ email })));
      expect(await send(who.email)).toEqual({ codeSentTo: who.email });
      expect(await send(who.email)).toEqual({ codeSentTo: who.email });
      expect(await send(who.email)).toMatchObject({ error: "rate_limited", retryAfterMinutes: 60 });
      expect(await send("other-1@example.com")).toEqual({ codeSentTo: "other-1@example.com" });
      expect(await send("other-2@example.com")).toMatchObject({ error: "rate_limited", retryAfterMinutes: 60 });
    });
  });

  describe("no account enumeration", () => {
    it("asking for a code answers the same for a known address, an unknown one, and a known one again within 60 s", async () => {
      const who = await signedInAs(ctx.db, "user");
      const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const known = await act(sendSignInCode({}, form({ email: who.email })));
      const again = await act(sendSignInCode({}, form({ email: who.email }))); // GoTrue refuses this one (60 s)
      const nobody = await act(sendSignInCode({}, form({ email: unknown })));
      expect(known).toEqual({ codeSentTo: who.email });
      expect(again).toEqual(known);
      expect(nobody).toEqual({ codeSentTo: unknown });
      expect(lastAuthMessage(unknown)).toBeUndefined();
    });

    it("sign-up answers the same for a new and a taken address and signs nobody in; each gets an email that finishes", async () => {
      const taken = await signedInAs(ctx.db, "user");
      const fresh = `new-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const answerNew = await act(signUp({}, form({ name: "新規", email: fresh, password: "a long enough password" })));
      expect(hasSessionCookie()).toBe(false);
      const answerTaken = await act(
        signUp({}, form({ name: "誰か", email: taken.email, password: "attacker password 1" })),
      );
      expect(hasSessionCookie()).toBe(false);
      expect(answerNew).toEqual({ notice: "confirm_email" });
      expect(answerTaken).toEqual(answerNew);

      // The new account exists, with no session left open by sign-up; its email's link signs in.
      const [created] = await queryRows<{ id: string }>(
        ctx.db,
        sql`select id::text as id from auth.users where email = ${fresh}`,
      );
      expect(await sessionsOf(created!.id)).toBe(0);
      const newLink = await emailedCode(fresh);
      const signedIn = await confirmFrom("192.0.2.50", newLink.tokenHash, "&next=%2Faccount");
      expect(signedIn.status).toBe(303);
      expect(new URL(signedIn.headers.get("location")!).pathname).toBe("/account");

      // The holder of the taken address gets a sign-in link; their password is untouched.
      expect(lastAuthMessage(taken.email)).toMatchObject({ type: "magiclink" });
      expect(
        (await createAuthClient().auth.signInWithPassword({ email: taken.email, password: PASSWORD })).error,
      ).toBeNull();
      expect(
        (await createAuthClient().auth.signInWithPassword({ email: taken.email, password: "attacker password 1" }))
          .error,
      ).toMatchObject({
        code: "invalid_credentials",
      });
    });
  });

  describe("sign-out revokes at once", () => {
    it("a signed-out bearer token gets 401 at once, though it has not expired", async () => {
      const who = await signedInAs(ctx.db, "admin");
      const headers = bearer(who);
      expect((await callRoute(adminReservations, "/api/admin/reservations", { headers })).status).toBe(200);
      expect((await createAuthClient().auth.admin.signOut(who.token, "local")).error).toBeNull();
      await expectProblem(
        await callRoute(adminReservations, "/api/admin/reservations", { headers }),
        401,
        "unauthorized",
      );
      await expect(authenticate(apiRequest("/api/admin/reservations", { headers }))).rejects.toMatchObject({
        code: "unauthorized",
      });
    });

    it("a signed-out session cookie is signed out everywhere: pages, proxy, admin API", async () => {
      const who = await signedInAs(ctx.db, "staff");
      const cookie = await sessionCookieFor(who.email);
      const jar = memoryJar(cookie);
      expect(await readSession(jar)).toMatchObject({ userId: who.userId, role: "staff" });
      expect(await refreshSession(memoryJar(cookie))).toMatchObject({ userId: who.userId });

      for (const [name, value] of jar.store) request.cookies.set(name, value);
      expect(await act(signOut() as Promise<never>)).toEqual({ redirectedTo: "/sign-in?signedOut=1" });
      expect(hasSessionCookie()).toBe(false);

      // The cookie as it was before signing out (a copy an attacker kept) no longer works anywhere.
      expect(await readSession(memoryJar(cookie))).toBeNull();
      expect(await refreshSession(memoryJar(cookie))).toBeNull();
      const page = await proxy(new NextRequest(new URL("/manage", "http://localhost"), { headers: { cookie } }));
      expect(page.status).toBe(303);
      expect(new URL(page.headers.get("location")!).pathname).toBe("/sign-in");
      // On /api/admin the proxy checks the token's claims only (still signed and unexpired here) and hands the request
      // on; adminRoute's one session-and-role read refuses it.
      const api = await proxy(
        new NextRequest(new URL("/api/admin/reservations", "http://localhost"), { headers: { cookie } }),
      );
      expect(api.headers.get("x-middleware-next")).toBe("1");
      await expectProblem(
        await callRoute(adminReservations, "/api/admin/reservations", { headers: { cookie } }),
        401,
        "unauthorized",
      );
    });

    it("another device's session survives a local sign-out; a global one ends it", async () => {
      const who = await signedInAs(ctx.db, "user");
      const other = createAuthClient();
      const second = (await other.auth.signInWithPassword({ email: who.email, password: PASSWORD })).data.session!;
      expect((await createAuthClient().auth.admin.signOut(who.token, "local")).error).toBeNull();
      const secondHeaders = { authorization: `Bearer ${second.access_token}` };
      expect(await authenticate(apiRequest("/api/x", { headers: secondHeaders }))).toMatchObject({
        userId: who.userId,
      });
      expect((await other.auth.signOut({ scope: "global" })).error).toBeNull();
      await expect(authenticate(apiRequest("/api/x", { headers: secondHeaders }))).rejects.toMatchObject({
        code: "unauthorized",
      });
      expect(await sessionsOf(who.userId)).toBe(0);
    });

    it("a staff member's check is one statement for session and role: a demotion still applies at once", async () => {
      await signedInAs(ctx.db, "admin"); // the database keeps at least one admin
      const who = await signedInAs(ctx.db, "admin");
      const req = () => apiRequest("/api/admin/users", { headers: bearer(who) });
      expect(await requireRole(req(), ["admin"])).toMatchObject({ role: "admin" });
      await ctx.db.execute(sql`update public.user_roles set role = 'staff' where user_id = ${who.userId}::uuid`);
      await expect(requireRole(req(), ["admin"])).rejects.toMatchObject({ code: "forbidden" });
      expect(await requireRole(req(), ["staff", "admin"])).toMatchObject({
        role: "staff",
        claims: { user_role: "staff" },
      });
    });

    it("auth.sessions has Supabase's columns and is out of reach of the API roles", async () => {
      const columns = await queryRows<{ column_name: string; data_type: string; is_nullable: string }>(
        ctx.db,
        sql`select column_name, data_type, is_nullable from information_schema.columns
             where table_schema = 'auth' and table_name = 'sessions' order by ordinal_position`,
      );
      expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
        ["id", "uuid"],
        ["user_id", "uuid"],
        ["created_at", "timestamp with time zone"],
        ["updated_at", "timestamp with time zone"],
        ["factor_id", "uuid"],
        ["aal", "USER-DEFINED"],
        ["not_after", "timestamp with time zone"],
        ["refreshed_at", "timestamp without time zone"],
        ["user_agent", "text"],
        ["ip", "inet"],
        ["tag", "text"],
      ]);
      const [grants] = await queryRows<Record<string, boolean>>(
        ctx.db,
        sql`select has_table_privilege('anon', 'auth.sessions', 'select') as anon,
                   has_table_privilege('authenticated', 'auth.sessions', 'select') as authenticated,
                   has_table_privilege('service_role', 'auth.sessions', 'select') as service_role`,
      );
      expect(grants).toEqual({ anon: false, authenticated: false, service_role: false });
    });

    it("migration 0008 carries the emulator's existing sessions over: their refresh tokens keep working", async () => {
      const journal = readJournal();
      const before = mkdtempSync(path.join(tmpdir(), "slotbook-migrations-"));
      const fresh = await createTestDatabase(ctx.kind, { migrated: false });
      try {
        cpSync(migrationsFolder, before, { recursive: true });
        const upTo = journal.findIndex((e) => e.tag === "0008_auth_sessions");
        writeFileSync(
          path.join(before, "meta", "_journal.json"),
          JSON.stringify({ version: "7", dialect: "postgresql", entries: journal.slice(0, upTo) }),
        );
        await runMigrations(fresh.handle, before);
        const db = fresh.handle.db;
        const [user] = await queryRows<{ id: string }>(
          db,
          sql`insert into auth.users (email, email_confirmed_at) values ('old@example.com', now()) returning id::text as id`,
        );
        const [session] = await queryRows<{ id: string }>(
          db,
          sql`insert into auth_emulator.sessions (user_id, amr) values (${user!.id}::uuid, '[{"method":"password","timestamp":1}]') returning id::text as id`,
        );
        await db.execute(
          sql`insert into auth_emulator.refresh_tokens (token, session_id, user_id) values ('old-refresh-token', ${session!.id}::uuid, ${user!.id}::uuid)`,
        );

        await runMigrations(fresh.handle);
        const [moved] = await queryRows<{ user_id: string; aal: string }>(
          db,
          sql`select user_id::text as user_id, aal::text as aal from auth.sessions where id = ${session!.id}::uuid`,
        );
        expect(moved).toEqual({ user_id: user!.id, aal: "aal1" });
        await ctx.withDatabase(fresh.handle, async () => {
          const refreshed = await createAuthClient().auth.refreshSession({ refresh_token: "old-refresh-token" });
          expect(refreshed.error).toBeNull();
          const claims = JSON.parse(
            Buffer.from(refreshed.data.session!.access_token.split(".")[1]!, "base64url").toString(),
          ) as Record<string, unknown>;
          expect(claims).toMatchObject({ session_id: session!.id, amr: [{ method: "password", timestamp: 1 }] });
          // And ending it there ends the refresh token too.
          await db.execute(sql`delete from auth.sessions where id = ${session!.id}::uuid`);
          const after = await createAuthClient().auth.refreshSession({
            refresh_token: refreshed.data.session!.refresh_token,
          });
          expect(after.error).toMatchObject({ code: "refresh_token_not_found" });
        });
      } finally {
        await fresh.dispose();
        rmSync(before, { recursive: true, force: true });
      }
    });
  });

  describe("same-origin check", () => {
    const check = (headers: Record<string, string>) => sameOrigin({ headers: new Headers(headers) });

    it("compares scheme, host and port with APP_BASE_URL, and ignores forwarded hosts", () => {
      restoreEnv = setEnv({ APP_BASE_URL: "https://book.example.com" });
      expect(check({ origin: "https://book.example.com" })).toBe(true);
      expect(check({ origin: "http://book.example.com" })).toBe(false);
      expect(check({ origin: "https://book.example.com:8443" })).toBe(false);
      expect(check({ origin: "https://book.example.com.evil.example" })).toBe(false);
      expect(check({ origin: "https://evil.example", host: "evil.example", "x-forwarded-host": "evil.example" })).toBe(
        false,
      );
      expect(check({ origin: "null" })).toBe(false);
      expect(check({})).toBe(false);
      expect(check({ "sec-fetch-site": "same-origin", origin: "https://evil.example" })).toBe(true);
      expect(check({ "sec-fetch-site": "same-site", origin: "https://book.example.com" })).toBe(false);
      // Loopback while mocks are allowed (npm run dev, tests)…
      expect(check({ origin: "http://localhost:3000" })).toBe(true);
      expect(check({ origin: "http://127.0.0.1:3000" })).toBe(true);
      expect(check({ origin: "http://[::1]:3000" })).toBe(true);
    });

    it("refuses loopback origins once mocks are off", () => {
      restoreEnv = setEnv(mocksOffEnv({ APP_BASE_URL: "https://book.example.com" }));
      expect(check({ origin: "http://localhost:3000" })).toBe(false);
      expect(check({ origin: "https://book.example.com" })).toBe(true);
    });

    it("a cookie-authenticated write with the right host but the wrong scheme is refused", async () => {
      restoreEnv = setEnv({ APP_BASE_URL: "https://book.example.com" });
      const who = await signedInAs(ctx.db, "staff");
      const cookie = await sessionCookieFor(who.email);
      const post = (origin: string) =>
        authenticate(
          apiRequest("/api/admin/anything", {
            method: "POST",
            json: {},
            headers: { cookie, origin, host: "book.example.com" },
          }),
        );
      await expect(post("http://book.example.com")).rejects.toMatchObject({ code: "forbidden" });
      await expect(post("https://book.example.com")).resolves.toMatchObject({ userId: who.userId });
    });
  });
});
