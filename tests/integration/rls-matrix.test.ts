import { readFileSync } from "node:fs";
import path from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { describeEachDatabase } from "../helpers/db";
import {
  OPERATIONS,
  ROLES,
  attemptRolledBack,
  callers,
  classifyRows,
  errorLabel,
  renderMatrix,
  roles,
  section,
  seedRlsFixtures,
  signedIn,
  type Attempt,
  type MatrixRole,
  type Operation,
  type People,
  type SeedRow,
  type TableExpectation,
  type TableProbe,
} from "../helpers/rls";
import { INSUFFICIENT_PRIVILEGE } from "../helpers/pg-error";

/**
 * Every table in the public schema × anon / user / staff / admin / service_role × select / insert / update / delete.
 * The expectations are the design written in drizzle/0002_rls.sql (0003 for job_leases, 0009 for metric_minutes, 0006 for writes that go
 * through the app only), not what the database
 * happens to do; docs/rls-matrix.md carries the same table and a test keeps the two equal.
 */
const EXPECTED: Record<string, TableExpectation> = {
  // Everyone reads active services; staff read all. Writes only through the app (0006), as the service role.
  services: {
    select: roles("public", "public", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Everyone reads slots that are not cancelled; staff read all. Writes only through the app (0006): capacity rules.
  slots: {
    select: roles("public", "public", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Staff read; writes only through the app (0006).
  slot_rules: {
    select: roles("denied", "none", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // A user reads their own; staff read all; every change is a domain verb as the service role (0006), with its audit row.
  reservations: {
    select: roles("denied", "own", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Readable with the reservation; "written by domain functions only" (rescheduleReservation, as the service role).
  reservation_slot_changes: {
    select: roles("denied", "own", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // The reservation's owner and staff read; only the service role writes.
  payments: {
    select: roles("denied", "own", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  refunds: {
    select: roles("denied", "own", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // The addressee (by user or through the reservation) and staff read; only the dispatcher writes.
  notifications: {
    select: roles("denied", "own", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Staff read the inbox; only the webhook route writes.
  webhook_events: {
    select: roles("denied", "none", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Internal to the app and the job runner: no grants to anon or authenticated at all.
  idempotency_keys: {
    select: roles("denied", "denied", "denied", "denied", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  job_leases: {
    select: roles("denied", "denied", "denied", "denied", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // The dashboard's per-minute aggregates (0009): staff read; only the service role writes (flush) and prunes.
  metric_minutes: {
    select: roles("denied", "none", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Rate-limit counters (0007): the app's owner connection counts, the service role's cleanup job purges.
  rate_limits: {
    select: roles("denied", "denied", "denied", "denied", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
  // Staff read; staff append rows naming themselves and their role, at the database's time (0006); nobody updates or
  // deletes, the service role included.
  audit_log: {
    select: roles("denied", "none", "all", "all", "all"),
    insert: roles("denied", "denied", "own", "own", "all"),
    update: roles("denied", "denied", "denied", "denied", "denied"),
    delete: roles("denied", "denied", "denied", "denied", "denied"),
  },
  // A user (staff too) reads their own role; only admins write.
  user_roles: {
    select: roles("denied", "own", "own", "all", "all"),
    insert: roles("denied", "denied", "denied", "all", "all"),
    update: roles("denied", "none", "none", "all", "all"),
    delete: roles("denied", "none", "none", "all", "all"),
  },
  // Staff read; adding and removing goes through the app (0006), audited.
  email_suppressions: {
    select: roles("denied", "none", "all", "all", "all"),
    insert: roles("denied", "denied", "denied", "denied", "all"),
    update: roles("denied", "denied", "denied", "denied", "all"),
    delete: roles("denied", "denied", "denied", "denied", "all"),
  },
};

/** The Auth emulator's state and auth.users: only the database owner (the emulator, GoTrue's stand-in) touches them. */
const denied = roles("denied", "denied", "denied", "denied", "denied");
const EXPECTED_AUTH: Record<string, TableExpectation> = Object.fromEntries(
  ["auth.users", "auth_emulator.sessions", "auth_emulator.refresh_tokens", "auth_emulator.one_time_tokens"].map(
    (table) => [table, { select: denied, insert: denied, update: denied, delete: denied }],
  ),
);
const AUTH_COLUMN: Record<string, string> = { "auth.users": "id" };

/** SECURITY DEFINER functions in public (trigger functions aside) and the least role that may call them. */
const DEFINER_FUNCTIONS: Record<string, "staff" | "admin"> = { admin_list_users: "admin", user_emails: "staff" };
/** SECURITY DEFINER functions everyone may call because they only answer about the caller (RLS policies use them). */
const SELF_FUNCTIONS = ["db_app_role"];

describeEachDatabase("RLS matrix", (ctx) => {
  let people: People;
  let rows: Record<string, SeedRow[]>;
  let probes: Record<string, TableProbe>;
  let who: ReturnType<typeof callers>;

  beforeAll(async () => {
    ({ people, rows, probes } = await seedRlsFixtures(ctx.db));
    who = callers(people);
  });

  /** What one role can do to one table: each operation probed in its own rolled-back transaction. */
  async function observe(table: string, role: MatrixRole): Promise<Record<Operation, string>> {
    const probe = probes[table]!;
    const { run, id } = who[role];
    const seeded = rows[table] ?? [];
    const leaves = seeded.filter((r) => r.leaf);
    const [key, name, touch] = [sql.raw(probe.key), sql.raw(`"${table}"`), sql.raw(`"${probe.touch}"`)];
    const keys = (subset: SeedRow[]) =>
      sql.join(
        subset.map((r) => sql`${r.key}`),
        sql`, `,
      );
    const reach = (statement: SQL) =>
      attemptRolledBack(run, async (tx) => (await queryRows<{ key: string }>(tx, statement)).map((r) => r.key));
    const classify = (op: Operation, result: Attempt<string[]>, universe: SeedRow[]) => {
      if (!result.ok) return errorLabel(result.code);
      try {
        return classifyRows(EXPECTED[table]![op][role], universe, result.value, probe.owned ? id : null);
      } catch (error) {
        throw new Error(`${table}.${op} as ${role}: ${(error as Error).message}`);
      }
    };
    const tryInsert = async (owner: string | null) => {
      const result = await attemptRolledBack(run, (tx) => tx.execute(probe.insert(owner)));
      return result.ok ? "ok" : errorLabel(result.code);
    };

    const own = await tryInsert(id);
    const other = probe.ownerAware ? await tryInsert(people.userB) : own;
    const byPair: Record<string, string> = { "ok/ok": "all", "ok/denied": "own", "denied/denied": "denied" };
    return {
      select: classify("select", await reach(sql`select ${key} as key from ${name}`), seeded),
      insert: byPair[`${own}/${other}`] ?? `own row ${own}, another's row ${other}`,
      update: classify(
        "update",
        await reach(
          sql`update ${name} set ${touch} = ${touch} where ${key} in (${keys(seeded)}) returning ${key} as key`,
        ),
        seeded,
      ),
      delete: classify(
        "delete",
        await reach(sql`delete from ${name} where ${key} in (${keys(leaves)}) returning ${key} as key`),
        leaves,
      ),
    };
  }

  it("has an expectation, probes and seeded rows for every table in the public schema, each with RLS on", async () => {
    const tables = await queryRows<{ tablename: string; rls: boolean }>(
      ctx.db,
      sql`select c.relname as tablename, c.relrowsecurity as rls from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    const names = tables.map((t) => t.tablename);
    expect(names, "a table in public has no row in the RLS matrix (add it to EXPECTED and the docs)").toEqual(
      Object.keys(EXPECTED).sort(),
    );
    expect(
      tables.filter((t) => !t.rls).map((t) => t.tablename),
      "tables without row level security",
    ).toEqual([]);
    expect(Object.keys(probes).sort()).toEqual(names);
    for (const name of names) {
      expect(rows[name]?.length ?? 0, `seeded rows in ${name}`).toBeGreaterThanOrEqual(2);
      expect(
        rows[name]?.some((r) => r.leaf),
        `a deletable seeded row in ${name}`,
      ).toBe(true);
    }
  });

  it.each(Object.keys(EXPECTED).sort())("%s matches the matrix for every role and operation", async (table) => {
    const actual: Record<string, Record<string, string>> = {};
    for (const op of OPERATIONS) actual[op] = {};
    for (const role of ROLES) {
      const seen = await observe(table, role);
      for (const op of OPERATIONS) actual[op]![role] = seen[op];
    }
    expect(actual).toEqual(EXPECTED[table]);
  });

  it.each(Object.keys(EXPECTED_AUTH))(
    "%s is out of reach for anon, users, staff, admins and the service role",
    async (table) => {
      const column = sql.raw(AUTH_COLUMN[table] ?? "user_id");
      const target = sql.raw(table);
      const statements: Record<Operation, SQL> = {
        select: sql`select ${column} from ${target} limit 1`,
        insert: sql`insert into ${target} default values`,
        update: sql`update ${target} set ${column} = ${column}`,
        delete: sql`delete from ${target}`,
      };
      const actual: Record<string, Record<string, string>> = {};
      for (const op of OPERATIONS) {
        actual[op] = {};
        for (const role of ROLES) {
          const result = await attemptRolledBack(who[role].run, (tx) => tx.execute(statements[op]));
          actual[op]![role] = result.ok ? "allowed" : errorLabel(result.code);
        }
      }
      expect(actual).toEqual(EXPECTED_AUTH[table]);
    },
  );

  it("keeps every SECURITY DEFINER function (it bypasses RLS) from anon, and from signed-in roles below its own", async () => {
    const functions = await queryRows<{ name: string; anon: boolean }>(
      ctx.db,
      sql`select p.proname as name, has_function_privilege('anon', p.oid, 'execute') as anon from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.prosecdef and p.prorettype <> 'trigger'::regtype order by 1`,
    );
    expect(
      functions.map((f) => f.name),
      "a new SECURITY DEFINER function needs a row in DEFINER_FUNCTIONS",
    ).toEqual([...Object.keys(DEFINER_FUNCTIONS), ...SELF_FUNCTIONS].sort());
    for (const { name, anon } of functions.filter((f) => !SELF_FUNCTIONS.includes(f.name))) {
      expect(anon, `anon may execute ${name}`).toBe(false);
      const below = DEFINER_FUNCTIONS[name] === "admin" ? (["user", "staff"] as const) : (["user"] as const);
      for (const role of below) {
        const call = await attemptRolledBack(who[role].run, (tx) =>
          tx.execute(sql`select from ${sql.raw(`public.${name}`)}()`),
        );
        expect(call, `${name} as ${role}`).toEqual({ ok: false, code: INSUFFICIENT_PRIVILEGE });
      }
      const allowed = await attemptRolledBack(who[DEFINER_FUNCTIONS[name]!].run, (tx) =>
        tx.execute(sql`select from ${sql.raw(`public.${name}`)}()`),
      );
      expect(allowed.ok, `${name} as ${DEFINER_FUNCTIONS[name]}`).toBe(true);
    }
  });

  it("db_app_role answers each caller with their own role from user_roles, whatever the token claims", async () => {
    for (const role of ["anon", "user", "staff", "admin"] as const) {
      const [row] = await who[role].run((tx) =>
        queryRows<{ role: string }>(tx, sql`select public.db_app_role() as role`),
      );
      expect(row?.role, role).toBe(role === "anon" ? "user" : role);
    }
  });

  it("docs/rls-matrix.md shows exactly these expectations", () => {
    const doc = readFileSync(path.resolve(process.cwd(), "docs/rls-matrix.md"), "utf8");
    expect(section(doc, "rls-matrix"), "regenerate the table in docs/rls-matrix.md").toBe(renderMatrix(EXPECTED));
    expect(section(doc, "rls-matrix-auth"), "regenerate the auth table in docs/rls-matrix.md").toBe(
      renderMatrix(EXPECTED_AUTH),
    );
  });

  describe("roles cannot be escalated", () => {
    const affected = (statement: SQL) => async (tx: Tx) => (await queryRows(tx, statement)).length;

    it("a customer with no role row cannot create one, and a customer cannot promote themselves", async () => {
      const selfGrant = await attemptRolledBack(signedIn(people.userC, "user"), (tx) =>
        tx.execute(sql`insert into user_roles (user_id, role) values (${people.userC}::uuid, 'admin')`),
      );
      expect(selfGrant).toEqual({ ok: false, code: INSUFFICIENT_PRIVILEGE });
      const promote = sql`update user_roles set role = 'admin' where user_id = ${people.userA}::uuid returning user_id`;
      expect(await attemptRolledBack(signedIn(people.userA, "user"), affected(promote))).toEqual({
        ok: true,
        value: 0,
      });
    });

    it("staff can neither promote themselves nor grant anyone a role", async () => {
      const promote = sql`update user_roles set role = 'admin' where user_id = ${people.staff}::uuid returning user_id`;
      expect(await attemptRolledBack(signedIn(people.staff, "staff"), affected(promote))).toEqual({
        ok: true,
        value: 0,
      });
      const grant = await attemptRolledBack(signedIn(people.staff, "staff"), (tx) =>
        tx.execute(sql`insert into user_roles (user_id, role) values (${people.userC}::uuid, 'staff')`),
      );
      expect(grant).toEqual({ ok: false, code: INSUFFICIENT_PRIVILEGE });
    });

    it("an admin grants a role, demotes another admin and revokes a role (another admin always remains)", async () => {
      const admin = signedIn(people.admin, "admin");
      const steps = await attemptRolledBack(admin, async (tx) => [
        (
          await queryRows(
            tx,
            sql`insert into user_roles (user_id, role, granted_by) values (${people.userC}::uuid, 'staff', ${people.admin}::uuid) returning user_id`,
          )
        ).length,
        await affected(
          sql`update user_roles set role = 'staff' where user_id = ${people.admin2}::uuid returning user_id`,
        )(tx),
        await affected(sql`delete from user_roles where user_id = ${people.userB}::uuid returning user_id`)(tx),
        (await queryRows<{ user_id: string }>(tx, sql`select user_id::text from user_roles where role = 'admin'`)).map(
          (r) => r.user_id,
        ),
      ]);
      expect(steps).toEqual({ ok: true, value: [1, 1, 1, [people.admin]] });
    });
  });
});
