import { sql, type SQL } from "drizzle-orm";
import { asAnon, asService, asUser, type JwtClaims, type Tx } from "@/server/db";
import { queryRows, type Db } from "@/server/db/client";
import { insertUser } from "./fixtures";
import { INSUFFICIENT_PRIVILEGE, pgErrorOf } from "./pg-error";

/**
 * The RLS matrix's vocabulary, data and probes (tests/integration/rls-matrix.test.ts, docs/rls-matrix.md).
 * Outcomes: all / own (the caller's rows; insert: a row naming the caller but not one naming someone else) /
 * public (select: what any visitor may see) / none (no error, 0 rows) / denied (permission error 42501).
 */
export const ROLES = ["anon", "user", "staff", "admin", "service_role"] as const;
export type MatrixRole = (typeof ROLES)[number];
export const OPERATIONS = ["select", "insert", "update", "delete"] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Outcome = "all" | "own" | "public" | "none" | "denied";
export type TableExpectation = Record<Operation, Record<MatrixRole, Outcome>>;

/** One line of the matrix, in ROLES order: anon, user, staff, admin, service_role. */
export function roles(
  anon: Outcome,
  user: Outcome,
  staff: Outcome,
  admin: Outcome,
  service: Outcome,
): Record<MatrixRole, Outcome> {
  return { anon, user, staff, admin, service_role: service };
}

