import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { GET as confirmRoute } from "@/app/auth/confirm/route";
import { listOwnReservations } from "@/server/account/reservations";
import { queueAuthEmail } from "@/server/auth/emails";
import { authenticate } from "@/server/auth/guard";
import { AUTH_COOKIE, authContextFrom, readSession } from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";
import { asUser } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { onAuthMessage } from "@/server/emulators/supabase-auth/messages";
import { createAuthClient } from "@/server/auth/client";
import { dispatchNotifications, setAutoDispatch } from "@/server/notifications/dispatch";
import { memoryJar, sessionCookieFor, signedInAs } from "../helpers/auth";
import { HOUR, holdPayload, newService, postHold, type HoldResponse } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { apiRequest, callRoute, expectJson } from "../helpers/http";

/**
 * Issue 6: cookie sessions (@supabase/ssr), sign-in emails through the outbox, the /auth/confirm link, and who owns
 * a booking made while signed in.
 */
describeEachDatabase("auth: cookie sessions, sign-in emails and owned bookings", (ctx) => {
  let dataDir: string;
  let restoreEnv: () => void;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "slotbook-auth-"));
    restoreEnv = setEnv({ APP_BASE_URL: "https://book.example.com", DATA_DIR: dataDir });
    setAutoDispatch(false);
    onAuthMessage(queueAuthEmail);
  });
  afterEach(() => {
    onAuthMessage(undefined);
    restoreEnv();
    rmSync(dataDir, { recursive: true, force: true });
  });

  type Row = {
    id: string;
    status: string;
    payload: Record<string, unknown>;
    rendered_message: string | null;
    locale: string;
  };
  const signInRows = (email: string) =>
    queryRows<Row>(
      ctx.db,
      sql`select id, status, payload, rendered_message, locale from notifications where kind = 'sign_in_link' and recipient = ${email} order by created_at`,
    );

  it("emails a sign-in link and code through the outbox; the row keeps neither once sent", async () => {
    const who = await signedInAs(ctx.db, "user");
    const redirect = "https://book.example.com/auth/confirm?next=%2Faccount&locale=en";
    const { error } = await createAuthClient().auth.signInWithOtp({
      email: who.email,
      options: { shouldCreateUser: false, emailRedirectTo: redirect },
    });
    expect(error).toBeNull();

    const [queued] = await signInRows(who.email);
    expect(queued).toMatchObject({ status: "pending", locale: "en" });
    const link = new URL(String(queued!.payload.signInUrl));
    expect(`${link.origin}${link.pathname}`).toBe("https://book.example.com/auth/confirm");
    expect(link.searchParams.get("next")).toBe("/account");
    expect(link.searchParams.get("type")).toBe("email");
    const tokenHash = link.searchParams.get("token_hash")!;
    const code = String(queued!.payload.oneTimeCode);
    expect(code).toMatch(/^\d{6}$/);

    expect((await dispatchNotifications()).sent).toBe(1);
    const [sent] = await signInRows(who.email);
    expect(sent!.status).toBe("sent");
    expect(sent!.payload).toEqual({});
    expect(sent!.rendered_message).toContain("[redacted]");
    expect(sent!.rendered_message).not.toContain(tokenHash);
    expect(sent!.rendered_message).not.toContain(code);

    // The dry-run file is the message as built: the person can sign in with it.
    const file = readdirSync(path.join(dataDir, "outbox")).find((f) => f.startsWith(sent!.id));
    const mail = await simpleParser(readFileSync(path.join(dataDir, "outbox", file!)));
    expect(mail.subject).toMatch(/sign-in link/i);
    expect(mail.text).toContain(link.toString());
    expect(mail.text).toContain(code);
  });

  it("nobody reads a pending sign-in email through RLS, staff included (it holds a working link and code)", async () => {
    const who = await signedInAs(ctx.db, "admin");
    const staff = await signedInAs(ctx.db, "staff");
    await createAuthClient().auth.signInWithOtp({ email: who.email, options: { shouldCreateUser: false } });
    const [queued] = await signInRows(who.email);
    expect(queued!.status).toBe("pending");
    for (const reader of [staff, who]) {
      const auth = authContextFrom(await verifyAccessToken(reader.token));
      const seen = await asUser(auth.claims, (tx) =>
        queryRows(tx, sql`select id from notifications where id = ${queued!.id}::uuid`),
      );
      expect(seen, reader.role).toEqual([]);
    }
  });

  it("a link to another site in redirect_to is replaced by this site's confirm page", async () => {
    const who = await signedInAs(ctx.db, "user");
    await createAuthClient().auth.signInWithOtp({
      email: who.email,
      options: { shouldCreateUser: false, emailRedirectTo: "https://evil.example/steal" },
    });
    const [queued] = await signInRows(who.email);
    expect(String(queued!.payload.signInUrl)).toMatch(
      /^https:\/\/book\.example\.com\/auth\/confirm\?next=%2Faccount&token_hash=/,
    );
  });

  it("/auth/confirm signs in once with the emailed link, sets HttpOnly session cookies and refuses the link again", async () => {
    const who = await signedInAs(ctx.db, "staff");
    await createAuthClient().auth.signInWithOtp({
      email: who.email,
      options: {
        shouldCreateUser: false,
        emailRedirectTo: "https://book.example.com/auth/confirm?next=%2Fmanage%2Fslots",
      },
    });
    const [queued] = await signInRows(who.email);
    const link = new URL(String(queued!.payload.signInUrl));
    const first = await callRoute(confirmRoute, `${link.pathname}${link.search}`);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("https://book.example.com/manage/slots");
    const setCookie = first.headers.getSetCookie();
    expect(
      setCookie.some((c) => c.startsWith(`${AUTH_COOKIE}=`) && /HttpOnly/i.test(c) && /SameSite=Lax/i.test(c)),
    ).toBe(true);

    const jar = memoryJar();
    jar.setAll(setCookie.map((c) => ({ name: c.split("=")[0]!, value: c.slice(c.indexOf("=") + 1).split(";")[0]! })));
    expect(await readSession(jar)).toMatchObject({ userId: who.userId, role: "staff" });

    const again = await callRoute(confirmRoute, `${link.pathname}${link.search}`);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("https://book.example.com/sign-in?error=link_invalid");
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    ["no token", "/auth/confirm?type=email"],
    ["unknown type", "/auth/confirm?token_hash=abc&type=sms"],
    ["forged hash", "/auth/confirm?token_hash=0000&type=email"],
  ])("/auth/confirm with %s goes back to sign-in without a session", async (_, url) => {
    const res = await callRoute(confirmRoute, url);
    expect(res.headers.get("location")).toBe("https://book.example.com/sign-in?error=link_invalid");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("never sends a customer on to another host after the link", async () => {
    const who = await signedInAs(ctx.db, "user");
    await createAuthClient().auth.signInWithOtp({
      email: who.email,
      options: {
        shouldCreateUser: false,
        emailRedirectTo: "https://book.example.com/auth/confirm?next=%2F%2Fevil.example",
      },
    });
    const [queued] = await signInRows(who.email);
    const link = new URL(String(queued!.payload.signInUrl));
    const res = await callRoute(confirmRoute, `${link.pathname}${link.search}`);
    expect(res.headers.get("location")).toBe("https://book.example.com/account");
  });

  it("reads the session cookie without refreshing; a tampered or foreign cookie is no session", async () => {
    const who = await signedInAs(ctx.db, "admin");
    const cookie = await sessionCookieFor(who.email);
    const jar = memoryJar(cookie);
    expect(await readSession(jar)).toMatchObject({ userId: who.userId, role: "admin", email: who.email });

    const [name, value] = [...jar.store][0]!;
    const tampered = memoryJar();
    tampered.setAll([{ name, value: value.slice(0, -12) + "AAAAAAAAAAAA" }]);
    expect(await readSession(tampered)).toBeNull();
    expect(await readSession(memoryJar())).toBeNull();
  });

  it("a cookie-authenticated change must come from this site; a safe read need not", async () => {
    const who = await signedInAs(ctx.db, "staff");
    const cookie = await sessionCookieFor(who.email);
    const post = (headers: Record<string, string>) =>
      apiRequest("/api/admin/anything", { method: "POST", json: {}, headers: { cookie, ...headers } });
    await expect(authenticate(post({ "sec-fetch-site": "cross-site" }))).rejects.toMatchObject({ code: "forbidden" });
    await expect(authenticate(post({ origin: "https://evil.example" }))).rejects.toMatchObject({ code: "forbidden" });
    await expect(authenticate(post({}))).rejects.toMatchObject({ code: "forbidden" });
    await expect(authenticate(post({ "sec-fetch-site": "same-origin" }))).resolves.toMatchObject({
      userId: who.userId,
    });
    await expect(authenticate(post({ origin: "http://localhost", host: "localhost" }))).resolves.toMatchObject({
      userId: who.userId,
    });
    await expect(authenticate(apiRequest("/api/admin/anything", { headers: { cookie } }))).resolves.toMatchObject({
      role: "staff",
    });
    // Not even a read when another site sends the browser (a CSV export is a GET).
    await expect(
      authenticate(
        apiRequest("/api/admin/reservations/export", { headers: { cookie, "sec-fetch-site": "cross-site" } }),
      ),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
  });

  it("a booking made while signed in belongs to that person and appears on their /account only", async () => {
    const alice = await signedInAs(ctx.db, "user");
    const bob = await signedInAs(ctx.db, "user");
    const staff = await signedInAs(ctx.db, "staff");
    const service = await newService(ctx.db, { priceAmount: 0 });
    const slot = await insertSlot(ctx.db, {
      serviceId: service.id,
      startsAt: new Date(Date.now() + 48 * HOUR),
      capacity: 5,
    });

    const cookie = await sessionCookieFor(alice.email);
    const mine = await expectJson<HoldResponse>(
      await postHold(holdPayload(slot.id), crypto.randomUUID(), { cookie, "sec-fetch-site": "same-origin" }),
      201,
    );
    const guest = await expectJson<HoldResponse>(await postHold(holdPayload(slot.id)), 201);
    const [owner] = await queryRows<{ user_id: string | null }>(
      ctx.db,
      sql`select user_id from reservations where id = ${mine.reservation.id}`,
    );
    expect(owner!.user_id).toBe(alice.userId);
    // Owners get the same manage link as guests, so every email works for them too.
    expect(mine.manageUrl).toMatch(/\?token=/);

    const aliceSees = await listOwnReservations(await sessionOf(alice.email));
    expect(aliceSees.map((r) => r.code)).toEqual([mine.reservation.code]);
    expect(aliceSees[0]!.managePath).toMatch(new RegExp(`^/reservations/${mine.reservation.code}\\?token=`));
    expect(await listOwnReservations(await sessionOf(bob.email))).toEqual([]);
    // Staff may read every booking under RLS, but their /account lists only their own.
    expect(await listOwnReservations(await sessionOf(staff.email))).toEqual([]);
    expect(guest.reservation.code).not.toBe(mine.reservation.code);
  });

  async function sessionOf(email: string) {
    const jar = memoryJar(await sessionCookieFor(email));
    const auth = await readSession(jar);
    expect(auth).not.toBeNull();
    return auth!;
  }
});
