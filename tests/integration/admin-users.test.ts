import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/admin/users/[id]/revoke/route";
import { POST as roleRoute } from "@/app/api/admin/users/[id]/role/route";
import { GET as listRoute, POST as inviteRoute } from "@/app/api/admin/users/route";
import { GET as dashboardRoute } from "@/app/api/admin/dashboard/route";
import type { RoleChange, UserRow } from "@/server/admin/users";
import { setUserRole } from "@/server/admin/users";
import { createAuthClient } from "@/server/auth/client";
import { authContextFrom } from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";
import { queryRows } from "@/server/db/client";
import { lastAuthMessage } from "@/server/emulators/supabase-auth/emulator";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { describeEachDatabase } from "../helpers/db";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import { pgErrorOf } from "../helpers/pg-error";

type List = { users: UserRow[]; total: number; page: number; pageSize: number };

/**
 * Users and roles (admins only): the guards at every depth (route, RLS, the database's one-admin rule), grants and
 * revocations with their audit rows, inviting by email, and the last-admin rule on both databases. The concurrent
 * case (two admins demoting each other at once) is in admin-users-concurrency.test.ts (PostgreSQL only).
 */
describeEachDatabase("admin API: users and roles", (ctx) => {
  let admin: SignedIn, admin2: SignedIn, staff: SignedIn, customer: SignedIn, plain: SignedIn;
  const headers = (who: SignedIn | null, requestId = `req-users-${crypto.randomUUID()}`) => ({
    ...bearer(who),
    "x-request-id": requestId,
    "x-forwarded-for": "192.0.2.44",
  });
  const setRole = (userId: string, json: unknown, who: SignedIn | null = admin, requestId?: string) =>
    callRoute(roleRoute, `/api/admin/users/${userId}/role`, {
      method: "POST",
      params: { id: userId },
      json,
      headers: headers(who, requestId),
    });
  const revoke = (userId: string, json: unknown, who: SignedIn | null = admin, requestId?: string) =>
    callRoute(revokeRoute, `/api/admin/users/${userId}/revoke`, {
      method: "POST",
      params: { id: userId },
      json,
      headers: headers(who, requestId),
    });
  const invite = (json: unknown, who: SignedIn | null = admin) =>
    callRoute(inviteRoute, "/api/admin/users", { method: "POST", json, headers: headers(who) });
  const list = async (query: string, who: SignedIn = admin) =>
    expectJson<List>(await callRoute(listRoute, `/api/admin/users${query}`, { headers: bearer(who) }));
  const roleOf = async (userId: string) =>
    (await queryRows<{ role: string }>(ctx.db, sql`select role from user_roles where user_id = ${userId}::uuid`))[0]
      ?.role ?? "user";
  const state = async () => ({
    roles: await queryRows(ctx.db, sql`select user_id::text, role from user_roles order by user_id`),
    audit: (await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from audit_log`))[0]!.n,
    users: (await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from auth.users`))[0]!.n,
  });
  const freshToken = async (email: string) =>
    (await createAuthClient().auth.signInWithPassword({ email, password: "correct horse battery" })).data.session!
      .access_token;

  beforeAll(async () => {
    [admin, admin2, staff, customer, plain] = [
      await signedInAs(ctx.db, "admin"),
      await signedInAs(ctx.db, "admin"),
      await signedInAs(ctx.db, "staff"),
      await signedInAs(ctx.db, "user"),
      await signedInAs(ctx.db, "user"),
    ];
  });

  it("answers 401 without a session and 403 to customers and staff on every route; nothing changes", async () => {
    const before = await state();
    const good = { role: "staff", reason: "受付担当として採用" };
    for (const [who, status, code] of [
      [null, 401, "unauthorized"],
      [customer, 403, "forbidden"],
      [staff, 403, "forbidden"],
    ] as const) {
      await expectProblem(await callRoute(listRoute, "/api/admin/users", { headers: bearer(who) }), status, code);
      await expectProblem(await invite({ email: "someone@example.com", ...good }, who), status, code);
      await expectProblem(await setRole(plain.userId, good, who), status, code);
      await expectProblem(await revoke(admin2.userId, { reason: good.reason }, who), status, code);
    }
    expect(await state()).toEqual(before);
  });

  it("refuses a staff member even when the route is bypassed: RLS and the admin-only lock stop the verb", async () => {
    const auth = authContextFrom(await verifyAccessToken(staff.token));
    const before = await state();
    const error = await pgErrorOf(
      setUserRole({
        auth,
        actor: { kind: "user", id: staff.userId, role: "staff" },
        userId: plain.userId,
        role: "admin",
        reason: "直接呼び出し",
        requestId: "req-direct-0001",
      }),
    );
    expect(error.code).toBe("42501");
    expect(await state()).toEqual(before);
  });

  it("lists accounts with their roles (admins first), searches by email, filters by role and pages", async () => {
    const all = await list("?pageSize=100");
    expect(all.total).toBe(5);
    expect(all.users.slice(0, 2).map((u) => u.role)).toEqual(["admin", "admin"]);
    expect(all.users.find((u) => u.id === staff.userId)).toMatchObject({
      email: staff.email,
      role: "staff",
      lastSignInAt: expect.any(String),
    });
    expect(all.users.find((u) => u.id === customer.userId)).toMatchObject({
      role: "user",
      grantedBy: null,
      roleSince: null,
    });
    expect((await list(`?q=${staff.email.slice(0, 12).toUpperCase()}`)).users.map((u) => u.id)).toEqual([staff.userId]);
    expect((await list("?q=%25")).total).toBe(0);
    expect((await list("?role=user")).users.map((u) => u.id).sort()).toEqual([customer.userId, plain.userId].sort());
    const page2 = await list("?pageSize=2&page=2");
    expect(page2).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(page2.users.map((u) => u.id)).toEqual(all.users.slice(2, 4).map((u) => u.id));
    expect(await list("?pageSize=2&page=9")).toMatchObject({ users: [], total: 5 });
    await expectProblem(
      await callRoute(listRoute, "/api/admin/users?role=owner", { headers: bearer(admin) }),
      422,
      "validation_failed",
    );
  });

  it("grants, changes and revokes a role with audit rows; the new role reaches the next token, not the current one", async () => {
    const granted = await expectJson<{ change: RoleChange }>(
      await setRole(plain.userId, { role: "staff", reason: "受付担当として採用" }, admin, "req-grant-0000001"),
    );
    expect(granted.change).toEqual({
      userId: plain.userId,
      email: plain.email,
      before: "user",
      after: "staff",
      changed: true,
    });
    expect(
      await queryRows(ctx.db, sql`select role, granted_by::text from user_roles where user_id = ${plain.userId}::uuid`),
    ).toEqual([{ role: "staff", granted_by: admin.userId }]);
    // The token the person holds still says "user" until it is refreshed.
    await expectProblem(
      await callRoute(dashboardRoute, "/api/admin/dashboard", { headers: bearer(plain) }),
      403,
      "forbidden",
    );
    const refreshed = await freshToken(plain.email);
    expect(
      (await callRoute(dashboardRoute, "/api/admin/dashboard", { headers: { authorization: `Bearer ${refreshed}` } }))
        .status,
    ).toBe(200);

    const same = await expectJson<{ change: RoleChange }>(
      await setRole(plain.userId, { role: "staff", reason: "二重送信" }),
    );
    expect(same.change).toMatchObject({ before: "staff", after: "staff", changed: false });
    const promoted = await expectJson<{ change: RoleChange }>(
      await setRole(plain.userId, { role: "admin", reason: "店長に昇格" }, admin2, "req-grant-0000002"),
    );
    expect(promoted.change).toMatchObject({ before: "staff", after: "admin", changed: true });
    const revoked = await expectJson<{ change: RoleChange }>(
      await revoke(plain.userId, { reason: "退職のため" }, admin, "req-revoke-000001"),
    );
    expect(revoked.change).toMatchObject({ before: "admin", after: "user", changed: true });
    expect(await roleOf(plain.userId)).toBe("user");
    expect((await list(`?q=${plain.email}`)).users).toMatchObject([{ role: "user", grantedBy: null }]);

    const audit = await queryRows(
      ctx.db,
      sql`select actor_id::text, actor_role, action, entity_type, before, after, reason, request_id, ip from audit_log
           where entity_id = ${plain.userId} order by id`,
    );
    expect(audit).toEqual([
      {
        actor_id: admin.userId,
        actor_role: "admin",
        action: "role.granted",
        entity_type: "user",
        before: { role: "user" },
        after: { role: "staff", email: plain.email },
        reason: "受付担当として採用",
        request_id: "req-grant-0000001",
        ip: "192.0.2.44",
      },
      {
        actor_id: admin2.userId,
        actor_role: "admin",
        action: "role.granted",
        entity_type: "user",
        before: { role: "staff" },
        after: { role: "admin", email: plain.email },
        reason: "店長に昇格",
        request_id: "req-grant-0000002",
        ip: "192.0.2.44",
      },
      {
        actor_id: admin.userId,
        actor_role: "admin",
        action: "role.revoked",
        entity_type: "user",
        before: { role: "admin" },
        after: { role: "user", email: plain.email },
        reason: "退職のため",
        request_id: "req-revoke-000001",
        ip: "192.0.2.44",
      },
    ]);
  });

  it("rejects bad input and unknown people with problem+json and changes nothing", async () => {
    const before = await state();
    const checks: [Response, number, string][] = [
      [await setRole(customer.userId, { role: "owner", reason: "理由があります" }), 422, "validation_failed"],
      [await setRole(customer.userId, { role: "staff" }), 422, "validation_failed"],
      [await setRole(customer.userId, { role: "staff", reason: "  " }), 422, "validation_failed"],
      [await setRole("not-a-uuid", { role: "staff", reason: "理由があります" }), 422, "validation_failed"],
      [await setRole(crypto.randomUUID(), { role: "staff", reason: "理由があります" }), 404, "not_found"],
      [await revoke(customer.userId, {}), 422, "validation_failed"],
      [await invite({ email: "not an email", role: "staff", reason: "理由があります" }), 422, "validation_failed"],
      [await invite({ email: "x@example.com", role: "user", reason: "理由があります" }), 422, "validation_failed"],
      [await invite({ email: staff.email, role: "staff", reason: "既存の人" }), 409, "conflict"],
    ];
    for (const [res, status, code] of checks) await expectProblem(res, status, code);
    expect(await state()).toEqual(before);
  });

  it("invites a staff member by email: a confirmed account without a password, who signs in with a code as staff", async () => {
    const email = `new-staff-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const res = await expectJson<{ user: RoleChange }>(
      await invite({ email, role: "staff", reason: "新しい受付担当" }),
      201,
    );
    expect(res.user).toMatchObject({ email, before: "user", after: "staff", changed: true });
    expect(
      await queryRows(
        ctx.db,
        sql`select email, encrypted_password is null as no_password, email_confirmed_at is not null as confirmed from auth.users where id = ${res.user.userId}::uuid`,
      ),
    ).toEqual([{ email, no_password: true, confirmed: true }]);
    expect(await roleOf(res.user.userId)).toBe("staff");
    const [audit] = await queryRows(
      ctx.db,
      sql`select action, actor_id::text, after, reason from audit_log where entity_id = ${res.user.userId}`,
    );
    expect(audit).toEqual({
      action: "role.granted",
      actor_id: admin.userId,
      after: { role: "staff", email, invited: true },
      reason: "新しい受付担当",
    });

    const client = createAuthClient();
    expect((await client.auth.signInWithOtp({ email, options: { shouldCreateUser: false } })).error).toBeNull();
    const session = await client.auth.verifyOtp({ email, token: lastAuthMessage(email)!.token, type: "email" });
    expect(session.error).toBeNull();
    expect((await verifyAccessToken(session.data.session!.access_token)).user_role).toBe("staff");
    await expectProblem(
      await invite({ email: email.toUpperCase(), role: "admin", reason: "二度目の招待" }),
      409,
      "conflict",
    );
  });

  it("always keeps one admin: the verb answers 409 and the database refuses any statement that removes the last one", async () => {
    await expectJson(await revoke(admin2.userId, { reason: "管理者を一人に減らす" }));
    const before = await state();
    const last = await expectProblem(await revoke(admin.userId, { reason: "自分を外す" }), 409, "conflict");
    expect(last.detail).toMatch(/at least one admin/i);
    await expectProblem(await setRole(admin.userId, { role: "staff", reason: "自分を降格" }), 409, "conflict");
    expect(await state()).toEqual(before);

    for (const statement of [
      sql`update user_roles set role = 'staff' where role = 'admin'`,
      sql`delete from user_roles where user_id = ${admin.userId}::uuid`,
      sql`delete from auth.users where id = ${admin.userId}::uuid`,
    ]) {
      expect(await pgErrorOf(ctx.db.execute(statement))).toMatchObject({
        code: "23514",
        message: expect.stringMatching(/at least one admin/i),
      });
    }
    expect(await state()).toEqual(before);
    // A second admin first, then the first may step down.
    await expectJson(await setRole(staff.userId, { role: "admin", reason: "後任の管理者" }));
    expect(
      (await expectJson<{ change: RoleChange }>(await revoke(admin.userId, { reason: "後任に引き継ぎ" }, admin)))
        .change,
    ).toMatchObject({ before: "admin", after: "user" });
    expect(await queryRows(ctx.db, sql`select user_id::text from user_roles where role = 'admin'`)).toEqual([
      { user_id: staff.userId },
    ]);
  });

  it("a demoted admin's still-valid token grants nothing: not the role back, not the admin screens, not RLS", async () => {
    const acting = await signedInAs(ctx.db, "admin");
    const former = await signedInAs(ctx.db, "admin");
    await expectJson(await revoke(former.userId, { reason: "退職のため" }, acting));
    // The token still says admin for up to an hour; the app and the database both ask user_roles instead.
    await expectProblem(
      await setRole(former.userId, { role: "admin", reason: "自分で戻す" }, former),
      403,
      "forbidden",
    );
    await expectProblem(await revoke(acting.userId, { reason: "仕返し" }, former), 403, "forbidden");
    await expectProblem(
      await callRoute(dashboardRoute, "/api/admin/dashboard", { headers: bearer(former) }),
      403,
      "forbidden",
    );
    const claims = authContextFrom(await verifyAccessToken(former.token)).claims;
    expect(claims.user_role).toBe("admin");
    const bypass = await setUserRole({
      auth: authContextFrom(await verifyAccessToken(former.token)),
      actor: { kind: "user", id: former.userId, role: "admin" },
      userId: former.userId,
      role: "admin",
      reason: "APIを通さずに",
      requestId: "req-bypass",
    }).catch((e: unknown) => e);
    expect(bypass).toBeInstanceOf(Error);
    expect(await roleOf(former.userId)).toBe("user");
  });
});
