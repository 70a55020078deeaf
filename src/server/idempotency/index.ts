import "server-only";
import { createHash } from "node:crypto";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { clock } from "@/lib/clock";
import { AppError, errorCatalog, type ErrorCode, type FieldError } from "@/lib/errors";
import { getDatabase } from "@/server/db";
import { idempotencyKeys } from "@/server/db/schema";

/**
 * Idempotency-Key for POSTs that create or charge (IETF draft semantics, invariant 5):
 *   same key + same payload   → the stored response is replayed (Idempotency-Replayed: true)
 *   same key, first in flight → 409 idempotency_in_flight
 *   same key + other payload  → 422 idempotency_mismatch
 *   no key                    → 400 missing_header
 * Keys are scoped per caller (user id, or "guest") and kept 24 h; the cleanup job removes expired ones. Client errors
 * (4xx) are stored and replayed like successes; server errors are not stored, so a retry runs again. A key whose
 * first request crashed is taken over once its lock (LOCK_SECONDS) has passed.
 */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const TTL_MS = 24 * 3_600_000;
const LOCK_SECONDS = 60;

export type StoredResponse = { status: number; body: unknown };
export type IdempotentResult = StoredResponse & { replayed: boolean };

export type IdempotencyRequest = { scope: string; key: string | null; method: string; path: string; payload: unknown };

/**
 * Returns the UPDATE that marks the key completed with this response, for the caller to run as part of its own
 * statement or transaction, so "the reservation exists" and "the key replays its response" commit together: a crash
 * after the commit can never let a retry run the operation a second time. It ends in its WHERE clause, so the caller
 * may add conditions (`… and exists (select 1 from r)`).
 */
export type RecordResponse = (response: StoredResponse) => SQL;

export async function withIdempotency(
  request: IdempotencyRequest,
  run: (record: RecordResponse) => Promise<StoredResponse>,
): Promise<IdempotentResult> {
  const key = request.key?.trim();
  if (!key)
    throw new AppError("missing_header", "Send an Idempotency-Key header (e.g. a random UUID) with this request.");
  if (!KEY_PATTERN.test(key))
    throw new AppError("bad_request", "Idempotency-Key must be 1–255 visible ASCII characters.");
  const requestHash = hashRequest(request.method, request.path, request.payload);
  const claim = await claimKey(request.scope, key, request.method, request.path, requestHash);
  if (claim.kind === "replay") {
    if (claim.response.status >= 400) throw storedError(claim.response.body);
    return { ...claim.response, replayed: true };
  }

  let recorded = false;
  const record: RecordResponse = (response) => {
    recorded = true;
    return sql`update idempotency_keys
                  set status = 'completed', response_status = ${response.status},
                      response_body = ${JSON.stringify(response.body ?? null)}::jsonb, locked_until = null
                where id = ${claim.id}::uuid`;
  };
  let response: StoredResponse;
  try {
    response = await run(record);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      // The domain transaction rolled back: nothing changed, and this answer is what a retry must get again.
      await complete(claim.id, {
        status: error.status,
        body: { code: error.code, detail: error.message, errors: error.errors },
      });
      throw error;
    }
    // Unknown outcome after a recorded response: keep the row (replay if it committed, takeover after the lock if
    // not). Otherwise free the key so the client's retry runs again.
    if (!recorded) await (await getDatabase()).db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, claim.id));
    throw error;
  }
  if (!recorded) await complete(claim.id, response);
  return { ...response, replayed: false };
}

type Claim = { kind: "run"; id: string } | { kind: "replay"; response: StoredResponse };

/**
 * Single autocommit statements on the app's own connection role: the key table is internal to the app (no grants to
 * anon/authenticated), and each statement must be visible to concurrent requests at once.
 */
async function claimKey(scope: string, key: string, method: string, path: string, requestHash: string): Promise<Claim> {
  const { db } = await getDatabase();
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = clock.now();
    const lockedUntil = new Date(now.getTime() + LOCK_SECONDS * 1000);
    const inserted = await db
      .insert(idempotencyKeys)
      .values({
        scope,
        key,
        method,
        path,
        requestHash,
        lockedUntil,
        createdAt: now,
        expiresAt: new Date(now.getTime() + TTL_MS),
      })
      .onConflictDoNothing({ target: [idempotencyKeys.scope, idempotencyKeys.key] })
      .returning({ id: idempotencyKeys.id });
    if (inserted[0]) return { kind: "run", id: inserted[0].id };

    const [existing] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    if (!existing) continue; // removed between our insert and select: try again
    if (existing.expiresAt <= now) {
      await db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, existing.id));
      continue;
    }
    if (existing.requestHash !== requestHash) {
      throw new AppError("idempotency_mismatch", "This Idempotency-Key was already used with a different request.");
    }
    if (existing.status === "completed") {
      return { kind: "replay", response: { status: existing.responseStatus ?? 200, body: existing.responseBody } };
    }
    if (existing.lockedUntil && existing.lockedUntil > now) {
      throw new AppError(
        "idempotency_in_flight",
        "The first request with this Idempotency-Key is still being processed.",
        {
          retryAfterSeconds: 1,
        },
      );
    }
    // The first attempt crashed without finishing: take the key over, unless another retry just did.
    const taken = await db
      .update(idempotencyKeys)
      .set({ lockedUntil })
      .where(
        and(
          eq(idempotencyKeys.id, existing.id),
          eq(idempotencyKeys.status, "in_flight"),
          existing.lockedUntil ? eq(idempotencyKeys.lockedUntil, existing.lockedUntil) : undefined,
        ),
      )
      .returning({ id: idempotencyKeys.id });
    if (taken[0]) return { kind: "run", id: taken[0].id };
  }
  throw new AppError("idempotency_in_flight", "The Idempotency-Key is busy; retry shortly.", { retryAfterSeconds: 1 });
}

/** A replayed client error is thrown again as the same AppError, so it goes out as the same problem+json. */
function storedError(body: unknown): AppError {
  const stored = (body ?? {}) as { code?: string; detail?: string; errors?: FieldError[] };
  const code = stored.code && stored.code in errorCatalog ? (stored.code as ErrorCode) : "conflict";
  return new AppError(code, stored.detail, { errors: stored.errors });
}

async function complete(id: string, response: StoredResponse): Promise<void> {
  const { db } = await getDatabase();
  await db.update(idempotencyKeys).set(completedValues(response)).where(eq(idempotencyKeys.id, id));
}

function completedValues(response: StoredResponse) {
  return {
    status: "completed" as const,
    responseStatus: response.status,
    responseBody: response.body ?? null,
    lockedUntil: null,
  };
}

export function hashRequest(method: string, path: string, payload: unknown): string {
  return createHash("sha256")
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(payload)}`)
    .digest("hex");
}

/** JSON with object keys sorted, so {"a":1,"b":2} and {"b":2,"a":1} are the same request. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
