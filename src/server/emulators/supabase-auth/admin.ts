import "server-only";
import { clock } from "@/lib/clock";
import { GoTrueError, userNotFound } from "./errors";
import * as store from "./store";
import { checkPassword, hashPassword, merge, obj, str, validEmail, type Context } from "./requests";
import { metadata, userJson } from "./shapes";

/** The admin API (service role): GET|POST /admin/users, GET|PUT|DELETE /admin/users/{id}. */

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** "87600h", "24h", "30m", "none": GoTrue's ban_duration (Go durations; only h/m/s here). */
function banUntil(duration: string, now: Date): Date | null {
  if (duration === "none") return null;
  const match = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(duration);
  if (!match) throw new GoTrueError(400, "validation_failed", "invalid format for ban duration");
  const unit = { h: 3_600_000, m: 60_000, s: 1000 }[match[2] as "h" | "m" | "s"];
  return new Date(now.getTime() + Number(match[1]) * unit);
}

export async function adminListUsers(ctx: Context): Promise<Response> {
  const page = positiveInt(ctx.url.searchParams.get("page"), 1);
  const perPage = positiveInt(ctx.url.searchParams.get("per_page"), 50);
  const { users, total } = await store.inAuthTransaction((tx) => store.listUsers(tx, page, perPage));
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const links: string[] = [];
  if (page < lastPage) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`</admin/users?page=${lastPage}&per_page=${perPage}>; rel="last"`);
  return Response.json(
    { users: users.map(userJson), aud: "authenticated" },
    { headers: { "x-total-count": String(total), link: links.join(", ") } },
  );
}

export async function adminCreateUser(ctx: Context): Promise<Response> {
  const email = validEmail(str(ctx.body, "email"));
  const password = str(ctx.body, "password");
  const passwordHash = password === undefined ? null : await hashPassword(checkPassword(password));
  return store.inAuthTransaction(async (tx) => {
    const now = clock.now();
    const user = await store.insertUser(tx, {
      email,
      passwordHash,
      confirmedAt: ctx.body.email_confirm === true ? now : null,
      appMetadata: { provider: "email", providers: ["email"], ...(obj(ctx.body, "app_metadata") ?? {}) },
      userMetadata: obj(ctx.body, "user_metadata") ?? {},
      role: str(ctx.body, "role"),
      now,
    });
    if (!user) throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
    const ban = str(ctx.body, "ban_duration");
    const final = ban ? await store.updateUser(tx, user.id, { bannedUntil: banUntil(ban, now) }, now) : user;
    return Response.json(userJson(final ?? user));
  });
}

export async function adminGetUser(id: string): Promise<Response> {
  const user = await store.inAuthTransaction((tx) => store.userById(tx, id));
  if (!user) throw userNotFound();
  return Response.json(userJson(user));
}

export async function adminUpdateUser(id: string, ctx: Context): Promise<Response> {
  return store.inAuthTransaction(async (tx) => {
    const user = await store.userById(tx, id);
    if (!user) throw userNotFound();
    const now = clock.now();
    const patch: store.UserPatch = {};
    const password = str(ctx.body, "password");
    if (password !== undefined) patch.passwordHash = await hashPassword(checkPassword(password));
    const email = str(ctx.body, "email");
    if (email !== undefined && email.toLowerCase() !== user.email) {
      const next = validEmail(email);
      if (await store.userByEmail(tx, next))
        throw new GoTrueError(422, "email_exists", "A user with this email address has already been registered");
      patch.email = next;
    }
    if (ctx.body.email_confirm === true) patch.confirmedAt = now;
    const app = obj(ctx.body, "app_metadata");
    if (app) patch.appMetadata = merge(metadata(user.raw_app_meta_data), app);
    const data = obj(ctx.body, "user_metadata");
    if (data) patch.userMetadata = merge(metadata(user.raw_user_meta_data), data);
    const role = str(ctx.body, "role");
    if (role) patch.role = role;
    const ban = str(ctx.body, "ban_duration");
    if (ban) patch.bannedUntil = banUntil(ban, now);
    // A ban keeps the sessions, as GoTrue's User.Ban does; each use of them is refused with user_banned instead.
    const updated = await store.updateUser(tx, id, patch, now);
    return Response.json(userJson(updated ?? user));
  });
}

export async function adminDeleteUser(id: string): Promise<Response> {
  const deleted = await store.inAuthTransaction((tx) => store.deleteUser(tx, id));
  if (!deleted) throw userNotFound();
  return Response.json({});
}
