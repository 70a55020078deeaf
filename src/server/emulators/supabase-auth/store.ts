// Long on purpose: every SQL statement of the Auth emulator (users, sessions, refresh tokens,
// one-time codes), small functions over one connection, kept where the schema they touch can be seen at once.
import { createHash, randomBytes } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { getDatabase } from "@/server/db";
import { queryRows, type Tx } from "@/server/db/client";
import { isUuid } from "@/lib/uuid";

/**
 * The emulator's database access. GoTrue connects as supabase_auth_admin, the owner of schema auth; the emulator
 * stands in for it with the app's owner connection (service_role has no rights on auth.users). Users live in
 * auth.users and sessions in auth.sessions, as on Supabase; refresh tokens, one-time codes and the sessions' amr in
 * schema auth_emulator (drizzle/0004_auth_hook.sql, 0008_auth_sessions.sql).
 */
export async function inAuthTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return db.transaction(fn);
}

export type UserRow = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  phone: string | null;
  phone_confirmed_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: unknown;
  raw_user_meta_data: unknown;
  is_anonymous: boolean;
  banned_until: string | null;
  created_at: string | null;
  updated_at: string | null;
};

// Timestamps as ISO 8601 text from Postgres itself, so both drivers return the same thing.
const userColumns = sql.raw(`id::text as id, aud, role, email, encrypted_password,
  to_json(email_confirmed_at) #>> '{}' as email_confirmed_at, phone,
  to_json(phone_confirmed_at) #>> '{}' as phone_confirmed_at, to_json(last_sign_in_at) #>> '{}' as last_sign_in_at,
  raw_app_meta_data, raw_user_meta_data, is_anonymous, to_json(banned_until) #>> '{}' as banned_until,
  to_json(created_at) #>> '{}' as created_at, to_json(updated_at) #>> '{}' as updated_at`);

export async function userById(tx: Tx, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await queryRows<UserRow>(
    tx,
    sql`select ${userColumns} from auth.users where id = ${id}::uuid and deleted_at is null`,
  );
  return row;
}

export async function userByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await queryRows<UserRow>(
    tx,
    sql`select ${userColumns} from auth.users where lower(email) = lower(${email}) and deleted_at is null`,
  );
  return row;
}

export type NewUser = {
  email: string;
  passwordHash: string | null;
  confirmedAt: Date | null;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  now: Date;
  role?: string;
};

export async function insertUser(tx: Tx, user: NewUser): Promise<UserRow | undefined> {
  const [row] = await queryRows<UserRow>(
    tx,
    sql`insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
          raw_user_meta_data, created_at, updated_at)
        values (gen_random_uuid(), 'authenticated', ${user.role ?? "authenticated"}, ${user.email.toLowerCase()},
          ${user.passwordHash}, ${user.confirmedAt?.toISOString() ?? null}::timestamptz,
          ${JSON.stringify(user.appMetadata)}::jsonb, ${JSON.stringify(user.userMetadata)}::jsonb, ${user.now.toISOString()}::timestamptz,
          ${user.now.toISOString()}::timestamptz)
        on conflict do nothing
        returning ${userColumns}`,
  );
  return row;
}

export type UserPatch = {
  email?: string;
  passwordHash?: string;
  confirmedAt?: Date;
  appMetadata?: Record<string, unknown>;
  userMetadata?: Record<string, unknown>;
  bannedUntil?: Date | null;
  lastSignInAt?: Date;
  role?: string;
};

