import "server-only";
import { and, asc, desc, eq, gt, gte, like, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { blank, dateRangeFields, escapeLike, rangeBounds, searchText } from "@/server/admin/list-query";
import { getEnv } from "@/lib/env";
import type { AuthContext } from "@/server/auth/guard";
import { asUser, type Tx } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";
import { isUuid } from "@/lib/uuid";

/**
 * The audit log viewer (/manage/audit, GET /api/admin/audit): read-only, newest first, filtered by who, what and
 * when, read as the signed-in staff member under Row Level Security. Pages are keyset pages on the id (the log only
 * grows, and OFFSET would slow down as it does): `before` walks to older rows, `after` back to newer ones.
 */

const cursor = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const auditQuery = z
  .strictObject({
    /** An account id, an email address, or an actor role as recorded (admin, staff, guest, system:payments…). */
    actor: searchText(320),
    /** An action, or a prefix ending in `*` (e.g. `payment.*`). */
    action: searchText(100),
    entityType: searchText(60),
    entityId: searchText(200),
    ...dateRangeFields,
    before: blank(cursor.optional()),
    after: blank(cursor.optional()),
    pageSize: blank(z.coerce.number().int().min(1).max(100).default(50)),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: "Use before or after, not both.",
    path: ["after"],
  });
export type AuditQuery = z.infer<typeof auditQuery>;

export type AuditEntryView = {
  id: number;
  occurredAt: string;
  actor: { id: string | null; role: string; email: string | null };
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
};

export type AuditPage = {
  entries: AuditEntryView[];
  /** Cursor for the next older page (`before=`), or null at the oldest row. */
  older: number | null;
  /** Cursor for the next newer page (`after=`), or null when this page starts at the newest row. */
  newer: number | null;
  pageSize: number;
};

/**
 * Addresses of the given accounts (public.user_emails checks that the caller is staff). A set-returning SQL function,
 * so raw SQL; its rows are what the function declares (uuid → string, text → string or null).
 */
export async function emailsOf(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; email: string | null }>(
    tx,
    sql`select id, email from public.user_emails(${`{${[...new Set(ids)].join(",")}}`}::uuid[], null)`,
  );
  return new Map(rows.filter((r) => r.email).map((r) => [r.id, r.email as string]));
}

async function actorFilter(tx: Tx, actor: string): Promise<SQL> {
  if (isUuid(actor)) return eq(auditLog.actorId, actor);
  if (actor.includes("@")) {
    const [match] = await queryRows<{ id: string }>(tx, sql`select id from public.user_emails(null, ${actor})`);
    return match ? eq(auditLog.actorId, match.id) : sql`false`;
  }
  return eq(auditLog.actorRole, actor);
}

export async function searchAudit(auth: AuthContext, query: AuditQuery): Promise<AuditPage> {
  const a = auditLog;
  return asUser(auth.claims, async (tx) => {
    const filters: SQL[] = [];
    if (query.actor) filters.push(await actorFilter(tx, query.actor));
    if (query.action?.endsWith("*")) filters.push(like(a.action, `${escapeLike(query.action.slice(0, -1))}%`));
    else if (query.action) filters.push(eq(a.action, query.action));
    if (query.entityType) filters.push(eq(a.entityType, query.entityType));
    if (query.entityId) filters.push(eq(a.entityId, query.entityId));
    const { from, to } = rangeBounds(query, getEnv().BUSINESS_TIMEZONE);
    if (from) filters.push(gte(a.occurredAt, from));
    if (to) filters.push(lt(a.occurredAt, to));
    if (query.before) filters.push(lt(a.id, query.before));
    if (query.after) filters.push(gt(a.id, query.after));
    // Walking newer rows reads ascending from the cursor; one extra row says whether there is another page.
    const rows = await tx
      .select()
      .from(a)
      .where(and(...filters))
      .orderBy(query.after ? asc(a.id) : desc(a.id))
      .limit(query.pageSize + 1);
    const more = rows.length > query.pageSize;
    const page = rows.slice(0, query.pageSize);
    if (query.after) page.reverse();
    const emails = await emailsOf(
      tx,
      page.flatMap((r) => (r.actorId ? [r.actorId] : [])),
    );
    const entries = page.map(({ occurredAt, actorId, actorRole, ...r }) => ({
      id: r.id,
      occurredAt: occurredAt.toISOString(),
      actor: { id: actorId, role: actorRole, email: actorId ? (emails.get(actorId) ?? null) : null },
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      before: r.before,
      after: r.after,
      reason: r.reason,
      requestId: r.requestId,
      ip: r.ip,
    }));
    const first = entries[0]?.id ?? null;
    const last = entries.at(-1)?.id ?? null;
    return {
      entries,
      older: query.after ? last : more ? last : null,
      newer: query.after ? (more ? first : null) : query.before ? first : null,
      pageSize: query.pageSize,
    };
  });
}
