import { readFileSync } from "node:fs";
import path from "node:path";
import { sql, type SQL } from "drizzle-orm";

/** scripts/trace.sql, the documented query (docs/tracing.md), exactly as psql runs it. */
export const TRACE_SQL_FILE = path.resolve(import.meta.dirname, "trace.sql");

export function traceSqlText(): string {
  return readFileSync(TRACE_SQL_FILE, "utf8");
}

/** The same file with psql's `:'id'` bound as a parameter, for the app's own database handle (PGlite or PostgreSQL). */
export function traceQuery(requestId: string): SQL {
  const parts = traceSqlText().split(":'id'");
  if (parts.length !== 2) throw new Error("scripts/trace.sql must name :'id' exactly once");
  return sql`${sql.raw(parts[0] as string)}${requestId}${sql.raw(parts[1] as string)}`;
}

export type TraceRow = {
  source: "audit" | "outbox" | "inbox";
  at: string | Date;
  request_id: string | null;
  what: string;
  subject: string;
  detail: string | null;
};
