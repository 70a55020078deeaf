// Long on purpose: the whole Drizzle schema in one file, so migrations, relations and RLS read as one
// picture and drizzle-kit has a single source. Split only by table group if it doubles.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  doublePrecision,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { paymentStatuses, reservationStatuses } from "../../lib/schemas/reservation-list";

/**
 * The whole domain. SQL migrations in drizzle/ are generated from this file (`npm run db:generate`);
 * RLS policies and grants are hand-written in drizzle/0002_rls.sql, one section per table.
 * Money is integer minor units + ISO currency; time is timestamptz.
 */

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => tstz("created_at").notNull().defaultNow();
const updatedAt = () => tstz("updated_at").notNull().defaultNow();

export const services = pgTable(
  "services",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    nameJa: text("name_ja").notNull(),
    nameEn: text("name_en").notNull(),
    descriptionJa: text("description_ja").notNull().default(""),
    descriptionEn: text("description_en").notNull().default(""),
    durationMinutes: integer("duration_minutes").notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull().default("JPY"),
    defaultCapacity: integer("default_capacity").notNull(),
    active: boolean("active").notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("services_duration_positive", sql`${t.durationMinutes} > 0 AND ${t.durationMinutes} <= 1440`),
    check("services_price_nonnegative", sql`${t.priceAmount} >= 0`),
    check("services_capacity_positive", sql`${t.defaultCapacity} > 0`),
    check("services_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const slotStatuses = ["open", "closed", "cancelled"] as const;

export const slots = pgTable(
  "slots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    serviceId: uuid("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "restrict" }),
    startsAt: tstz("starts_at").notNull(),
    endsAt: tstz("ends_at").notNull(),
    capacity: integer("capacity").notNull(),
    reserved: integer("reserved").notNull().default(0),
    status: text("status", { enum: slotStatuses }).notNull().default("open"),
    ruleId: uuid("rule_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("slots_service_starts_at_key").on(t.serviceId, t.startsAt),
    index("slots_starts_at_idx").on(t.startsAt),
    check("slots_reserved_within_capacity", sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.capacity}`),
    check("slots_capacity_nonnegative", sql`${t.capacity} >= 0`),
    check("slots_ends_after_starts", sql`${t.endsAt} > ${t.startsAt}`),
    check("slots_status_valid", sql`${t.status} IN ('open', 'closed', 'cancelled')`),
  ],
);

export const slotRules = pgTable(
  "slot_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    serviceId: uuid("service_id")
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    /** ISO weekday, 1 = Monday … 7 = Sunday, in the rule's time zone. */
    weekday: smallint("weekday").notNull(),
    startTime: time("start_time").notNull(),
    capacity: integer("capacity"),
    timezone: text("timezone").notNull().default("Asia/Tokyo"),
    validFrom: date("valid_from"),
    validUntil: date("valid_until"),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("slot_rules_service_idx").on(t.serviceId),
    check("slot_rules_weekday_valid", sql`${t.weekday} BETWEEN 1 AND 7`),
    check("slot_rules_capacity_positive", sql`${t.capacity} IS NULL OR ${t.capacity} > 0`),
  ],
);

export { reservationStatuses };

export const reservations = pgTable(
  "reservations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    code: text("code").notNull().unique(),
    slotId: uuid("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "restrict" }),
    userId: uuid("user_id"),
    customerName: text("customer_name").notNull(),
    customerEmail: text("customer_email").notNull(),
    customerPhone: text("customer_phone"),
    smsConsent: boolean("sms_consent").notNull().default(false),
    quantity: integer("quantity").notNull(),
    status: text("status", { enum: reservationStatuses }).notNull(),
    holdExpiresAt: tstz("hold_expires_at"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    locale: text("locale").notNull().default("ja"),
    manageTokenHash: text("manage_token_hash"),
    /** Keyed hash of the client address that made the hold (src/server/booking/hold-caps.ts), for the per-client cap. */
    holdClient: text("hold_client"),
    version: integer("version").notNull().default(1),
    confirmedAt: tstz("confirmed_at"),
    cancelledAt: tstz("cancelled_at"),
    cancelReason: text("cancel_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("reservations_slot_idx").on(t.slotId),
    index("reservations_user_idx").on(t.userId),
    index("reservations_email_idx").on(sql`lower(${t.customerEmail})`),
    index("reservations_hold_expiry_idx")
      .on(t.holdExpiresAt)
      .where(sql`${t.status} = 'held'`),
    index("reservations_hold_client_idx")
      .on(t.holdClient)
      .where(sql`${t.status} = 'held'`),
    index("reservations_held_email_idx")
      .on(sql`lower(${t.customerEmail})`)
      .where(sql`${t.status} = 'held'`),
    index("reservations_created_idx").on(t.createdAt),
    check("reservations_quantity_positive", sql`${t.quantity} > 0`),
    check("reservations_amount_nonnegative", sql`${t.amount} >= 0`),
    check("reservations_status_valid", sql`${t.status} IN ('held', 'confirmed', 'cancelled', 'expired', 'no_show')`),
    check("reservations_locale_valid", sql`${t.locale} IN ('ja', 'en')`),
    check("reservations_hold_has_expiry", sql`${t.status} <> 'held' OR ${t.holdExpiresAt} IS NOT NULL`),
  ],
);

/** History of slot changes (reschedules); the audit log has the who and why. */
export const reservationSlotChanges = pgTable(
  "reservation_slot_changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    reservationId: uuid("reservation_id")
      .notNull()
      .references(() => reservations.id, { onDelete: "cascade" }),
    fromSlotId: uuid("from_slot_id")
      .notNull()
      .references(() => slots.id),
    toSlotId: uuid("to_slot_id")
      .notNull()
      .references(() => slots.id),
    actorId: uuid("actor_id"),
    reason: text("reason"),
    createdAt: createdAt(),
  },
  (t) => [index("reservation_slot_changes_reservation_idx").on(t.reservationId)],
);

export { paymentStatuses };

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    reservationId: uuid("reservation_id")
      .notNull()
      .references(() => reservations.id, { onDelete: "restrict" }),
    provider: text("provider").notNull().default("stripe"),
    checkoutSessionId: text("checkout_session_id").unique(),
    paymentIntentId: text("payment_intent_id").unique(),
    status: text("status", { enum: paymentStatuses }).notNull().default("pending"),
    amount: integer("amount").notNull(),
    amountRefunded: integer("amount_refunded").notNull().default(0),
    currency: text("currency").notNull(),
    attempt: integer("attempt").notNull().default(1),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    latePayment: boolean("late_payment").notNull().default(false),
    /** Where the customer pays (Stripe Checkout, or the sandbox page in the embedded default). */
    checkoutUrl: text("checkout_url"),
    sessionExpiresAt: tstz("session_expires_at"),
    /** What the webhook handler decided when the money arrived (e.g. confirmed, late_payment_refunded). */
    outcome: text("outcome"),
    paidAt: tstz("paid_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("payments_reservation_idx").on(t.reservationId),
    uniqueIndex("payments_reservation_attempt_key").on(t.reservationId, t.attempt),
    index("payments_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.status} IN ('pending', 'failed')`),
    check("payments_amount_nonnegative", sql`${t.amount} >= 0`),
    check("payments_refund_within_amount", sql`${t.amountRefunded} >= 0 AND ${t.amountRefunded} <= ${t.amount}`),
  ],
);