export async function updateUser(tx: Tx, id: string, patch: UserPatch, now: Date): Promise<UserRow | undefined> {
  const iso = (d: Date | null | undefined) => (d === undefined ? undefined : d === null ? null : d.toISOString());
  const sets = [sql`updated_at = ${now.toISOString()}::timestamptz`];
  if (patch.email !== undefined) sets.push(sql`email = ${patch.email.toLowerCase()}`);
  if (patch.passwordHash !== undefined) sets.push(sql`encrypted_password = ${patch.passwordHash}`);
  if (patch.confirmedAt !== undefined)
    sets.push(sql`email_confirmed_at = coalesce(email_confirmed_at, ${iso(patch.confirmedAt)}::timestamptz)`);
  if (patch.appMetadata !== undefined) sets.push(sql`raw_app_meta_data = ${JSON.stringify(patch.appMetadata)}::jsonb`);
  if (patch.userMetadata !== undefined)
    sets.push(sql`raw_user_meta_data = ${JSON.stringify(patch.userMetadata)}::jsonb`);
  if (patch.bannedUntil !== undefined) sets.push(sql`banned_until = ${iso(patch.bannedUntil)}::timestamptz`);
  if (patch.lastSignInAt !== undefined) sets.push(sql`last_sign_in_at = ${iso(patch.lastSignInAt)}::timestamptz`);
  if (patch.role !== undefined) sets.push(sql`role = ${patch.role}`);
  const [row] = await queryRows<UserRow>(
    tx,
    sql`update auth.users set ${sql.join(sets, sql`, `)} where id = ${id}::uuid returning ${userColumns}`,
  );
  return row;
}

export async function deleteUser(tx: Tx, id: string): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`delete from auth.users where id = ${id}::uuid returning id::text as id`,
  );
  return rows.length > 0;
}

