import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { GET as listRoute } from "@/app/api/admin/reservations/route";
import type { AdminReservationRow } from "@/server/admin/reservations";
import { createAdminAuthClient, createAuthClient } from "@/server/auth/client";
import { HOUR, holdOk, newService } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

type ListBody = { reservations: AdminReservationRow[]; total: number; page: number; pageSize: number };

/** GET /api/admin/reservations: the role guard, RLS as the caller, search, filters, sort and pages. */
describeEachDatabase("admin API: reservation list", (ctx) => {
  const tokens: Record<"staff" | "admin" | "user", string> = { staff: "", admin: "", user: "" };
  let serviceId = "";
  const codes: string[] = [];

  const signedIn = async (role: "staff" | "admin" | "user") => {
    const email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const created = await createAdminAuthClient().auth.admin.createUser({
      email,
      password: "correct horse battery",
      email_confirm: true,
    });
    expect(created.error).toBeNull();
    if (role !== "user")
      await ctx.db.execute(
        sql`insert into public.user_roles (user_id, role) values (${created.data.user!.id}::uuid, ${role})`,
      );
    const session = await createAuthClient().auth.signInWithPassword({ email, password: "correct horse battery" });
    expect(session.error).toBeNull();
    return session.data.session!.access_token;
  };

  beforeAll(async () => {
    tokens.staff = await signedIn("staff");
    tokens.admin = await signedIn("admin");
    tokens.user = await signedIn("user");
    const service = await newService(ctx.db, { priceAmount: 0, nameJa: "管理テスト", nameEn: "Admin test" });
    serviceId = service.id;
    const base = Date.now() + 10 * 24 * HOUR;
    for (let i = 0; i < 7; i++) {
      const slot = await insertSlot(ctx.db, { serviceId, startsAt: new Date(base + i * HOUR), capacity: 5 });
      const held = await holdOk(slot.id, {
        customer: { name: `検索 太郎${i}`, email: `search${i}@example.com`, phone: `090-0000-100${i}` },
      });
      codes.push(held.reservation.code);
    }
  });

  const list = (query: string, token: string | null = tokens.staff) =>
    callRoute(listRoute, `/api/admin/reservations${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("answers 401 without or with a bad token, 403 to a customer, and 200 to staff and admins", async () => {
    await expectProblem(await list("", null), 401, "unauthorized");
    await expectProblem(await list("", "not-a-jwt"), 401, "unauthorized");
    await expectProblem(await list("", tokens.user), 403, "forbidden");
    // The role is checked before the query: a customer learns nothing from a malformed query either.
    await expectProblem(await list("?pageSize=abc", tokens.user), 403, "forbidden");
    expect((await expectJson<ListBody>(await list(`?serviceId=${serviceId}`))).total).toBe(7);
    expect((await expectJson<ListBody>(await list(`?serviceId=${serviceId}`, tokens.admin))).total).toBe(7);
  });

  it("searches by code, email, name and phone digits", async () => {
    const byCode = await expectJson<ListBody>(await list(`?q=${codes[3]}`));
    expect(byCode.reservations.map((r) => r.code)).toEqual([codes[3]]);
    expect(
      (await expectJson<ListBody>(await list("?q=search5%40example.com"))).reservations.map((r) => r.code),
    ).toEqual([codes[5]]);
    expect(
      (await expectJson<ListBody>(await list(`?q=${encodeURIComponent("太郎2")}`))).reservations.map((r) => r.code),
    ).toEqual([codes[2]]);
    expect((await expectJson<ListBody>(await list("?q=09000001004"))).reservations.map((r) => r.code)).toEqual([
      codes[4],
    ]);
  });

  it("filters, sorts and pages on the server", async () => {
    const page1 = await expectJson<ListBody>(await list(`?serviceId=${serviceId}&sort=startsAt&pageSize=3&page=1`));
    const page3 = await expectJson<ListBody>(await list(`?serviceId=${serviceId}&sort=startsAt&pageSize=3&page=3`));
    expect(page1).toMatchObject({ total: 7, page: 1, pageSize: 3 });
    expect(page1.reservations.map((r) => r.code)).toEqual(codes.slice(0, 3));
    expect(page3.reservations.map((r) => r.code)).toEqual(codes.slice(6));
    const desc = await expectJson<ListBody>(await list(`?serviceId=${serviceId}&sort=-startsAt&pageSize=2`));
    expect(desc.reservations.map((r) => r.code)).toEqual([codes[6], codes[5]]);
    const beyond = await expectJson<ListBody>(await list(`?serviceId=${serviceId}&pageSize=5&page=9`));
    expect(beyond).toMatchObject({ reservations: [], total: 7 });

    const confirmed = await expectJson<ListBody>(await list(`?serviceId=${serviceId}&status=confirmed&payment=none`));
    expect(confirmed.total).toBe(7);
    expect((await expectJson<ListBody>(await list(`?serviceId=${serviceId}&status=cancelled,expired`))).total).toBe(0);
    const window = await expectJson<ListBody>(
      await list(
        `?serviceId=${serviceId}&from=${encodeURIComponent(page1.reservations[1]!.slot.startsAt)}&to=${encodeURIComponent(page1.reservations[2]!.slot.startsAt)}`,
      ),
    );
    expect(window.reservations.map((r) => r.code)).toEqual([codes[1]]);
  });

  it("matches a whole code in any case, with or without dashes; digits alone search phone numbers only", async () => {
    const bare = codes[3]!.replace(/-/g, "").toLowerCase();
    expect((await expectJson<ListBody>(await list(`?q=${bare}`))).reservations.map((r) => r.code)).toEqual([codes[3]]);
    // "1004" is in one phone number; as digits it does not also match codes or emails.
    expect(
      (await expectJson<ListBody>(await list(`?serviceId=${serviceId}&q=1004`))).reservations.map((r) => r.code),
    ).toEqual([codes[4]]);
    expect(
      (await expectJson<ListBody>(await list(`?serviceId=${serviceId}&q=${encodeURIComponent("090 0000-1004")}`)))
        .total,
    ).toBe(1);
    // 100% and _ are literal characters, not patterns.
    expect(
      (await expectJson<ListBody>(await list(`?serviceId=${serviceId}&q=${encodeURIComponent("%_")}`))).total,
    ).toBe(0);
  });

  it("reads form-style params: blanks are absent, repeated status keys are a list, days are Tokyo days", async () => {
    const blanks = await expectJson<ListBody>(
      await list(`?q=&status=&serviceId=${serviceId}&from=&to=&payment=&sort=&page=&pageSize=`),
    );
    expect(blanks).toMatchObject({ total: 7, page: 1, pageSize: 25 });
    expect(
      (await expectJson<ListBody>(await list(`?serviceId=${serviceId}&status=confirmed&status=cancelled`))).total,
    ).toBe(7);

    const late = await newService(ctx.db, { priceAmount: 0 });
    const evening = await insertSlot(ctx.db, { serviceId: late.id, startsAt: new Date("2031-05-01T14:30:00Z") }); // 23:30 JST, May 1
    const night = await insertSlot(ctx.db, { serviceId: late.id, startsAt: new Date("2031-05-01T15:30:00Z") }); // 00:30 JST, May 2
    const first = await holdOk(evening.id);
    const second = await holdOk(night.id);
    const day = (from: string, to: string) => list(`?serviceId=${late.id}&from=${from}&to=${to}&sort=startsAt`);
    expect((await expectJson<ListBody>(await day("2031-05-01", "2031-05-01"))).reservations.map((r) => r.id)).toEqual([
      first.reservation.id,
    ]);
    expect((await expectJson<ListBody>(await day("2031-05-02", "2031-05-02"))).reservations.map((r) => r.id)).toEqual([
      second.reservation.id,
    ]);
    expect((await expectJson<ListBody>(await day("2031-05-01", "2031-05-02"))).total).toBe(2);
  });

  it("filters by the latest payment attempt's status", async () => {
    const [target] = (await expectJson<ListBody>(await list(`?q=${codes[6]}`))).reservations;
    await ctx.db.execute(sql`insert into payments (reservation_id, status, amount, currency, attempt)
      values (${target!.id}::uuid, 'failed', 1000, 'JPY', 1), (${target!.id}::uuid, 'succeeded', 1000, 'JPY', 2)`);
    const codesFor = async (payment: string) =>
      (await expectJson<ListBody>(await list(`?serviceId=${serviceId}&payment=${payment}`))).reservations.map(
        (r) => r.code,
      );
    expect(await codesFor("succeeded")).toEqual([codes[6]]);
    expect(await codesFor("failed")).toEqual([]);
    expect(await codesFor("none")).not.toContain(codes[6]);
    expect((await codesFor("none")).length).toBe(6);
    expect((await expectJson<ListBody>(await list(`?q=${codes[6]}`))).reservations[0]?.payment).toEqual({
      status: "succeeded",
      amountRefunded: 0,
      latePayment: false,
    });
  });

  it("rejects a bad query from staff with 422 and field paths", async () => {
    const problem = await expectProblem(await list("?status=bogus&pageSize=1000"), 422, "validation_failed");
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["query.status.0", "query.pageSize"]));
  });
});