/** The matrix as the Markdown table docs/rls-matrix.md carries between its markers. */
export function renderMatrix(expectations: Record<string, TableExpectation>): string {
  const lines = [`| table | operation | ${ROLES.join(" | ")} |`, `|${" --- |".repeat(ROLES.length + 2)}`];
  for (const table of Object.keys(expectations).sort()) {
    for (const op of OPERATIONS)
      lines.push(`| ${table} | ${op} | ${ROLES.map((r) => expectations[table]![op][r]).join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, trimmed; null when the markers are missing. */
export function section(markdown: string, name: string): string | null {
  const match = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(markdown);
  return match ? (match[1] ?? "").trim() : null;
}

export type Runner = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
export type People = { userA: string; userB: string; userC: string; staff: string; admin: string; admin2: string };

/** A signed-in person's database access: role authenticated with the claims the access token hook gives them. */
export function signedIn(sub: string, userRole: NonNullable<JwtClaims["user_role"]>): Runner {
  return (fn) => asUser({ sub, role: "authenticated", user_role: userRole }, fn);
}

/** How each matrix role reaches the database, and whose rows count as "own" for it. */
export function callers(people: People): Record<MatrixRole, { run: Runner; id: string | null }> {
  return {
    anon: { run: (fn) => asAnon(fn), id: null },
    user: { run: signedIn(people.userA, "user"), id: people.userA },
    staff: { run: signedIn(people.staff, "staff"), id: people.staff },
    admin: { run: signedIn(people.admin, "admin"), id: people.admin },
    service_role: { run: (fn) => asService(fn), id: null },
  };
}

class RolledBack extends Error {}
export type Attempt<T> = { ok: true; value: T } | { ok: false; code: string };

/** Runs work as the caller and always rolls back, so no attempt changes what the next one sees. */
export async function attemptRolledBack<T>(run: Runner, work: (tx: Tx) => Promise<T>): Promise<Attempt<T>> {
  const box: { value?: T } = {};
  try {
    await run(async (tx) => {
      box.value = await work(tx);
      throw new RolledBack();
    });
  } catch (error) {
    if (error instanceof RolledBack) return { ok: true, value: box.value as T };
    return { ok: false, code: (await pgErrorOf(Promise.reject(error))).code };
  }
  throw new Error("the attempt's transaction was expected to roll back");
}

export const errorLabel = (code: string) => (code === INSUFFICIENT_PRIVILEGE ? "denied" : `error ${code}`);

/** A seeded row: its key as text, a readable label, whose it is, and how the matrix may use it. */
export type SeedRow = { label: string; key: string; owner: string | null; public?: boolean; leaf?: boolean };

/**
 * How the probes reach a table: `key` selects a row's key as text, `touch` is the column an update sets to itself,
 * `insert(owner)` adds a row naming owner (ownerAware tables are tried with the caller and with someone else), and
 * `owned` says the table has an "own rows" notion at all.
 */
export type TableProbe = {
  key: string;
  touch: string;
  insert: (owner: string | null) => SQL;
  ownerAware?: boolean;
  owned?: boolean;
};

/**
 * The outcome a set of reached rows shows: the expected one when the rows are exactly its set, else the outcome they
 * match, else the rows themselves. Throws when the data cannot tell the expected outcome from another one (such a
 * cell would pass whatever the policy did).
 */
export function classifyRows(
  expected: Outcome,
  universe: SeedRow[],
  reached: string[],
  ownerId: string | null,
): string {
  const names = (list: SeedRow[]) => JSON.stringify(list.map((r) => r.label).sort());
  const sets: Partial<Record<Outcome, string>> = { all: names(universe), none: "[]" };
  if (universe.some((r) => r.public)) sets.public = names(universe.filter((r) => r.public));
  if (ownerId) sets.own = names(universe.filter((r) => r.owner === ownerId));
  if (expected !== "denied") {
    const mine = sets[expected];
    if (!mine) throw new Error(`the data has no "${expected}" rows to compare with`);
    const twin = Object.entries(sets).find(([other, set]) => other !== expected && set === mine);
    if (twin) throw new Error(`the data cannot tell "${expected}" from "${twin[0]}"`);
  }
  const actual = JSON.stringify(reached.map((key) => universe.find((r) => r.key === key)?.label ?? `?${key}`).sort());
  return [expected, ...Object.keys(sets)].find((o) => sets[o as Outcome] === actual) ?? `rows ${actual}`;
}

/**
 * Rows in every table, written as the database owner: customers A and B (reservations, payments, refunds,
 * notifications, slot changes), a guest reservation, staff, two admins (so revoking one never removes the last admin)
 * and customer C without a role row. Leaves are rows nothing references: a delete may remove them without a
 * foreign-key error. Returns the probes too, since the insert probes point at seeded rows.
 */
export async function seedRlsFixtures(db: Db) {
  const person = (name: string) => insertUser(db, `rls-${name}@example.com`);
  const people: People = {
    userA: await person("a"),
    userB: await person("b"),
    userC: await person("c"),
    staff: await person("staff"),
    admin: await person("admin"),
    admin2: await person("admin2"),
  };
  const { userA, userB, staff, admin, admin2 } = people;
  const rows: Record<string, SeedRow[]> = {};
  const add = async (table: string, label: string, meta: Omit<SeedRow, "label" | "key">, statement: SQL) => {
    const [row] = await queryRows<{ key: string }>(db, statement);
    if (!row) throw new Error(`seeding ${table}.${label} returned no key`);
    (rows[table] ??= []).push({ label, key: row.key, ...meta });
    return row.key;
  };
  const leaf = (owner: string | null = null) => ({ owner, leaf: true });

  const service = (
    slug: string,
    active: boolean,
  ) => sql`insert into services (slug, name_ja, name_en, duration_minutes, price_amount,
    default_capacity, active) values (${slug}, 'RLS', 'RLS', 60, 1000, 4, ${active}) returning id::text as key`;
  const svc = await add("services", "svcActive", { owner: null, public: true }, service("rls-active", true));
  await add("services", "svcSpare", { ...leaf(), public: true }, service("rls-spare", true));
  await add("services", "svcInactive", leaf(), service("rls-inactive", false));

  const slot = (
    hour: number,
    status: string,
  ) => sql`insert into slots (service_id, starts_at, ends_at, capacity, status)
    values (${svc}::uuid, ${`2030-01-15T0${hour}:00:00Z`}::timestamptz, ${`2030-01-15T0${hour + 1}:00:00Z`}::timestamptz, 10, ${status})
    returning id::text as key`;
  const slotOpen = await add("slots", "slotOpen", { owner: null, public: true }, slot(1, "open"));
  const slotMoved = await add("slots", "slotMoved", { owner: null, public: true }, slot(3, "open"));
  await add("slots", "slotClosed", { ...leaf(), public: true }, slot(5, "closed"));
  await add("slots", "slotCancelled", leaf(), slot(7, "cancelled"));

  const rule = (weekday: number) =>
    sql`insert into slot_rules (service_id, weekday, start_time) values (${svc}::uuid, ${weekday}, '10:00') returning id::text as key`;
  await add("slot_rules", "ruleMon", leaf(), rule(1));
  await add("slot_rules", "ruleTue", leaf(), rule(2));

  const reservation = (
    code: string,
    owner: string | null,
  ) => sql`insert into reservations (code, slot_id, user_id, customer_name,
    customer_email, quantity, status, amount, currency) values (${code}, ${slotOpen}::uuid, ${owner}::uuid, ${code}, 'c@example.com', 1,
    'confirmed', 1000, 'JPY') returning id::text as key`;
  const resA = await add("reservations", "resA", { owner: userA }, reservation("RLS-A", userA));
  const resB = await add("reservations", "resB", { owner: userB }, reservation("RLS-B", userB));
  const resGuest = await add("reservations", "resGuest", { owner: null }, reservation("RLS-GUEST", null));
  await add("reservations", "resALeaf", leaf(userA), reservation("RLS-A2", userA));
  await add("reservations", "resBLeaf", leaf(userB), reservation("RLS-B2", userB));

  const change = (res: string) => sql`insert into reservation_slot_changes (reservation_id, from_slot_id, to_slot_id)
    values (${res}::uuid, ${slotMoved}::uuid, ${slotOpen}::uuid) returning id::text as key`;
  await add("reservation_slot_changes", "changeA", leaf(userA), change(resA));
  await add("reservation_slot_changes", "changeB", leaf(userB), change(resB));

  const payment = (
    res: string,
    attempt: number,
  ) => sql`insert into payments (reservation_id, amount, currency, status, attempt)
    values (${res}::uuid, 1000, 'JPY', 'succeeded', ${attempt}) returning id::text as key`;
  const payA = await add("payments", "payA", { owner: userA }, payment(resA, 1));
  const payB = await add("payments", "payB", { owner: userB }, payment(resB, 1));
  await add("payments", "payGuest", leaf(), payment(resGuest, 1));
  await add("payments", "payALeaf", leaf(userA), payment(resA, 2));
  await add("payments", "payBLeaf", leaf(userB), payment(resB, 2));

  const refund = (
    pay: string,
    res: string,
    key: string,
  ) => sql`insert into refunds (payment_id, reservation_id, amount, currency,
    status, reason, idempotency_key) values (${pay}::uuid, ${res}::uuid, 500, 'JPY', 'succeeded', 'x', ${key}) returning id::text as key`;
  await add("refunds", "refundA", leaf(userA), refund(payA, resA, "rls-refund-a"));
  await add("refunds", "refundB", leaf(userB), refund(payB, resB, "rls-refund-b"));

  const notification = (
    key: string,
    userId: string | null,
    res: string | null,
  ) => sql`insert into notifications (user_id,
    reservation_id, kind, channel, dedupe_key, recipient) values (${userId}::uuid, ${res}::uuid, 'confirmation', 'email', ${key},
    'someone@example.com') returning id::text as key`;
  // A's two rows reach the policy by both paths: addressed to the user, and through the user's reservation.
  await add("notifications", "noteToA", leaf(userA), notification("rls-n1", userA, null));
  await add("notifications", "noteResA", leaf(userA), notification("rls-n2", null, resA));
  await add("notifications", "noteResB", leaf(userB), notification("rls-n3", null, resB));
  await add("notifications", "noteGuest", leaf(), notification("rls-n4", null, resGuest));

  const webhook = (eventId: string) => sql`insert into webhook_events (provider, event_id, type, payload)
    values ('stripe', ${eventId}, 'checkout.session.completed', '{}'::jsonb) returning id::text as key`;
  await add("webhook_events", "eventPaid", leaf(), webhook("evt_rls_1"));
  await add("webhook_events", "eventOther", leaf(), webhook("evt_rls_2"));

  const idempotency = (
    scope: string,
  ) => sql`insert into idempotency_keys (scope, key, method, path, request_hash, expires_at)
    values (${scope}, 'rls-key', 'POST', '/api/reservations', 'hash', '2030-01-01T00:00:00Z') returning id::text as key`;
  await add("idempotency_keys", "keyA", leaf(), idempotency(`user:${userA}`));
  await add("idempotency_keys", "keyGuest", leaf(), idempotency("guest:rls"));

  const lease = (name: string) =>
    sql`insert into job_leases (name, holder, locked_until) values (${name}, 'rls', '2030-01-01T00:00:00Z') returning name as key`;
  await add("job_leases", "leaseReconcile", leaf(), lease("rls-reconcile"));
  await add("job_leases", "leaseExpire", leaf(), lease("rls-expire"));

  const minute = (name: string) =>
    sql`insert into metric_minutes (minute, kind, name, requests) values ('2030-01-01T00:00:00Z', 'http', ${name}, 1) returning name as key`;
  await add("metric_minutes", "minuteBooking", leaf(), minute("booking"));
  await add("metric_minutes", "minuteAdmin", leaf(), minute("admin"));

  const counter = (key: string) =>
    sql`insert into rate_limits (key, points, expire) values (${key}, 1, '2030-01-01T00:00:00Z') returning key`;
  await add("rate_limits", "counterA", leaf(), counter("rl:api.read:rls-a"));
  await add("rate_limits", "counterB", leaf(), counter("rl:signin.password.account:rls-b"));

  const audit = (
    actor: string | null,
    role: string,
  ) => sql`insert into audit_log (actor_id, actor_role, action, entity_type, entity_id,
    reason) values (${actor}::uuid, ${role}, 'reservation.cancelled', 'reservation', ${resA}, 'seed') returning id::text as key`;
  // Customer A has an audit row of their own, so "none" for customers is told apart from "own rows only".
  await add("audit_log", "auditByA", leaf(userA), audit(userA, "user"));
  await add("audit_log", "auditByStaff", leaf(staff), audit(staff, "staff"));
  await add("audit_log", "auditBySystem", leaf(), audit(null, "system"));

  const role = (userId: string, name: string) =>
    sql`insert into user_roles (user_id, role) values (${userId}::uuid, ${name}) returning user_id::text as key`;
  await add("user_roles", "roleA", leaf(userA), role(userA, "user"));
  await add("user_roles", "roleB", leaf(userB), role(userB, "user"));
  await add("user_roles", "roleStaff", leaf(staff), role(staff, "staff"));
  // The calling admin's own row is no delete target: removing it could trip the last-admin guard.
  await add("user_roles", "roleAdmin", { owner: admin }, role(admin, "admin"));
  await add("user_roles", "roleAdmin2", leaf(admin2), role(admin2, "admin"));

  const suppression = (email: string) =>
    sql`insert into email_suppressions (email, reason, created_by) values (${email}, 'bounce', ${staff}::uuid) returning email as key`;
  await add("email_suppressions", "bounced", leaf(), suppression("bounced@example.com"));
  await add("email_suppressions", "complained", leaf(), suppression("complained@example.com"));

  const probes: Record<string, TableProbe> = {
    services: {
      key: "id::text",
      touch: "name_en",
      insert: () =>
        sql`insert into services (slug, name_ja, name_en, duration_minutes, price_amount, default_capacity) values ('rls-new', 'x', 'x', 60, 0, 1)`,
    },
    slots: {
      key: "id::text",
      touch: "status",
      insert: () =>
        sql`insert into slots (service_id, starts_at, ends_at, capacity) values (${svc}::uuid, '2031-01-01T00:00:00Z', '2031-01-01T01:00:00Z', 5)`,
    },
    slot_rules: {
      key: "id::text",
      touch: "active",
      insert: () => sql`insert into slot_rules (service_id, weekday, start_time) values (${svc}::uuid, 5, '09:00')`,
    },
    reservations: {
      key: "id::text",
      touch: "updated_at",
      owned: true,
      ownerAware: true,
      insert: (owner) =>
        sql`insert into reservations (code, slot_id, user_id, customer_name, customer_email, quantity, status, amount, currency) values ('RLS-NEW', ${slotOpen}::uuid, ${owner}::uuid, 'New', 'new@example.com', 1, 'confirmed', 0, 'JPY')`,
    },
    reservation_slot_changes: {
      key: "id::text",
      touch: "reason",
      owned: true,
      insert: () =>
        sql`insert into reservation_slot_changes (reservation_id, from_slot_id, to_slot_id) values (${resA}::uuid, ${slotOpen}::uuid, ${slotMoved}::uuid)`,
    },
    payments: {
      key: "id::text",
      touch: "status",
      owned: true,
      insert: () =>
        sql`insert into payments (reservation_id, amount, currency, attempt) values (${resA}::uuid, 1000, 'JPY', 9)`,
    },
    refunds: {
      key: "id::text",
      touch: "status",
      owned: true,
      insert: () =>
        sql`insert into refunds (payment_id, reservation_id, amount, currency, reason, idempotency_key) values (${payA}::uuid, ${resA}::uuid, 100, 'JPY', 'x', 'rls-new')`,
    },
    notifications: {
      key: "id::text",
      touch: "status",
      owned: true,
      ownerAware: true,
      insert: (owner) =>
        sql`insert into notifications (user_id, kind, channel, dedupe_key, recipient) values (${owner}::uuid, 'manual', 'email', 'rls-new', 'x@example.com')`,
    },
    webhook_events: {
      key: "id::text",
      touch: "status",
      insert: () =>
        sql`insert into webhook_events (provider, event_id, type, payload) values ('stripe', 'evt_rls_new', 'x', '{}'::jsonb)`,
    },
    idempotency_keys: {
      key: "id::text",
      touch: "status",
      insert: () =>
        sql`insert into idempotency_keys (scope, key, method, path, request_hash, expires_at) values ('guest:new', 'k', 'POST', '/x', 'h', '2030-01-01T00:00:00Z')`,
    },
    job_leases: {
      key: "name",
      touch: "holder",
      insert: () =>
        sql`insert into job_leases (name, holder, locked_until) values ('rls-new', 'x', '2030-01-01T00:00:00Z')`,
    },
    metric_minutes: {
      key: "name",
      touch: "requests",
      insert: () =>
        sql`insert into metric_minutes (minute, kind, name, requests) values ('2030-01-02T00:00:00Z', 'http', 'rls-new', 1)`,
    },
    rate_limits: {
      key: "key",
      touch: "points",
      insert: () => sql`insert into rate_limits (key, points, expire) values ('rl:new', 1, '2030-01-01T00:00:00Z')`,
    },
    audit_log: {
      key: "id::text",
      touch: "reason",
      owned: true,
      ownerAware: true,
      insert: (owner) =>
        sql`insert into audit_log (actor_id, actor_role, action, entity_type, entity_id) values (${owner}::uuid, public.jwt_app_role(), 'note.added', 'reservation', 'x')`,
    },
    user_roles: {
      key: "user_id::text",
      touch: "role",
      owned: true,
      insert: () => sql`insert into user_roles (user_id, role) values (${people.userC}::uuid, 'staff')`,
    },
    email_suppressions: {
      key: "email",
      touch: "reason",
      insert: () => sql`insert into email_suppressions (email, reason) values ('new@example.com', 'manual')`,
    },
  };
  return { people, rows, probes };
}
