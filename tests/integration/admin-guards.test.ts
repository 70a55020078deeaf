import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { clock } from "@/lib/clock";
import { queryRows } from "@/server/db/client";
import { proxy } from "@/proxy";
import { AUTH_COOKIE, createSessionClient } from "@/server/auth/session";
import { HOUR, holdOk, newService } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectProblem, type RouteHandler } from "../helpers/http";
import { signedInAs, type SignedIn, type TestRole } from "../helpers/auth";
import { APP_DIR as APP, entries, HTTP_METHODS as METHODS, type Entry } from "../helpers/route-files";

/**
 * The first two guard depths for the staff area, for every route and page that exists when the test runs (files are
 * enumerated, so a new route or page is covered without touching this file):
 *   /api/admin/**  route.ts handlers: 401 without a session, 403 for customers, 403 for staff on admin-only routes,
 *                  403 for a cookie-authenticated write from another site, and nothing in the database changes; the
 *                  proxy answers 401 / 403 in front of them too.
 *   /manage/**, /account/**  page.tsx: the proxy redirects a visitor without a session to sign-in, sends a customer
 *                  on /manage to /forbidden, refreshes an expired session, and treats a tampered cookie as signed out;
 *                  each page (or a layout above it) calls requirePageRole as the second guard.
 * RLS, the third depth, is tests/integration/rls-matrix.test.ts.
 */

/** Admin-only areas of the admin API (users and roles); keep in step with `roles: ["admin"]` in those routes. */
const ADMIN_ONLY_API = ["/api/admin/users"];
/** Admin-only /manage pages: their page (or a layout above it) must call requirePageRole with admins only. */
const ADMIN_ONLY_PAGES = ["/manage/users"];
const within = (url: string, prefixes: string[]) => prefixes.some((p) => url === p || url.startsWith(`${p}/`));

type Jar = Map<string, string>;

/** Signs in through @supabase/ssr exactly as the sign-in action does, keeping the session cookies it writes. */
async function sessionJar(email: string, password = "correct horse battery"): Promise<Jar> {
  const jar: Jar = new Map();
  const client = createSessionClient({
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    setAll: (cookies) => {
      for (const c of cookies) {
        if (c.value) jar.set(c.name, c.value);
        else jar.delete(c.name);
      }
    },
  });
  const { error } = await client.auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  expect(jar.size).toBeGreaterThan(0);
  return jar;
}

const cookieHeader = (jar: Jar) => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

/** The same session with claims in its access token rewritten and the signature kept: what a forger would send. */
function tamperSession(jar: Jar, claims: Record<string, unknown>): Jar {
  const chunk = (name: string) => (name === AUTH_COOKIE ? -1 : Number(name.slice(AUTH_COOKIE.length + 1)));
  const raw = [...jar]
    .filter(([name]) => name === AUTH_COOKIE || name.startsWith(`${AUTH_COOKIE}.`))
    .sort(([a], [b]) => chunk(a) - chunk(b))
    .map(([, value]) => value)
    .join("");
  const fromB64 = (text: string) =>
    JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
  const toB64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const session = fromB64(raw.replace(/^base64-/, ""));
  const [header, payload = "", signature] = String(session.access_token).split(".");
  session.access_token = [header, toB64({ ...fromB64(payload), ...claims }), signature].join(".");
  return new Map([[AUTH_COOKIE, `base64-${toB64(session)}`]]);
}

