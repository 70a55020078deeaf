import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { freePort, startProduction, stop, waitUntilServing, type Started } from "./support/processes";

/**
 * Invariant 8: two app instances (`next start`) behind one PostgreSQL behave as one. 200 concurrent holds on a
 * 10-seat slot, spread over both instances, give exactly 10 × 201 and 190 × 409. Needs TEST_DATABASE_URL.
 */
const adminUrl = process.env.TEST_DATABASE_URL;

test.describe("two instances on one PostgreSQL", () => {
  test.skip(!adminUrl, "TEST_DATABASE_URL is not set");
  test.setTimeout(120_000);

  test("concurrent holds through both instances never oversell", async () => {
    const dbName = `e2e_multi_${Date.now()}`;
    const url = new URL(adminUrl as string);
    url.pathname = `/${dbName}`;
    const dbUrl = url.toString();
    const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    const servers: Started[] = [];
    const db = postgres(dbUrl, { max: 2, onnotice: () => {} });
    try {
      // Production does not migrate at startup: the release step does, as an operator would.
      execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/db-migrate.ts"], {
        env: { ...process.env, DATABASE_URL: dbUrl },
        stdio: "pipe",
      });
      const [service] =
        await db`insert into services (slug, name_ja, name_en, duration_minutes, price_amount, default_capacity)
        values ('multi', '複数', 'Multi', 60, 3000, 10) returning id`;
      const [slot] = await db`insert into slots (service_id, starts_at, ends_at, capacity)
        values (${service!.id}, now() + interval '3 days', now() + interval '3 days 1 hour', 10) returning id`;

      const bases: string[] = [];
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const started = startProduction(port, {
          ALLOW_DEV_MOCKS: "true",
          DATABASE_URL: dbUrl,
          DATA_DIR: `.data/e2e-multi-${i}`,
          CRON_IN_PROCESS: "false",
          LOG_LEVEL: "warn",
        });
        servers.push(started);
        bases.push(`http://127.0.0.1:${port}`);
      }
      await Promise.all(bases.map((base, i) => waitUntilServing(base, servers[i] as Started)));

      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${bases[i % 2]}/api/reservations`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": `multi-${i}` },
            body: JSON.stringify({
              slotId: slot!.id,
              quantity: 1,
              customer: { name: `Guest ${i}`, email: `guest${i}@example.com` },
            }),
          }).then(async (res) => {
            const body = (await res.json()) as { code?: string };
            return res.status === 409 ? `409:${body.code}` : String(res.status);
          }),
        ),
      );
      const count = (s: string) => statuses.filter((x) => x === s).length;
      expect(count("201"), JSON.stringify(statuses)).toBe(10);
      expect(count("409:sold_out")).toBe(190);
      const [state] = await db`select reserved,
          (select count(*)::int from reservations where slot_id = ${slot!.id} and status in ('held', 'confirmed')) as active
        from slots where id = ${slot!.id}`;
      expect(Number(state!.reserved)).toBe(10);
      expect(Number(state!.active)).toBe(10);
    } finally {
      await Promise.all(servers.map(stop));
      await db.end();
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  });
});
