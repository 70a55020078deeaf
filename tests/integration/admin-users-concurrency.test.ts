/**
 * "There is always at least one admin" under real concurrency: PostgreSQL only (TEST_DATABASE_URL), with real parallel
 * connections. PGlite runs one statement at a time, so these races cannot happen there; the same rule is covered
 * sequentially on both databases by admin-users.test.ts.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/admin/users/[id]/revoke/route";
import { queryRows } from "@/server/db/client";
import { bearer, signedInAs, type SignedIn } from "../helpers/auth";
import { describeEachDatabase } from "../helpers/db";
import { insertUser } from "../helpers/fixtures";
import { callRoute } from "../helpers/http";
import { pgErrorOf } from "../helpers/pg-error";

/** The advisory lock every user_roles writer takes (drizzle/0005_last_admin_guard.sql). */
const USER_ROLES_LOCK = 726100005;

describeEachDatabase("users and roles under concurrency", (ctx) => {
  describe.skipIf(ctx.kind !== "postgres")("on PostgreSQL", () => {
    let client: postgres.Sql;

    beforeAll(() => {
      client = postgres(ctx.url as string, { max: 6, prepare: false, onnotice: () => {} });
    });
    afterAll(async () => {
      await client?.end({ timeout: 5 });
    });

    const admins = async () =>
      (
        await queryRows<{ id: string }>(
          ctx.db,
          sql`select user_id::text as id from user_roles where role = 'admin' order by 1`,
        )
      ).map((r) => r.id);

    /** Exactly these two people are admins; every other admin becomes staff. */
    const onlyAdmins = async (x: string, y: string) => {
      await ctx.db
        .execute(sql`insert into user_roles (user_id, role) values (${x}::uuid, 'admin'), (${y}::uuid, 'admin')
                                on conflict (user_id) do update set role = 'admin'`);
      await ctx.db.execute(
        sql`update user_roles set role = 'staff' where role = 'admin' and user_id not in (${x}::uuid, ${y}::uuid)`,
      );
      expect(await admins()).toEqual([x, y].sort());
    };

    const newPair = async () => {
      const x = await insertUser(ctx.db, `x-${crypto.randomUUID()}@example.com`);
      const y = await insertUser(ctx.db, `y-${crypto.randomUUID()}@example.com`);
      await onlyAdmins(x, y);
      return { x, y };
    };

    /** Resolves once a transaction of this database waits for the user_roles lock. */
    const waitingForLock = async () => {
      for (let i = 0; i < 200; i++) {
        const [row] = await client<{ n: number }[]>`
          select count(*)::int as n from pg_locks
           where locktype = 'advisory' and not granted and objid = ${USER_ROLES_LOCK}
             and database = (select oid from pg_database where datname = current_database())`;
        if (row?.n === 1) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error("the second transaction never waited for the user_roles lock");
    };

    it("two transactions demoting the last two admins: the second waits for the first, then the database refuses it", async () => {
      const { x, y } = await newPair();
      let updated!: () => void;
      let release!: () => void;
      const firstUpdated = new Promise<void>((r) => (updated = r));
      const gate = new Promise<void>((r) => (release = r));
      const first = client.begin(async (tx) => {
        await tx`update user_roles set role = 'staff' where user_id = ${x}`;
        updated();
        await gate;
      });
      await firstUpdated;
      const second = pgErrorOf(client.begin((tx) => tx`delete from user_roles where user_id = ${y}`));
      await waitingForLock();
      release();
      await first;
      expect(await second).toMatchObject({ code: "23514", message: expect.stringMatching(/at least one admin/i) });
      expect(await admins()).toEqual([y]);
    });

    it("a REPEATABLE READ writer that would count from a stale snapshot fails with a serialization error instead", async () => {
      const { x, y } = await newPair();
      let updated!: () => void;
      let release!: () => void;
      const firstUpdated = new Promise<void>((r) => (updated = r));
      const gate = new Promise<void>((r) => (release = r));
      const first = client.begin(async (tx) => {
        await tx`update user_roles set role = 'staff' where user_id = ${x}`;
        updated();
        await gate;
      });
      await firstUpdated;
      const second = pgErrorOf(
        client.begin("isolation level repeatable read", async (tx) => {
          await tx`select count(*) from user_roles`; // its snapshot: taken while the first is still open
          await tx`update user_roles set role = 'user' where user_id = ${y}`;
        }),
      );
      await waitingForLock();
      release();
      await first;
      expect((await second).code).toBe("40001");
      expect(await admins()).toEqual([y]);
    });

    it("two admins revoking each other through the API at the same moment: exactly one succeeds, one admin remains", async () => {
      for (let round = 0; round < 5; round++) {
        const a = await signedInAs(ctx.db, "admin");
        const b = await signedInAs(ctx.db, "admin");
        await onlyAdmins(a.userId, b.userId);
        const revoke = (by: SignedIn, target: SignedIn) =>
          callRoute(revokeRoute, `/api/admin/users/${target.userId}/revoke`, {
            method: "POST",
            params: { id: target.userId },
            json: { reason: `同時降格テスト ${round}` },
            headers: bearer(by),
          });
        const results = await Promise.all([revoke(a, b), revoke(b, a)]);
        // The loser waited for the winner's lock, by which time it was no longer an admin.
        expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
        const survivors = await admins();
        expect(survivors).toHaveLength(1);
        expect([a.userId, b.userId]).toContain(survivors[0]);
        const audit = await queryRows<{ n: number }>(
          ctx.db,
          sql`select count(*)::int as n from audit_log where action = 'role.revoked' and entity_id in (${a.userId}, ${b.userId})`,
        );
        expect(audit[0]?.n).toBe(1);
      }
    });
  });
});