describeEachDatabase("admin guards", (ctx) => {
  const people = {} as Record<TestRole, SignedIn>;
  const jars = {} as Record<TestRole, Jar>;
  let expiredStaffToken = "";
  const known: Record<string, string> = {};

  /** A real row's id where the parent folder names one (a missing guard would then act on it), else a random uuid. */
  const paramValue = (parent: string, name: string) =>
    known[parent] ?? (name === "code" ? "ABCD2345" : crypto.randomUUID());
  const pages = () => {
    const found = ["manage", "account"].flatMap((area) => entries(area, /^page\.(tsx|ts|jsx|js)$/, paramValue));
    // The area roots are guarded whether or not their page exists yet.
    for (const root of ["/manage", "/account"])
      if (!found.some((p) => p.url === root)) found.push({ file: "", url: root, params: {} });
    return found;
  };
  type Call = Entry & { method: string; handler: RouteHandler; label: string; adminOnly: boolean; unsafe: boolean };
  const apiCalls = async (): Promise<Call[]> => {
    const calls: Call[] = [];
    for (const route of entries("api/admin", /^route\.(ts|js)$/, paramValue)) {
      const mod = (await import(/* @vite-ignore */ route.file)) as Record<string, unknown>;
      const methods = METHODS.filter((m) => typeof mod[m] === "function");
      expect(methods.length, `${route.url} exports no HTTP method`).toBeGreaterThan(0);
      for (const method of methods) {
        const [adminOnly, unsafe] = [within(route.url, ADMIN_ONLY_API), !["GET", "HEAD", "OPTIONS"].includes(method)];
        calls.push({
          ...route,
          method,
          handler: mod[method] as RouteHandler,
          label: `${method} ${route.url}`,
          adminOnly,
          unsafe,
        });
      }
    }
    return calls;
  };

  beforeAll(async () => {
    for (const role of ["user", "staff", "admin"] as const) {
      people[role] = await signedInAs(ctx.db, role);
      jars[role] = await sessionJar(people[role].email);
    }
    clock.set(new Date(Date.now() - 2 * HOUR));
    expiredStaffToken = (await signedInAs(ctx.db, "staff")).token;
    clock.reset();

    const service = await newService(ctx.db, { priceAmount: 0 });
    const slot = await insertSlot(ctx.db, {
      serviceId: service.id,
      startsAt: new Date(Date.now() + 10 * 24 * HOUR),
      capacity: 5,
    });
    const held = await holdOk(slot.id);
    const id = async (statement: SQL) => (await queryRows<{ id: string }>(ctx.db, statement))[0]?.id;
    const rule = await id(
      sql`insert into slot_rules (service_id, weekday, start_time) values (${service.id}::uuid, 1, '10:00') returning id::text as id`,
    );
    const event = await id(sql`insert into webhook_events (provider, event_id, type, payload)
      values ('stripe', 'evt_guard', 'checkout.session.completed', '{}'::jsonb) returning id::text as id`);
    const notification = await id(sql`select id::text as id from notifications limit 1`);
    const ids = {
      reservations: held.reservation.id,
      slots: slot.id,
      services: service.id,
      "slot-rules": rule,
      rules: rule,
      webhooks: event,
    };
    for (const [parent, value] of Object.entries({
      ...ids,
      "webhook-events": event,
      notifications: notification,
      users: people.user.userId,
    })) {
      if (value) known[parent] = value;
    }
  });

  /** Every row of every table in public and auth, hashed: equal before and after means nothing changed. */
  const fingerprint = async () => {
    const digests: Record<string, string | undefined> = {};
    const tables = await queryRows<{ name: string }>(
      ctx.db,
      sql`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'auth')`,
    );
    for (const { name } of tables) {
      const digest = sql`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.raw(name)} t`;
      digests[name] = (await queryRows<{ digest: string }>(ctx.db, digest))[0]?.digest;
    }
    return digests;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const sameSite = { "sec-fetch-site": "same-origin" };

  describe("every /api/admin route handler", () => {
    it("answers 401, or 403 for the wrong role or another site, before doing anything", async () => {
      const calls = await apiCalls();
      expect(calls.map((c) => c.label)).toContain("GET /api/admin/reservations");
      const before = await fingerprint();
      for (const call of calls) {
        const cases: [string, Record<string, string>, 401 | 403][] = [
          ["no session", {}, 401],
          ["a malformed token", bearer("not-a-jwt"), 401],
          ["an expired staff token", bearer(expiredStaffToken), 401],
          [
            "a customer's cookie rewritten to claim admin",
            { cookie: cookieHeader(tamperSession(jars.user, { user_role: "admin" })), ...sameSite },
            401,
          ],
          ["a customer's token", bearer(people.user.token), 403],
          ["a customer's cookie", { cookie: cookieHeader(jars.user), ...sameSite }, 403],
        ];
        if (call.adminOnly) cases.push(["a staff token on an admin-only route", bearer(people.staff.token), 403]);
        if (call.unsafe)
          cases.push([
            "an admin's cookie sent from another site",
            { cookie: cookieHeader(jars.admin), "sec-fetch-site": "cross-site" },
            403,
          ]);
        for (const [what, headers, status] of cases) {
          // A body that a write would accept: only the guard stands between it and a change.
          const res = await callRoute(call.handler, call.url, {
            method: call.method,
            headers,
            params: call.params,
            ...(call.unsafe ? { json: { reason: "guard test" } } : {}),
          });
          await expectProblem(res, status, status === 401 ? "unauthorized" : "forbidden").catch(
            rethrowAs(`${call.label} with ${what}`),
          );
        }
      }
      expect(await fingerprint()).toEqual(before);
    });

    it("lets staff through on staff routes and admins through everywhere (so ADMIN_ONLY_API is in step)", async () => {
      for (const call of (await apiCalls()).filter((c) => c.method !== "HEAD" && c.method !== "OPTIONS")) {
        for (const role of ["staff", "admin"] as const) {
          // Without a body a write stops at validation; the guard's verdict is what matters here.
          const res = await callRoute(call.handler, call.url, {
            method: call.method,
            headers: bearer(people[role].token),
            params: call.params,
          });
          await res.body?.cancel();
          const outcome =
            [401, 403].includes(res.status) || res.status >= 500 ? String(res.status) : "through the guard";
          expect(outcome, `${call.label} as ${role}`).toBe(
            role === "staff" && call.adminOnly ? "403" : "through the guard",
          );
        }
      }
    });

    it("is fronted by the proxy: 401 without a session, 403 for customers, through for staff", async () => {
      for (const { url } of await apiCalls()) {
        const at = (headers: Record<string, string>) =>
          proxy(new NextRequest(new URL(url, "http://localhost"), { headers }));
        await expectProblem(await at({}), 401, "unauthorized").catch(
          rethrowAs(`${url} via the proxy without a session`),
        );
        await expectProblem(await at(bearer(people.user.token)), 403, "forbidden").catch(
          rethrowAs(`${url} via the proxy, customer token`),
        );
        await expectProblem(await at({ cookie: cookieHeader(jars.user) }), 403, "forbidden").catch(
          rethrowAs(`${url} via the proxy, customer cookie`),
        );
        expect((await at(bearer(people.staff.token))).headers.get("x-middleware-next"), url).toBe("1");
      }
    });
  });

  describe("every /manage and /account page", () => {
    const visit = (url: string, jar?: Jar) =>
      proxy(new NextRequest(new URL(url, "http://localhost"), { headers: jar ? { cookie: cookieHeader(jar) } : {} }));
    const passes = (res: Response) => res.status === 200 && res.headers.get("x-middleware-next") === "1";

    it("sends a visitor without a session to sign-in, and back afterwards", async () => {
      for (const url of pages().flatMap((p) => [p.url, `${p.url}?page=2`])) {
        const res = await visit(url);
        const location = new URL(res.headers.get("location") ?? "", "http://localhost");
        expect({ status: res.status, path: location.pathname, next: location.searchParams.get("next") }, url).toEqual({
          status: 303,
          path: "/sign-in",
          next: url,
        });
      }
    });

    it("answers 403 to a customer on /manage and lets them into /account; staff and admins get both", async () => {
      for (const { url } of pages()) {
        const asCustomer = await visit(url, jars.user);
        if (within(url, ["/manage"])) {
          expect({ status: asCustomer.status, location: asCustomer.headers.get("location") }, url).toEqual({
            status: 303,
            location: "http://localhost/forbidden",
          });
        } else {
          expect(passes(asCustomer), url).toBe(true);
        }
        expect(passes(await visit(url, jars.staff)), `${url} as staff`).toBe(true);
        expect(passes(await visit(url, jars.admin)), `${url} as admin`).toBe(true);
      }
    });

    it("treats a tampered or unreadable session cookie as signed out", async () => {
      // @supabase/ssr warns about the unreadable one; that warning is expected here.
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        for (const jar of [
          tamperSession(jars.user, { user_role: "staff" }),
          new Map([[AUTH_COOKIE, "base64-bm90IGpzb24"]]),
        ]) {
          const res = await visit("/manage/reservations", jar);
          expect({ status: res.status, location: res.headers.get("location") }).toEqual({
            status: 303,
            location: "http://localhost/sign-in?next=%2Fmanage%2Freservations",
          });
        }
      } finally {
        warn.mockRestore();
      }
    });

    it("refreshes an expired access token with the refresh token and lets staff through", async () => {
      clock.set(new Date(Date.now() - 2 * HOUR));
      const stale = await sessionJar(people.staff.email);
      clock.reset();
      const res = await visit("/manage", stale);
      expect(passes(res)).toBe(true);
      const renewed = res.cookies.getAll().filter((c) => c.name.startsWith(AUTH_COOKIE) && c.value);
      expect(renewed.length).toBeGreaterThan(0);
      expect(renewed.map((c) => c.value)).not.toEqual([...stale.values()]);
      // The page behind the proxy reads the new session from its request's cookies.
      expect(res.headers.get("x-middleware-request-cookie")).toContain(renewed[0]!.value);
    });

    it("has the page-level guard too: requirePageRole in the page or a layout above it (admins only under users)", () => {
      const read = (file: string) => (existsSync(file) ? [readFileSync(file, "utf8")] : []);
      for (const page of pages().filter((p) => p.file)) {
        const layouts: string[] = [];
        for (let dir = path.dirname(page.file); dir.startsWith(APP) && dir !== APP; dir = path.dirname(dir))
          layouts.push(path.join(dir, "layout.tsx"));
        const sources = [page.file, ...layouts].flatMap(read);
        expect(
          sources.some((s) => /requirePageRole\(/.test(s)),
          `${page.url} calls requirePageRole`,
        ).toBe(true);
        if (within(page.url, ADMIN_ONLY_PAGES)) {
          expect(
            sources.some((s) => /requirePageRole\(\s*(\[\s*"admin"\s*\]|ADMIN_ROLES)/.test(s)),
            `${page.url} is admin-only`,
          ).toBe(true);
        }
      }
      expect(readFileSync(path.join(APP, "manage/layout.tsx"), "utf8")).toMatch(/requirePageRole\(\s*STAFF_ROLES/);
    });
  });
});

function rethrowAs(what: string): (error: unknown) => never {
  return (error) => {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };
}
