import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { asAnon, asService, asUser, type JwtClaims, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { auditLog, idempotencyKeys, notifications, payments, reservations, userRoles } from "@/server/db/schema";
import { describeEachDatabase } from "../helpers/db";
import { insertService, insertSlot, insertUser } from "../helpers/fixtures";
import { CHECK_VIOLATION, INSUFFICIENT_PRIVILEGE, pgErrorOf } from "../helpers/pg-error";

type Runner = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
type PrivateTable = "reservations" | "payments" | "notifications" | "audit_log" | "idempotency_keys";

/** The ids a caller can read from a table; `denied` when the role has no SELECT privilege at all. */
async function readIds(run: Runner, table: PrivateTable): Promise<{ ids: string[]; denied: boolean }> {
  try {
    const rows = await run((tx) =>
      queryRows<{ id: string }>(tx, sql.raw(`select id::text as id from ${table} order by id`)),
    );
    return { ids: rows.map((r) => r.id).sort(), denied: false };
  } catch (error) {
    const { code } = await pgErrorOf(Promise.reject(error));
    if (code !== INSUFFICIENT_PRIVILEGE) throw error;
    return { ids: [], denied: true };
  }
}

describeEachDatabase("row level security", (ctx) => {
  const ids = {} as {
    alice: string;
    bob: string;
    staff: string;
    slot: string;
    aliceReservation: string;
    bobReservation: string;
    guestReservation: string;
    alicePayment: string;
    bobPayment: string;
    aliceNotification: string;
    bobNotification: string;
    audit: string;
    idempotencyKey: string;
  };
  let asAlice: Runner;
  let asStaff: Runner;

  beforeAll(async () => {
    const db = ctx.db;
    ids.alice = await insertUser(db, "alice@example.com");
    ids.bob = await insertUser(db, "bob@example.com");
    ids.staff = await insertUser(db, "staff@example.com");
    // RLS takes a role from the token only while user_roles still holds it (drizzle/0006).
    await db.insert(userRoles).values({ userId: ids.staff, role: "staff" });
    const service = await insertService(db, { slug: "rls-class", defaultCapacity: 10 });
    const slot = await insertSlot(db, {
      serviceId: service.id,
      startsAt: new Date("2030-01-15T01:00:00Z"),
      capacity: 10,
      reserved: 3,
    });
    ids.slot = slot.id;

    const reservation = (code: string, userId: string | null, email: string) => ({
      code,
      slotId: slot.id,
      userId,
      customerName: code,
      customerEmail: email,
      quantity: 1,
      status: "confirmed" as const,
      amount: 1000,
      currency: "JPY",
    });
    const inserted = await db
      .insert(reservations)
      .values([
        reservation("RLS-ALICE", ids.alice, "alice@example.com"),
        reservation("RLS-BOB", ids.bob, "bob@example.com"),
        reservation("RLS-GUEST", null, "guest@example.com"),
      ])
      .returning({ id: reservations.id, code: reservations.code });
    const byCode = (code: string) => inserted.find((r) => r.code === code)?.id ?? "";
    ids.aliceReservation = byCode("RLS-ALICE");
    ids.bobReservation = byCode("RLS-BOB");
    ids.guestReservation = byCode("RLS-GUEST");

    const [alicePayment, bobPayment] = await db
      .insert(payments)
      .values([
        { reservationId: ids.aliceReservation, amount: 1000, currency: "JPY", status: "succeeded" },
        { reservationId: ids.bobReservation, amount: 1000, currency: "JPY", status: "succeeded" },
      ])
      .returning({ id: payments.id });
    ids.alicePayment = alicePayment?.id ?? "";
    ids.bobPayment = bobPayment?.id ?? "";

    const [aliceNotification, bobNotification] = await db
      .insert(notifications)
      .values([
        // One addressed by user id, one only through the reservation: both paths of the policy.
        { userId: ids.alice, kind: "welcome", channel: "email", dedupeKey: "rls-1", recipient: "alice@example.com" },
        {
          reservationId: ids.bobReservation,
          kind: "confirmation",
          channel: "email",
          dedupeKey: "rls-2",
          recipient: "bob@example.com",
        },
      ])
      .returning({ id: notifications.id });
    ids.aliceNotification = aliceNotification?.id ?? "";
    ids.bobNotification = bobNotification?.id ?? "";

    const [audit] = await db
      .insert(auditLog)
      .values({
        actorId: ids.staff,
        actorRole: "staff",
        action: "reservation.confirmed",
        entityType: "reservation",
        entityId: ids.bobReservation,
        reason: "original",
      })
      .returning({ id: auditLog.id });
    ids.audit = String(audit?.id);

    const [key] = await db
      .insert(idempotencyKeys)
      .values({
        scope: `user:${ids.alice}`,
        key: "rls-key",
        method: "POST",
        path: "/api/reservations",
        requestHash: "hash",
        expiresAt: new Date("2030-01-01T00:00:00Z"),
      })
      .returning({ id: idempotencyKeys.id });
    ids.idempotencyKey = key?.id ?? "";

    const claims = (sub: string, userRole: JwtClaims["user_role"]): JwtClaims => ({
      sub,
      role: "authenticated",
      user_role: userRole,
    });
    asAlice = (fn) => asUser(claims(ids.alice, "user"), fn);
    asStaff = (fn) => asUser(claims(ids.staff, "staff"), fn);
  });

  describe("reading", () => {
    it.each(["reservations", "payments", "notifications", "audit_log", "idempotency_keys"] as const)(
      "anon reads nothing from %s",
      async (table) => {
        expect((await readIds(asAnon, table)).ids).toEqual([]);
        // The owner sees the rows, so the empty result above is RLS at work, not an empty table.
        expect((await readIds((fn) => ctx.db.transaction(fn), table)).ids.length).toBeGreaterThan(0);
      },
    );

    it("a signed-in user reads only their own reservation, payment and notification", async () => {
      expect((await readIds(asAlice, "reservations")).ids).toEqual([ids.aliceReservation]);
      expect((await readIds(asAlice, "payments")).ids).toEqual([ids.alicePayment]);
      expect((await readIds(asAlice, "notifications")).ids).toEqual([ids.aliceNotification]);
    });

    it("another user sees their own rows, reached through the reservation", async () => {
      const asBob: Runner = (fn) => asUser({ sub: ids.bob, role: "authenticated" }, fn);
      expect((await readIds(asBob, "reservations")).ids).toEqual([ids.bobReservation]);
      expect((await readIds(asBob, "payments")).ids).toEqual([ids.bobPayment]);
      expect((await readIds(asBob, "notifications")).ids).toEqual([ids.bobNotification]);
    });

    it("a signed-in user reads no audit rows, not even about their own reservation", async () => {
      const asBob: Runner = (fn) => asUser({ sub: ids.bob, role: "authenticated", user_role: "user" }, fn);
      expect(await readIds(asBob, "audit_log")).toEqual({ ids: [], denied: false });
      expect(await readIds(asAlice, "audit_log")).toEqual({ ids: [], denied: false });
    });

    it("a user_role claim other than staff or admin grants nothing extra", async () => {
      const forged: Runner = (fn) =>
        asUser({ sub: ids.alice, role: "authenticated", user_role: "superuser" as JwtClaims["user_role"] }, fn);
      expect((await readIds(forged, "reservations")).ids).toEqual([ids.aliceReservation]);
      expect((await readIds(forged, "audit_log")).ids).toEqual([]);
    });

    it("staff read every reservation, payment, notification and audit row", async () => {
      const sorted = (...values: string[]) => [...values].sort();
      expect((await readIds(asStaff, "reservations")).ids).toEqual(
        sorted(ids.aliceReservation, ids.bobReservation, ids.guestReservation),
      );
      expect((await readIds(asStaff, "payments")).ids).toEqual(sorted(ids.alicePayment, ids.bobPayment));
      expect((await readIds(asStaff, "notifications")).ids).toEqual(sorted(ids.aliceNotification, ids.bobNotification));
      expect((await readIds(asStaff, "audit_log")).ids).toEqual([ids.audit]);
    });

    it("idempotency keys are not readable by anon, users or staff at all", async () => {
      expect(await readIds(asAnon, "idempotency_keys")).toEqual({ ids: [], denied: true });
      expect(await readIds(asAlice, "idempotency_keys")).toEqual({ ids: [], denied: true });
      expect(await readIds(asStaff, "idempotency_keys")).toEqual({ ids: [], denied: true });
      expect((await readIds(asService, "idempotency_keys")).ids).toEqual([ids.idempotencyKey]);
    });
  });

  describe("the audit log is append-only", () => {
    const update = (tx: Tx) => tx.execute(sql`update audit_log set reason = 'rewritten'`);
    const remove = (tx: Tx) => tx.execute(sql`delete from audit_log`);

    it.each([
      ["anon", (fn: (tx: Tx) => Promise<unknown>) => asAnon(fn)],
      ["a signed-in user", (fn: (tx: Tx) => Promise<unknown>) => asAlice(fn)],
      ["staff", (fn: (tx: Tx) => Promise<unknown>) => asStaff(fn)],
      ["the service role", (fn: (tx: Tx) => Promise<unknown>) => asService(fn)],
    ])("%s can neither update nor delete audit rows", async (_who, run) => {
      expect((await pgErrorOf(run(update))).code).toBe(INSUFFICIENT_PRIVILEGE);
      expect((await pgErrorOf(run(remove))).code).toBe(INSUFFICIENT_PRIVILEGE);
    });

    it("even the table owner's connection cannot update, delete or truncate", async () => {
      for (const statement of [
        sql`update audit_log set reason = 'rewritten'`,
        sql`delete from audit_log`,
        sql`truncate audit_log`,
      ]) {
        const error = await pgErrorOf(ctx.db.execute(statement));
        expect(error.code).toBe(INSUFFICIENT_PRIVILEGE);
        expect(error.message).toMatch(/append-only/);
      }
    });

    it("leaves the audit row exactly as written after every attempt", async () => {
      const rows = await ctx.db.select().from(auditLog);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: "original", entityId: ids.bobReservation, actorId: ids.staff });
    });

    it("staff may append rows naming themselves, and only themselves; users may not append", async () => {
      const row = (actorId: string) => ({
        actorId,
        actorRole: "staff",
        action: "note.added",
        entityType: "reservation",
        entityId: ids.aliceReservation,
      });
      await asStaff((tx) => tx.insert(auditLog).values(row(ids.staff)));
      // A staff member cannot claim another role or backdate a row.
      expect(
        await pgErrorOf(asStaff((tx) => tx.insert(auditLog).values({ ...row(ids.staff), actorRole: "admin" }))),
      ).toMatchObject({
        code: INSUFFICIENT_PRIVILEGE,
      });
      expect(
        await pgErrorOf(
          asStaff((tx) =>
            tx.insert(auditLog).values({ ...row(ids.staff), occurredAt: new Date("2020-01-01T00:00:00Z") }),
          ),
        ),
      ).toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      expect(await pgErrorOf(asStaff((tx) => tx.insert(auditLog).values(row(ids.bob))))).toMatchObject({
        code: INSUFFICIENT_PRIVILEGE,
      });
      expect(await pgErrorOf(asAlice((tx) => tx.insert(auditLog).values(row(ids.alice))))).toMatchObject({
        code: INSUFFICIENT_PRIVILEGE,
      });
      const appended = await ctx.db.select().from(auditLog);
      expect(appended.map((r) => r.actorId).sort()).toEqual([ids.staff, ids.staff]);
    });
  });

  describe("capacity", () => {
    it("the CHECK constraint rejects a slot reserved beyond its capacity, or below zero", async () => {
      for (const reserved of [sql`capacity + 1`, sql`-1`]) {
        const error = await pgErrorOf(
          ctx.db.execute(sql`update slots set reserved = ${reserved} where id = ${ids.slot}`),
        );
        expect(error.code).toBe(CHECK_VIOLATION);
        expect(error.message).toMatch(/slots_reserved_within_capacity/);
      }
      const [slot] = await queryRows<{ reserved: number }>(
        ctx.db,
        sql`select reserved from slots where id = ${ids.slot}`,
      );
      expect(Number(slot?.reserved)).toBe(3);
    });

    it("users cannot move a slot's counter themselves", async () => {
      expect(
        await pgErrorOf(
          asAlice((tx) => tx.execute(sql`update slots set reserved = reserved + 1 where id = ${ids.slot}`)),
        ),
      ).toMatchObject({
        code: INSUFFICIENT_PRIVILEGE,
      });
      expect(
        await pgErrorOf(
          asStaff((tx) => tx.execute(sql`update slots set reserved = reserved + 1 where id = ${ids.slot}`)),
        ),
      ).toMatchObject({
        code: INSUFFICIENT_PRIVILEGE,
      });
      const [slot] = await queryRows<{ reserved: number }>(
        ctx.db,
        sql`select reserved from slots where id = ${ids.slot}`,
      );
      expect(Number(slot?.reserved)).toBe(3);
    });
  });
});