export async function listUsers(tx: Tx, page: number, perPage: number): Promise<{ users: UserRow[]; total: number }> {
  const [count] = await queryRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from auth.users where deleted_at is null`,
  );
  const users = await queryRows<UserRow>(
    tx,
    sql`select ${userColumns} from auth.users where deleted_at is null
        order by created_at desc, id limit ${perPage} offset ${(page - 1) * perPage}`,
  );
  return { users, total: count?.n ?? 0 };
}

// --- sessions and refresh tokens ----------------------------------------------------------------------------

/**
 * Sessions live in auth.sessions, where Supabase Auth keeps them (drizzle/0008_auth_sessions.sql), so the app's check
 * that a token's session still exists (src/server/auth/roles.ts) is the same with the emulator and a real project.
 * The emulator's extra (the amr list its tokens carry) is in auth_emulator.sessions under the same id.
 */
export type AmrEntry = { method: string; timestamp: number };
export type SessionRow = { id: string; user_id: string; aal: string; amr: unknown };

export async function createSession(tx: Tx, userId: string, amr: AmrEntry[], now: Date): Promise<SessionRow> {
  const at = now.toISOString();
  const [row] = await queryRows<SessionRow>(
    tx,
    sql`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
        values (gen_random_uuid(), ${userId}::uuid, ${at}::timestamptz, ${at}::timestamptz, 'aal1')
        returning id::text as id, user_id::text as user_id, aal::text as aal`,
  );
  if (!row) throw new Error("auth emulator: could not create a session");
  await tx.execute(
    sql`insert into auth_emulator.sessions (id, user_id, amr) values (${row.id}::uuid, ${userId}::uuid, ${JSON.stringify(amr)}::jsonb)`,
  );
  return { ...row, amr };
}

export async function sessionById(tx: Tx, id: string): Promise<SessionRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await queryRows<SessionRow>(
    tx,
    sql`select s.id::text as id, s.user_id::text as user_id, coalesce(s.aal::text, 'aal1') as aal, coalesce(e.amr, '[]'::jsonb) as amr
          from auth.sessions s left join auth_emulator.sessions e on e.id = s.id
         where s.id = ${id}::uuid`,
  );
  return row;
}

/** Ends sessions: the auth.sessions rows and the emulator's extras (their refresh tokens lose their session). */
async function endSessions(tx: Tx, where: SQL): Promise<void> {
  await tx.execute(
    sql`with ended as (delete from auth.sessions where ${where} returning id)
        delete from auth_emulator.sessions where id in (select id from ended)`,
  );
}

/** GoTrue's refresh tokens are 12 random characters; the emulator's are longer (any opaque string works). */
export function newRefreshToken(): string {
  return randomBytes(18).toString("base64url");
}

export async function insertRefreshToken(
  tx: Tx,
  session: SessionRow,
  parent: string | null,
  now: Date,
): Promise<string> {
  const token = newRefreshToken();
  await tx.execute(
    sql`insert into auth_emulator.refresh_tokens (token, session_id, user_id, parent, created_at, updated_at)
        values (${token}, ${session.id}::uuid, ${session.user_id}::uuid, ${parent}, ${now.toISOString()}::timestamptz,
          ${now.toISOString()}::timestamptz)`,
  );
  return token;
}

export type RotateResult =
  { kind: "rotated"; session: SessionRow; token: string } | { kind: "not_found" } | { kind: "reused" };

/** GoTrue's REFRESH_TOKEN_REUSE_INTERVAL as hosted Supabase and `supabase start` set it. */
export const REFRESH_TOKEN_REUSE_INTERVAL_SECONDS = 10;

/**
 * Rotates a refresh token: the old one is revoked in one conditional UPDATE (so two concurrent refreshes cannot
 * both win) and a child is issued in the same session. Like GoTrue with refresh-token rotation on: the parent of the
 * session's current token, presented again within the reuse interval (two tabs refreshing at once), gets that
 * current token back; any other revoked token presented again is reuse, and the whole session is revoked.
 */
export async function rotateRefreshToken(tx: Tx, token: string, now: Date): Promise<RotateResult> {
  const [revoked] = await queryRows<{ session_id: string | null }>(
    tx,
    sql`update auth_emulator.refresh_tokens set revoked = true, updated_at = ${now.toISOString()}::timestamptz
        where token = ${token} and not revoked returning session_id::text as session_id`,
  );
  if (!revoked) {
    const [existing] = await queryRows<{ session_id: string | null }>(
      tx,
      sql`select session_id::text as session_id from auth_emulator.refresh_tokens where token = ${token}`,
    );
    if (!existing) return { kind: "not_found" };
    const child = await activeChildWithinReuseInterval(tx, token, now);
    if (child) return child;
    if (existing.session_id) {
      // Revoke the whole family, then end the session (its access tokens stop working at GET /user).
      await tx.execute(
        sql`update auth_emulator.refresh_tokens set revoked = true where session_id = ${existing.session_id}::uuid`,
      );
      await endSessions(tx, sql`id = ${existing.session_id}::uuid`);
    }
    return { kind: "reused" };
  }
  // A token whose session ended (sign-out) is unknown to GoTrue.
  if (!revoked.session_id) return { kind: "not_found" };
  const session = await sessionById(tx, revoked.session_id);
  if (!session) return { kind: "not_found" };
  // refreshed_at is a timestamp without time zone in Supabase's table, in UTC.
  await tx.execute(
    sql`update auth.sessions set refreshed_at = ${now.toISOString()}::timestamptz at time zone 'UTC',
          updated_at = ${now.toISOString()}::timestamptz
        where id = ${session.id}::uuid`,
  );
  return { kind: "rotated", session, token: await insertRefreshToken(tx, session, token, now) };
}

async function activeChildWithinReuseInterval(tx: Tx, parent: string, now: Date): Promise<RotateResult | null> {
  const since = new Date(now.getTime() - REFRESH_TOKEN_REUSE_INTERVAL_SECONDS * 1000).toISOString();
  const [child] = await queryRows<{ token: string; session_id: string }>(
    tx,
    sql`select c.token, c.session_id::text as session_id from auth_emulator.refresh_tokens c
          join auth_emulator.refresh_tokens p on p.token = c.parent
         where c.parent = ${parent} and not c.revoked and c.session_id is not null
           and p.updated_at >= ${since}::timestamptz`,
  );
  if (!child) return null;
  const session = await sessionById(tx, child.session_id);
  return session ? { kind: "rotated", session, token: child.token } : null;
}

export async function deleteSessions(
  tx: Tx,
  userId: string,
  scope: "global" | "local" | "others",
  sessionId: string,
): Promise<void> {
  if (scope === "local") await endSessions(tx, sql`id = ${sessionId}::uuid`);
  else if (scope === "others") await endSessions(tx, sql`user_id = ${userId}::uuid and id <> ${sessionId}::uuid`);
  else await endSessions(tx, sql`user_id = ${userId}::uuid`);
}

// --- one-time codes -----------------------------------------------------------------------------------------

/** GoTrue's token hash: sha224 of email + code, hex ({{ .TokenHash }} in Supabase's email templates). */
export function tokenHashOf(email: string, code: string): string {
  return createHash("sha224")
    .update(email.toLowerCase() + code)
    .digest("hex");
}

export async function insertOneTimeToken(
  tx: Tx,
  values: { userId: string; type: string; tokenHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  // One live code per user and type, as GoTrue keeps one confirmation/recovery token per user.
  await tx.execute(
    sql`delete from auth_emulator.one_time_tokens where user_id = ${values.userId}::uuid and token_type = ${values.type}`,
  );
  await tx.execute(
    sql`insert into auth_emulator.one_time_tokens (user_id, token_type, token_hash, created_at, expires_at)
        values (${values.userId}::uuid, ${values.type}, ${values.tokenHash}, ${values.now.toISOString()}::timestamptz,
          ${values.expiresAt.toISOString()}::timestamptz)`,
  );
}

export async function lastOneTimeTokenAt(tx: Tx, userId: string): Promise<Date | undefined> {
  const [row] = await queryRows<{ at: string }>(
    tx,
    sql`select to_json(max(created_at)) #>> '{}' as at from auth_emulator.one_time_tokens where user_id = ${userId}::uuid`,
  );
  return row?.at ? new Date(row.at) : undefined;
}

