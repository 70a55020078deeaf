import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/server/db/client";
import { migrationStatus, readJournal, runMigrations } from "@/server/db/migrate";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db";
import { schemaFingerprint } from "../helpers/schema-fingerprint";

const journal = readJournal();

const domainTables = [
  "audit_log",
  "email_suppressions",
  "idempotency_keys",
  "job_leases",
  "metric_minutes",
  "notifications",
  "payments",
  "rate_limits",
  "refunds",
  "reservation_slot_changes",
  "reservations",
  "services",
  "slot_rules",
  "slots",
  "user_roles",
  "webhook_events",
];

async function appliedMigrations(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return row?.n ?? -1;
}

describeEachDatabase("migrations", (ctx) => {
  describe("on a fresh database", () => {
    let fresh: TestDatabase;

    beforeAll(async () => {
      fresh = await createTestDatabase(ctx.kind, { migrated: false });
    });

    afterAll(async () => {
      await fresh?.dispose();
    });

    it("starts with every migration pending", async () => {
      expect(await migrationStatus(fresh.handle.db)).toEqual({
        applied: 0,
        total: journal.length,
        latest: null,
        pending: journal.length,
      });
    });

    it("applies every migration and creates the whole domain with RLS on every table", async () => {
      await runMigrations(fresh.handle);

      expect(await migrationStatus(fresh.handle.db)).toEqual({
        applied: journal.length,
        total: journal.length,
        latest: journal.at(-1)?.tag,
        pending: 0,
      });
      const tables = await queryRows<{ relname: string; relrowsecurity: boolean }>(
        fresh.handle.db,
        sql`select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'public' and c.relkind = 'r' order by c.relname`,
      );
      expect(tables.map((t) => t.relname)).toEqual(domainTables);
      expect(tables.filter((t) => !t.relrowsecurity).map((t) => t.relname)).toEqual([]);
    });

    it("ends with the same schema as the per-file template database", async () => {
      expect(await schemaFingerprint(fresh.handle.db)).toEqual(await schemaFingerprint(ctx.db));
    });

    it("changes nothing when applied a second time", async () => {
      const before = await schemaFingerprint(fresh.handle.db);
      expect(before.length).toBeGreaterThan(200);
      expect(before).toContain("role service_role bypassrls=true login=false");

      await runMigrations(fresh.handle);

      expect(await schemaFingerprint(fresh.handle.db)).toEqual(before);
      expect(await appliedMigrations(fresh.handle.db)).toBe(journal.length);
      expect((await migrationStatus(fresh.handle.db)).pending).toBe(0);
    });
  });

  it("reports 0 pending migrations on the migrated database", async () => {
    const status = await migrationStatus(ctx.db);
    expect(status).toMatchObject({ applied: journal.length, total: journal.length, pending: 0 });
    expect(status.latest).toBe(journal.at(-1)?.tag);
  });

  it("has a fingerprint that notices a schema change", async () => {
    const before = await schemaFingerprint(ctx.db);
    let during: string[] = [];
    await expect(
      ctx.db.transaction(async (tx) => {
        await tx.execute(sql`create policy "probe" on "services" for select to anon using (false)`);
        during = await schemaFingerprint(tx);
        tx.rollback();
      }),
    ).rejects.toThrow(/rollback/i);
    expect(during).not.toEqual(before);
    expect(during.find((line) => line.includes('"probe"'))).toBeDefined();
    expect(await schemaFingerprint(ctx.db)).toEqual(before);
  });

  it("keeps Supabase's own auth functions and users table when they already exist", async () => {
    const supabaseLike = await createTestDatabase(ctx.kind, { migrated: false });
    try {
      const { db } = supabaseLike.handle;
      await db.execute(sql`create schema auth`);
      await db.execute(
        sql.raw(`create function auth.uid() returns uuid language sql stable as
                 $$ select '00000000-0000-0000-0000-00000000abcd'::uuid $$`),
      );
      await db.execute(sql`create table auth.users (id uuid primary key, email text, supabase_only_column text)`);

      await runMigrations(supabaseLike.handle);

      const [uid] = await queryRows<{ uid: string }>(db, sql`select auth.uid()::text as uid`);
      expect(uid?.uid).toBe("00000000-0000-0000-0000-00000000abcd");
      const columns = await queryRows<{ column_name: string }>(
        db,
        sql`select column_name from information_schema.columns where table_schema = 'auth' and table_name = 'users'`,
      );
      expect(columns.map((c) => c.column_name).sort()).toEqual(["email", "id", "supabase_only_column"]);
      expect((await migrationStatus(db)).pending).toBe(0);
    } finally {
      await supabaseLike.dispose();
    }
  });

  it.runIf(ctx.kind === "postgres")("applies once when two instances migrate at the same time", async () => {
    const racing = await createTestDatabase("postgres", { migrated: false });
    try {
      await Promise.all([runMigrations(racing.handle), runMigrations(racing.handle), runMigrations(racing.handle)]);
      expect(await appliedMigrations(racing.handle.db)).toBe(journal.length);
      expect(await schemaFingerprint(racing.handle.db)).toEqual(await schemaFingerprint(ctx.db));
    } finally {
      await racing.dispose();
    }
  });
});
