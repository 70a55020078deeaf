import "server-only";
import { sql } from "drizzle-orm";
import { Gauge } from "prom-client";
import { clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { processSingleton } from "@/lib/process-global";
import { asService, getDatabase, openTransactions } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { metrics } from "./metrics";

/**
 * The gauges that need the database, computed when Prometheus scrapes (prom-client collect() callbacks), never per
 * request: one cheap query (two partial-index counts) per scrape, shared by every gauge of that scrape. When the
 * database does not answer, `slotbook_metrics_database_up` is 0 and the other gauges keep their last values.
 */
type Snapshot = {
  outboxPending: number;
  outboxOldestSeconds: number;
  outboxFailed: number;
  inboxFailed: number;
  inboxUnprocessed: number;
  inboxOldestSeconds: number;
};

const SNAPSHOT_TTL_MS = 1000;

type ScrapeState = { snapshot?: { at: number; value: Promise<Snapshot | null> } };

const state = processSingleton<ScrapeState>("metricsScrape", () => {
  const registry = metrics().registry;
  const gauge = (name: string, help: string, read: (s: Snapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        if (s) this.set(read(s));
      },
    });
  gauge("slotbook_outbox_pending", "Notifications waiting to be sent (status pending).", (s) => s.outboxPending);
  gauge(
    "slotbook_outbox_oldest_pending_age_seconds",
    "Age of the oldest pending notification in seconds (0 when none).",
    (s) => s.outboxOldestSeconds,
  );
  gauge("slotbook_outbox_failed", "Notifications that failed for good (status failed).", (s) => s.outboxFailed);
  gauge("slotbook_webhook_inbox_failed", "Webhook inbox rows whose processing failed.", (s) => s.inboxFailed);
  gauge(
    "slotbook_webhook_inbox_unprocessed",
    "Webhook inbox rows not processed yet (received or failed).",
    (s) => s.inboxUnprocessed,
  );
  gauge(
    "slotbook_webhook_inbox_oldest_unprocessed_age_seconds",
    "Age of the oldest unprocessed webhook inbox row in seconds (0 when none).",
    (s) => s.inboxOldestSeconds,
  );
  new Gauge({
    name: "slotbook_metrics_database_up",
    help: "1 when the scrape-time database query answered, 0 when it failed.",
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: "slotbook_db_transactions_open",
    help: "Database transactions open in this process (each holds one pooled connection).",
    registers: [registry],
    collect() {
      this.set(openTransactions());
    },
  });
  new Gauge({
    name: "slotbook_db_pool_max",
    help: "Connections the pool may open (DATABASE_POOL_MAX; 1 for the embedded database).",
    registers: [registry],
    async collect() {
      const kind = await getDatabase()
        .then((h) => h.kind)
        .catch(() => undefined);
      if (kind) this.set(kind === "postgres" ? getEnv().DATABASE_POOL_MAX : 1);
    },
  });
  return {};
});

function snapshot(): Promise<Snapshot | null> {
  const s = state();
  const now = Date.now();
  if (!s.snapshot || now - s.snapshot.at > SNAPSHOT_TTL_MS) {
    s.snapshot = { at: now, value: readSnapshot().catch(() => null) };
  }
  return s.snapshot.value;
}

async function readSnapshot(): Promise<Snapshot> {
  const at = clock.now().toISOString();
  const [row] = await asService((tx) =>
    queryRows<Record<keyof Snapshot, string | number | null>>(
      tx,
      sql`select
            (select count(*) from notifications where status = 'pending') as "outboxPending",
            (select coalesce(extract(epoch from (${at}::timestamptz - min(created_at))), 0)
               from notifications where status = 'pending') as "outboxOldestSeconds",
            (select count(*) from notifications where status = 'failed') as "outboxFailed",
            (select count(*) from webhook_events where status = 'failed') as "inboxFailed",
            (select count(*) from webhook_events where status in ('received', 'failed')) as "inboxUnprocessed",
            (select coalesce(extract(epoch from (${at}::timestamptz - min(received_at))), 0)
               from webhook_events where status in ('received', 'failed')) as "inboxOldestSeconds"`,
    ),
  );
  const n = (v: string | number | null | undefined) => Math.max(0, Number(v ?? 0));
  return {
    outboxPending: n(row?.outboxPending),
    outboxOldestSeconds: n(row?.outboxOldestSeconds),
    outboxFailed: n(row?.outboxFailed),
    inboxFailed: n(row?.inboxFailed),
    inboxUnprocessed: n(row?.inboxUnprocessed),
    inboxOldestSeconds: n(row?.inboxOldestSeconds),
  };
}

/** The exposition text of this process's registry (scrape-time gauges included). */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  state();
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
