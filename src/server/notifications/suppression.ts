import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { writeAudit, type Actor } from "@/server/audit";
import { asService, type Db, type Tx } from "@/server/db";
import { emailSuppressions } from "@/server/db/schema";

/**
 * The email suppression list. An address lands here after a hard bounce or a spam complaint (bounces.ts) or when
 * staff add it by hand; the dispatcher then skips every email to it (status `suppressed`) until staff remove it.
 * Addresses are stored lower-cased (a CHECK enforces it). Every add and remove writes an audit row.
 */

export type SuppressionReason = "bounce" | "complaint" | "manual";
export type Suppression = typeof emailSuppressions.$inferSelect;

/** How strong a reason is: a complaint outranks a bounce, which outranks a manual entry. */
const RANK: Record<SuppressionReason, number> = { manual: 0, bounce: 1, complaint: 2 };

const emailSchema = z.email();

/** Lower-cased and trimmed; throws validation_failed for something that is not an address. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!emailSchema.safeParse(normalized).success) {
    throw new AppError("validation_failed", "Not a valid email address.", {
      errors: [{ path: "email", message: "must be an email address" }],
    });
  }
  return normalized;
}

export async function isSuppressed(db: Db | Tx, email: string): Promise<boolean> {
  return (await findSuppression(db, email)) !== undefined;
}

export async function findSuppression(db: Db | Tx, email: string): Promise<Suppression | undefined> {
  const [row] = await db
    .select()
    .from(emailSuppressions)
    .where(eq(emailSuppressions.email, email.trim().toLowerCase()));
  return row;
}

export type SuppressInput = {
  email: string;
  reason: SuppressionReason;
  /** Where it came from, e.g. "webhook:postmark", "webhook:generic", "staff". */
  source: string;
  notificationId?: string;
  actor: Actor;
  requestId?: string;
  /** Free text for the audit row (bounce description, staff note). */
  note?: string;
};

export type SuppressResult = { suppression: Suppression; created: boolean; updated: boolean };

/**
 * Adds an address in the caller's transaction. Idempotent: an address already listed stays as it is, except that a
 * stronger reason (complaint over bounce over manual) replaces a weaker one. Audits `email.suppressed` whenever the
 * row is created or strengthened, never for a repeat.
 */
export async function suppress(tx: Tx, input: SuppressInput): Promise<SuppressResult> {
  const email = normalizeEmail(input.email);
  const createdBy = input.actor.kind === "user" ? input.actor.id : null;
  // Two rounds at most: the second only runs when a concurrent removal took the row between our insert and our read.
  for (let round = 0; round < 2; round++) {
    const [inserted] = await tx
      .insert(emailSuppressions)
      .values({
        email,
        reason: input.reason,
        source: input.source,
        notificationId: input.notificationId ?? null,
        createdBy,
        createdAt: clock.now(),
      })
      .onConflictDoNothing({ target: emailSuppressions.email })
      .returning();
    if (inserted) {
      await audit(tx, input, email, null, inserted);
      logger.info(
        { event: "email.suppressed", reason: input.reason, source: input.source, notificationId: input.notificationId },
        "email address suppressed",
      );
      return { suppression: inserted, created: true, updated: false };
    }
    const [existing] = await tx
      .select()
      .from(emailSuppressions)
      .where(eq(emailSuppressions.email, email))
      .for("update");
    if (!existing) continue;
    if (RANK[input.reason] <= RANK[existing.reason]) return { suppression: existing, created: false, updated: false };
    const [updated] = await tx
      .update(emailSuppressions)
      .set({
        reason: input.reason,
        source: input.source,
        notificationId: input.notificationId ?? existing.notificationId,
      })
      .where(eq(emailSuppressions.email, email))
      .returning();
    if (!updated) throw new Error("suppression row vanished under a row lock");
    await audit(tx, input, email, existing, updated);
    logger.info(
      { event: "email.suppressed", reason: input.reason, previousReason: existing.reason, source: input.source },
      "email suppression strengthened",
    );
    return { suppression: updated, created: false, updated: true };
  }
  throw new AppError("conflict", "The suppression list changed concurrently; try again.");
}

/**
 * The staff "remove" verb: takes an address off the list so emails to it are sent again (rows already marked
 * `suppressed` stay so; staff resend them). Staff and admins only. Returns whether a row was removed.
 */
export async function unsuppress(
  email: string,
  actor: Actor,
  options: { requestId?: string; reason?: string } = {},
): Promise<{ removed: boolean; suppression?: Suppression }> {
  if (!(actor.kind === "system" || (actor.kind === "user" && (actor.role === "staff" || actor.role === "admin")))) {
    throw new AppError("forbidden", "Only staff can remove an address from the suppression list.");
  }
  const normalized = normalizeEmail(email);
  return asService(async (tx) => {
    const [removed] = await tx.delete(emailSuppressions).where(eq(emailSuppressions.email, normalized)).returning();
    if (!removed) return { removed: false };
    await writeAudit(tx, {
      actor,
      action: "email.unsuppressed",
      entityType: "email_suppression",
      entityId: normalized,
      before: describe(removed),
      after: null,
      reason: options.reason,
      requestId: options.requestId,
    });
    logger.info(
      { event: "email.unsuppressed", previousReason: removed.reason },
      "email address removed from the suppression list",
    );
    return { removed: true, suppression: removed };
  });
}

/** Suppressed addresses, newest first (for the staff list). */
export async function listSuppressions(
  db: Db | Tx,
  options: { limit?: number; offset?: number } = {},
): Promise<Suppression[]> {
  return db
    .select()
    .from(emailSuppressions)
    .orderBy(sql`${emailSuppressions.createdAt} desc, ${emailSuppressions.email}`)
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 500))
    .offset(Math.max(options.offset ?? 0, 0));
}

async function audit(
  tx: Tx,
  input: SuppressInput,
  email: string,
  before: Suppression | null,
  after: Suppression,
): Promise<void> {
  await writeAudit(tx, {
    actor: input.actor,
    action: "email.suppressed",
    entityType: "email_suppression",
    entityId: email,
    before: before ? describe(before) : null,
    after: describe(after),
    reason: input.note?.slice(0, 500) ?? input.reason,
    requestId: input.requestId,
  });
}

function describe(row: Suppression) {
  return { reason: row.reason, source: row.source, notificationId: row.notificationId };
}