export const refunds = pgTable(
  "refunds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id, { onDelete: "restrict" }),
    reservationId: uuid("reservation_id")
      .notNull()
      .references(() => reservations.id, { onDelete: "restrict" }),
    providerRefundId: text("provider_refund_id").unique(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "cancelled"] })
      .notNull()
      .default("pending"),
    reason: text("reason").notNull(),
    requestedBy: uuid("requested_by"),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    /** Gateway submission attempts; a refund whose submission failed stays pending and reconcile retries it. */
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("refunds_payment_idx").on(t.paymentId),
    index("refunds_reservation_idx").on(t.reservationId),
    index("refunds_pending_idx")
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check("refunds_amount_positive", sql`${t.amount} > 0`),
  ],
);

export const notificationStatuses = [
  "pending",
  "sending",
  "sent",
  "failed",
  "bounced",
  "suppressed",
  "cancelled",
] as const;

/** Transactional outbox: written in the same transaction as the state change that causes it. */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    reservationId: uuid("reservation_id").references(() => reservations.id, { onDelete: "set null" }),
    userId: uuid("user_id"),
    kind: text("kind").notNull(),
    channel: text("channel", { enum: ["email", "sms"] }).notNull(),
    revision: integer("revision").notNull().default(1),
    /** One row per (reservation, kind, channel, revision): nothing goes out twice. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    recipient: text("recipient").notNull(),
    locale: text("locale").notNull().default("ja"),
    payload: jsonb("payload").notNull().default({}),
    status: text("status", { enum: notificationStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    renderedMessage: text("rendered_message"),
    sentAt: tstz("sent_at"),
    requestId: text("request_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("notifications_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("notifications_reservation_idx").on(t.reservationId),
    index("notifications_user_idx").on(t.userId),
    index("notifications_status_idx").on(t.status, t.createdAt),
  ],
);

/** Inbox for provider webhooks: the unique key makes duplicates harmless. */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: ["received", "processed", "ignored", "failed"] })
      .notNull()
      .default("received"),
    outcome: text("outcome"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    requestId: text("request_id"),
    receivedAt: tstz("received_at").notNull().defaultNow(),
    processedAt: tstz("processed_at"),
  },
  (t) => [
    uniqueIndex("webhook_events_provider_event_key").on(t.provider, t.eventId),
    index("webhook_events_unprocessed_idx")
      .on(t.receivedAt)
      .where(sql`${t.status} IN ('received', 'failed')`),
  ],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Who sent the key (user id, or a guest scope), so two callers' keys never collide. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["in_flight", "completed"] })
      .notNull()
      .default("in_flight"),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    responseHeaders: jsonb("response_headers"),
    lockedUntil: tstz("locked_until"),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_scope_key").on(t.scope, t.key),
    index("idempotency_keys_expiry_idx").on(t.expiresAt),
  ],
);

