import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { POST as postReservation } from "@/app/api/reservations/route";
import type { HeldReservation } from "@/server/booking/hold";
import { queryRows, type Db } from "@/server/db/client";
import type { services } from "@/server/db/schema";
import { insertService } from "./fixtures";
import { callRoute, expectJson } from "./http";

/**
 * Builders and probes for the booking integration tests (tests/integration/booking*.test.ts): a hold through the
 * real route, the manage token of its link, and read-only snapshots of what a request may have changed.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** The tests' frozen "now": Monday 2030-01-07, 09:00 in Asia/Tokyo. */
export const T0 = new Date("2030-01-07T00:00:00Z");
export const at = (ms: number) => new Date(T0.getTime() + ms);

export type HoldResponse = {
  reservation: HeldReservation;
  next: { type: "pay"; url: string } | { type: "done" };
  manageUrl: string;
};

export type Held = HoldResponse & { token: string };

/** A service with a unique slug; paid (1,500 JPY) unless priceAmount says otherwise. */
export function newService(
  db: Db,
  values: Partial<typeof services.$inferInsert> = {},
): Promise<typeof services.$inferSelect> {
  return insertService(db, { slug: `svc-${crypto.randomUUID()}`, priceAmount: 1500, ...values });
}

export function holdPayload(slotId: string, overrides: Record<string, unknown> = {}) {
  return {
    slotId,
    quantity: 1,
    customer: { name: "山田 花子", email: "hanako@example.com" },
    locale: "ja",
    smsConsent: false,
    ...overrides,
  };
}

/** POST /api/reservations with a fresh Idempotency-Key (or the given one; null sends none). */
export function postHold(
  body: unknown,
  key: string | null = crypto.randomUUID(),
  headers: Record<string, string> = {},
) {
  return callRoute(postReservation, "/api/reservations", {
    method: "POST",
    json: body,
    headers: key === null ? headers : { "idempotency-key": key, ...headers },
  });
}

/** A successful hold through the route, with the manage token taken from its link. */
export async function holdOk(slotId: string, overrides: Record<string, unknown> = {}): Promise<Held> {
  const body = await expectJson<HoldResponse>(await postHold(holdPayload(slotId, overrides)), 201);
  return { ...body, token: manageTokenOf(body.manageUrl) };
}

export function manageTokenOf(manageUrl: string): string {
  const token = new URL(manageUrl).searchParams.get("token");
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return token as string;
}

export async function slotReserved(db: Db, slotId: string): Promise<number> {
  const [row] = await queryRows<{ reserved: number }>(db, sql`select reserved from slots where id = ${slotId}`);
  if (!row) throw new Error(`slot ${slotId} missing`);
  return Number(row.reserved);
}

export type AuditRow = {
  action: string;
  actor_role: string;
  actor_id: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  request_id: string | null;
};

export function auditRows(db: Db, entityId: string): Promise<AuditRow[]> {
  return queryRows<AuditRow>(
    db,
    sql`select action, actor_role, actor_id::text as actor_id, before, after, reason, request_id
          from audit_log where entity_id = ${entityId} order by id`,
  );
}

export type OutboxRow = {
  kind: string;
  channel: string;
  revision: number;
  recipient: string;
  locale: string;
  status: string;
  payload: Record<string, unknown>;
  request_id: string | null;
};

export function outboxRows(db: Db, reservationId: string): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    db,
    sql`select kind, channel, revision, recipient, locale, status, payload, request_id
          from notifications where reservation_id = ${reservationId} order by created_at, revision`,
  );
}

/**
 * Everything a booking request can change: every slot's seats, capacity and status, every reservation's state, slot
 * and version, and the number of audit, outbox and history rows. Equal snapshots mean nothing changed.
 */
export type Snapshot = {
  slots: string;
  reservations: string;
  audit: number;
  notifications: number;
  slotChanges: number;
};

export async function snapshot(db: Db): Promise<Snapshot> {
  const [row] = await queryRows<Snapshot>(
    db,
    sql`select
          coalesce((select string_agg(id::text || ':' || reserved || '/' || capacity || ':' || status, ',' order by id) from slots), '') as slots,
          coalesce((select string_agg(id::text || ':' || status || ':' || slot_id::text || ':v' || version, ',' order by id) from reservations), '') as reservations,
          (select count(*) from audit_log)::int as audit,
          (select count(*) from notifications)::int as notifications,
          (select count(*) from reservation_slot_changes)::int as "slotChanges"`,
  );
  if (!row) throw new Error("snapshot query returned no row");
  return {
    ...row,
    audit: Number(row.audit),
    notifications: Number(row.notifications),
    slotChanges: Number(row.slotChanges),
  };
}
