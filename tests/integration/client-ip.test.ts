import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as cleanupRoute from "@/app/api/cron/cleanup-idempotency-keys/route";
import { POST as cancelRoute } from "@/app/api/reservations/[id]/cancel/route";
import { clock } from "@/lib/clock";
import { queryRows } from "@/server/db/client";
import { PEER_HEADER, installPeerStamp } from "@/server/security/client-ip";
import { HOUR, T0, at, holdOk, newService } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { TEST_CRON_SECRET, withEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";

/**
 * The spoofable-address finding, retried: the client address comes from TRUSTED_PROXY_HOPS entries to the right of
 * X-Forwarded-For plus the TCP peer the server process stamps on each request, so one forged header neither passes
 * the cron IP allow-list nor lands in an audit row.
 */
beforeAll(async () => {
  await installPeerStamp();
});

describe("the peer stamp on a real HTTP server", () => {
  it("overwrites whatever a client sends under the peer header with the socket's address", async () => {
    const server = createServer((req, res) => res.end(String(req.headers[PEER_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/",
            headers: { [PEER_HEADER]: "203.0.113.7", "x-forwarded-for": "203.0.113.7" },
          },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(body).toBe("127.0.0.1");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describeEachDatabase("client address", (ctx) => {
  beforeEach(() => {
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    clock.reset();
  });

  const cron = (headers: Record<string, string>) =>
    callRoute(cleanupRoute.POST, "/api/cron/cleanup-idempotency-keys", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_CRON_SECRET}`, ...headers },
    });

  it("cron IP allow-list: a forged X-Forwarded-For does not pass when clients connect directly (0 hops)", async () => {
    await withEnv({ CRON_SECRET: TEST_CRON_SECRET, CRON_ALLOWED_IPS: "203.0.113.7" }, async () => {
      await expectProblem(
        await cron({ "x-forwarded-for": "203.0.113.7", [PEER_HEADER]: "198.51.100.1" }),
        403,
        "forbidden",
      );
      await expectJson(await cron({ [PEER_HEADER]: "203.0.113.7" }));
    });
  });

  it("cron IP allow-list behind one proxy (1 hop): the entry the proxy appended counts, not the client's own", async () => {
    await withEnv(
      { CRON_SECRET: TEST_CRON_SECRET, CRON_ALLOWED_IPS: "203.0.113.7", TRUSTED_PROXY_HOPS: "1" },
      async () => {
        await expectProblem(
          await cron({ "x-forwarded-for": "203.0.113.7, 198.51.100.1", [PEER_HEADER]: "10.0.0.5" }),
          403,
          "forbidden",
        );
        await expectJson(await cron({ "x-forwarded-for": "6.6.6.6, 203.0.113.7", [PEER_HEADER]: "10.0.0.5" }));
      },
    );
  });

  it("audit rows record the trusted address, not the one a client claims", async () => {
    const service = await newService(ctx.db);
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR) });
    const held = await holdOk(slot.id, {
      customer: { name: "監査", email: `audit-${crypto.randomUUID()}@example.com` },
    });
    const id = held.reservation.id;
    const res = await callRoute(cancelRoute, `/api/reservations/${id}/cancel?token=${held.token}`, {
      method: "POST",
      params: { id },
      json: { reason: "予定が変わりました" },
      headers: { "x-forwarded-for": "1.2.3.4", [PEER_HEADER]: "198.51.100.23" },
    });
    expect(res.status).toBe(200);
    const rows = await queryRows<{ ip: string | null }>(
      ctx.db,
      sql`select ip from audit_log where entity_id = ${id} and action like '%cancel%'`,
    );
    expect(rows.map((r) => r.ip)).toEqual(["198.51.100.23"]);
  });
});