/** Append-only: a trigger rejects UPDATE and DELETE for every role (drizzle/0002_rls.sql). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: tstz("occurred_at").notNull().defaultNow(),
    actorId: uuid("actor_id"),
    actorRole: text("actor_role").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    reason: text("reason"),
    requestId: text("request_id"),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    index("audit_log_occurred_idx").on(t.occurredAt),
    index("audit_log_actor_idx").on(t.actorId),
  ],
);

export const appRoles = ["admin", "staff", "user"] as const;
export type AppRole = (typeof appRoles)[number];

export const userRoles = pgTable(
  "user_roles",
  {
    userId: uuid("user_id").notNull(),
    role: text("role", { enum: appRoles }).notNull(),
    grantedBy: uuid("granted_by"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId] }),
    check("user_roles_role_valid", sql`${t.role} IN ('admin', 'staff', 'user')`),
  ],
);

export const emailSuppressions = pgTable(
  "email_suppressions",
  {
    email: text("email").primaryKey(),
    reason: text("reason", { enum: ["bounce", "complaint", "manual"] }).notNull(),
    source: text("source"),
    notificationId: uuid("notification_id"),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
  },
  (t) => [check("email_suppressions_lowercase", sql`${t.email} = lower(${t.email})`)],
);

/**
 * Leases for jobs that call outside services between their own transactions (e.g. reconcile-payments), so two
 * instances never run the same job at once without holding a transaction open across network calls.
 */
export const jobLeases = pgTable("job_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  lockedUntil: tstz("locked_until").notNull(),
  lastRunAt: tstz("last_run_at"),
});

/**
 * Rate-limit counters when RATE_LIMIT_STORE=postgres (src/server/security/rate-limit.ts): one row per rule and
 * hashed subject, in the shape rate-limiter-flexible's Drizzle store reads. Expired rows are purged by the
 * cleanup-rate-limits job.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull(),
    expire: tstz("expire"),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);

/**
 * Per-minute aggregates for the built-in dashboard (/manage/metrics, src/server/observability/metrics-store.ts): each
 * app instance adds what it counted to the row of (minute, kind, name), so rows are instance-independent sums.
 * `kind` http: one row per route group with requests, 5xx errors, the duration sum and a histogram (`buckets`, counts
 * per HTTP_DURATION_BUCKETS bound plus one for the rest); `kind` counter: a business counter, in `requests`.
 * Pruned by the prune-metrics job.
 */
export const metricMinutes = pgTable(
  "metric_minutes",
  {
    minute: tstz("minute").notNull(),
    kind: text("kind", { enum: ["http", "counter"] }).notNull(),
    name: text("name").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull().default(0),
    errors: bigint("errors", { mode: "number" }).notNull().default(0),
    durationMsSum: doublePrecision("duration_ms_sum").notNull().default(0),
    buckets: bigint("buckets", { mode: "number" })
      .array()
      .notNull()
      .default(sql`'{}'::bigint[]`),
  },
  (t) => [primaryKey({ columns: [t.minute, t.kind, t.name] })],
);