/** Wrong codes a live one-time code survives: the 5th wrong guess for its address uses it up. */
export const MAX_WRONG_CODES = 5;

/** Consumes a code: single use, unexpired, of one of the accepted types. Returns the user id. */
export async function consumeOneTimeToken(
  tx: Tx,
  tokenHash: string,
  types: string[],
  now: Date,
): Promise<string | undefined> {
  const [row] = await queryRows<{ user_id: string }>(
    tx,
    sql`update auth_emulator.one_time_tokens set used_at = ${now.toISOString()}::timestamptz
        where token_hash = ${tokenHash} and used_at is null and expires_at > ${now.toISOString()}::timestamptz
          and token_type in (${sql.join(
            types.map((t) => sql`${t}`),
            sql`, `,
          )})
        returning user_id::text as user_id`,
  );
  return row?.user_id;
}

/**
 * A wrong code typed for this address: counts against the address's live codes of the accepted types, and uses up
 * (used_at) a code once it has seen MAX_WRONG_CODES wrong guesses, so the right code no longer works after them.
 * A six-digit code cannot then be found by guessing, whatever limits sit in front of the emulator.
 */
export async function recordWrongCode(tx: Tx, email: string, types: string[], now: Date): Promise<void> {
  const at = now.toISOString();
  await tx.execute(
    sql`update auth_emulator.one_time_tokens t
           set failed_attempts = t.failed_attempts + 1,
               used_at = case when t.failed_attempts + 1 >= ${MAX_WRONG_CODES} then ${at}::timestamptz end
          from auth.users u
         where u.id = t.user_id and lower(u.email) = lower(${email}) and u.deleted_at is null
           and t.used_at is null and t.expires_at > ${at}::timestamptz
           and t.token_type in (${sql.join(
             types.map((type) => sql`${type}`),
             sql`, `,
           )})`,
  );
}

// --- the custom access token hook ---------------------------------------------------------------------------

/** Runs public.custom_access_token_hook like Supabase Auth does and returns the claims it hands back. */
export async function applyAccessTokenHook(
  tx: Tx,
  event: { user_id: string; claims: Record<string, unknown>; authentication_method: string },
): Promise<Record<string, unknown>> {
  const [row] = await queryRows<{ result: unknown }>(
    tx,
    sql`select public.custom_access_token_hook(${JSON.stringify(event)}::jsonb) as result`,
  );
  const result = parseJson(row?.result) as { claims?: Record<string, unknown> } | null;
  if (!result?.claims) throw new Error("auth emulator: the access token hook returned no claims");
  return result.claims;
}

export function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}
