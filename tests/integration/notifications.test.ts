import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as resendRoute } from "@/app/api/reservations/[id]/resend-confirmation/route";
import { clock } from "@/lib/clock";
import { cancelReservation } from "@/server/booking/cancel";
import { expireHolds } from "@/server/booking/expire";
import { asService } from "@/server/db";
import { queryRows } from "@/server/db/client";
import { dispatchNotifications, MAX_ATTEMPTS, setAutoDispatch } from "@/server/notifications/dispatch";
import { resendNotification } from "@/server/notifications/resend";
import { suppress } from "@/server/notifications/suppression";
import { runJob } from "@/server/jobs/registry";
import { HOUR, MINUTE, T0, at, holdOk, newService } from "../helpers/booking";
import { describeEachDatabase } from "../helpers/db";
import { setEnv } from "../helpers/env";
import { insertSlot } from "../helpers/fixtures";
import { callRoute, expectJson, expectProblem } from "../helpers/http";
import { startSmtp, type TestSmtp } from "../helpers/smtp";

/** Issue 5: no notification is lost and every one can be seen. Real SMTP (in-process server) and dry run. */
describeEachDatabase("notifications: outbox dispatcher, SMTP and dry run", (ctx) => {
  const system = { kind: "system", name: "notifications-test" } as const;
  let smtp: TestSmtp;
  let dataDir: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    await expireHolds({ now: new Date("2100-01-01T00:00:00Z") });
    // Earlier tests' rows must not be sent to this test's server: mark everything outstanding as done.
    await ctx.db.execute(sql`update notifications set status = 'cancelled' where status in ('pending', 'sending')`);
    dataDir = mkdtempSync(path.join(tmpdir(), "slotbook-outbox-"));
    restoreEnv = setEnv({
      APP_BASE_URL: "https://book.example.com",
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      EMAIL_FROM: "Slotbook <no-reply@book.example.com>",
    });
    smtp.received.length = 0;
    smtp.refuse(null);
    setAutoDispatch(false);
    clock.set(T0, { freeze: true });
  });
  afterEach(() => {
    restoreEnv();
    rmSync(dataDir, { recursive: true, force: true });
    clock.reset();
  });

  type NotificationRow = {
    id: string;
    kind: string;
    channel: string;
    status: string;
    attempts: number;
    last_error: string | null;
    provider_message_id: string | null;
    rendered_message: string | null;
    next_attempt_at: string;
  };
  const rowsFor = (reservationId: string) =>
    queryRows<NotificationRow>(
      ctx.db,
      sql`select id, kind, channel, status, attempts, last_error, provider_message_id, rendered_message, next_attempt_at::text
            from notifications where reservation_id = ${reservationId} order by created_at, id`,
    );
  const freeBooking = async (overrides: Record<string, unknown> = {}, startsIn = 72 * HOUR) => {
    const service = await newService(ctx.db, { priceAmount: 0, nameJa: "無料相談", nameEn: "Free consultation" });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(startsIn), capacity: 5 });
    return holdOk(slot.id, overrides);
  };

  it("delivers the confirmation over real SMTP: Japanese text, links from APP_BASE_URL, HTML part and an .ics", async () => {
    const booked = await freeBooking();
    const report = await dispatchNotifications();
    expect(report).toMatchObject({ claimed: 1, sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["hanako@example.com"]);
    expect(mail.from).toBe("no-reply@book.example.com");
    expect(mail.parsed.subject).toContain(booked.reservation.code);
    expect(mail.parsed.text).toContain("2030年1月10日(木)");
    expect(mail.parsed.text).toContain("09:00");
    expect(mail.parsed.text).toContain(
      `https://book.example.com/reservations/${booked.reservation.code}?token=${booked.token}`,
    );
    expect(mail.parsed.html).toBeTruthy();
    expect(String(mail.parsed.html)).toContain("https://book.example.com/reservations/");
    const ics = mail.parsed.attachments.find((a) => a.filename?.endsWith(".ics"));
    expect(ics?.contentType).toMatch(/text\/calendar/);
    expect(ics?.content.toString("utf8")).toContain(`UID:${booked.reservation.id}@slotbook`);
    expect(ics?.content.toString("utf8")).toContain("DTSTART:20300110T000000Z");

    const [row] = await rowsFor(booked.reservation.id);
    expect(row).toMatchObject({ kind: "confirmed", status: "sent", attempts: 1, last_error: null });
    // SMTP stores our Message-ID as the provider id (the dry-run test below checks the same shape).
    expect(row?.provider_message_id).toBe(`<${row?.id}@book.example.com>`);
    expect(mail.parsed.messageId).toBe(row?.provider_message_id);
    expect(row?.rendered_message).toContain(`Subject:`);
    const stored = await simpleParser(row!.rendered_message!);
    expect(stored.text).toContain(`/reservations/${booked.reservation.code}?token=[redacted]`);
    expect(String(stored.html)).not.toContain(booked.token);
  });

  it("dry run builds the same message, stores it on the row and in DATA_DIR/outbox/<id>.eml, and sends nothing", async () => {
    const viaSmtp = await freeBooking();
    await dispatchNotifications();
    const smtpMail = smtp.received[0]!.parsed;

    restoreEnv();
    restoreEnv = setEnv({ APP_BASE_URL: "https://book.example.com", DATA_DIR: dataDir, EMAIL_DRY_RUN: "true" });
    // The same booking's confirmation once more, through the dry-run transport.
    await resendNotification({ notificationId: (await rowsFor(viaSmtp.reservation.id))[0]!.id, actor: system });
    expect(await dispatchNotifications()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);

    const [, dry] = await rowsFor(viaSmtp.reservation.id);
    expect(dry).toMatchObject({ status: "sent" });
    const file = readFileSync(path.join(dataDir, "outbox", `${dry!.id}.eml`), "utf8");
    const dryMail = await simpleParser(file);
    // The row keeps the message with the guest's token redacted; the local .eml is the message as built.
    const stored = await simpleParser(dry!.rendered_message!);
    expect(stored.text).toContain("token=[redacted]");
    expect(dry!.rendered_message).not.toContain(viaSmtp.token);
    expect(stored.text).not.toContain(viaSmtp.token);
    expect(stored.text).toBe(String(dryMail.text).split(viaSmtp.token).join("[redacted]"));
    // The transport differs, the stored shape does not: the provider id is the Message-ID, as SMTP stores it.
    expect(dry!.provider_message_id).toMatch(new RegExp(`^<${dry!.id}@[^>]+>$`));
    expect(dryMail.messageId).toBe(dry!.provider_message_id);
    expect(dryMail.subject).toBe(smtpMail.subject);
    expect(dryMail.text).toBe(smtpMail.text);
    expect(dryMail.html).toBe(smtpMail.html);
    expect(
      dryMail.attachments.map((a) => [
        a.filename,
        a.contentType,
        a.content.toString("utf8").replace(/^DTSTAMP:.*$/m, ""),
      ]),
    ).toEqual(
      smtpMail.attachments.map((a) => [
        a.filename,
        a.contentType,
        a.content.toString("utf8").replace(/^DTSTAMP:.*$/m, ""),
      ]),
    );
  });

  it("SMTP down: the row is retried with backoff, the reservation is unaffected, and after the last attempt it is failed", async () => {
    const booked = await freeBooking();
    smtp.refuse(451);
    expect(await dispatchNotifications()).toMatchObject({ retried: 1 });
    let [row] = await rowsFor(booked.reservation.id);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toMatch(/451|Temporary/);
    expect(new Date(row!.next_attempt_at).getTime()).toBeGreaterThan(T0.getTime() + 40_000);
    expect(
      (
        await queryRows<{ status: string }>(
          ctx.db,
          sql`select status from reservations where id = ${booked.reservation.id}`,
        )
      )[0]?.status,
    ).toBe("confirmed");

    // Not due yet: nothing is claimed.
    expect(await dispatchNotifications()).toMatchObject({ claimed: 0 });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      clock.advance(7 * HOUR);
      await dispatchNotifications();
    }
    [row] = await rowsFor(booked.reservation.id);
    expect(row).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });

    // Resendable: staff resend it once SMTP is back.
    smtp.refuse(null);
    await resendNotification({ notificationId: row!.id, actor: system, reason: "SMTP was down" });
    expect(await dispatchNotifications()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
  });

  it("a crash between claiming and sending is delivered on the next run after the lease, exactly once", async () => {
    const booked = await freeBooking();
    // The claim of a dispatcher that then died: the row is 'sending' with a lease.
    await ctx.db.execute(
      sql`update notifications set status = 'sending', attempts = 1, next_attempt_at = ${new Date(T0.getTime() + 2 * MINUTE).toISOString()}::timestamptz where reservation_id = ${booked.reservation.id}`,
    );
    expect(await dispatchNotifications()).toMatchObject({ claimed: 0 });
    clock.advance(3 * MINUTE);
    expect(await dispatchNotifications()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await dispatchNotifications()).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(1);
    expect((await rowsFor(booked.reservation.id))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("concurrent dispatchers send each row once", async () => {
    const service = await newService(ctx.db, { priceAmount: 0 });
    const slot = await insertSlot(ctx.db, { serviceId: service.id, startsAt: at(72 * HOUR), capacity: 50 });
    const booked = [];
    for (let i = 0; i < 12; i++)
      booked.push(await holdOk(slot.id, { customer: { name: `客 ${i}`, email: `guest${i}@example.com` } }));
    const reports = await Promise.all([1, 2, 3, 4].map(() => dispatchNotifications({ limit: 5 })));
    const again = await dispatchNotifications();
    const sent = reports.reduce((n, r) => n + r.sent, 0) + again.sent;
    expect(sent).toBe(12);
    expect(smtp.received).toHaveLength(12);
    expect(new Set(smtp.received.map((m) => m.to[0])).size).toBe(12);
  });

  it("a suppressed address is skipped with status suppressed", async () => {
    const booked = await freeBooking({ customer: { name: "跳ね返り", email: "bounced@example.com" } });
    await asService((tx) =>
      suppress(tx, { email: "Bounced@Example.com", reason: "bounce", source: "test", actor: system }),
    );
    expect(await dispatchNotifications()).toMatchObject({ suppressed: 1, sent: 0 });
    expect(smtp.received).toHaveLength(0);
    expect((await rowsFor(booked.reservation.id))[0]).toMatchObject({ status: "suppressed" });
  });

  it("after commit, the dispatcher runs by itself: a cancellation email goes out without a cron run", async () => {
    const booked = await freeBooking();
    await dispatchNotifications();
    setAutoDispatch(true);
    try {
      await cancelReservation({ reservationId: booked.reservation.id, by: "customer", actor: { kind: "guest" } });
      await expect.poll(() => smtp.received.length, { timeout: 5_000 }).toBe(2);
      expect(smtp.received[1]!.parsed.subject).toContain(booked.reservation.code);
      // The row is marked sent just after the SMTP server has the message: wait for that write too.
      await expect
        .poll(async () => (await rowsFor(booked.reservation.id)).map((r) => `${r.kind}:${r.status}`), {
          timeout: 5_000,
        })
        .toEqual(["confirmed:sent", "cancelled:sent"]);
    } finally {
      setAutoDispatch(false);
    }
  });

  it("texts a customer who gave a mobile number and SMS consent (dry run records it), and nobody else", async () => {
    const consenting = await freeBooking({
      customer: { name: "携帯 花子", email: "sms@example.com", phone: "090-1234-5678" },
      smsConsent: true,
    });
    const silent = await freeBooking({
      customer: { name: "同意 なし", email: "nosms@example.com", phone: "090-1234-5678" },
    });
    expect((await rowsFor(consenting.reservation.id)).map((r) => r.channel).sort()).toEqual(["email", "sms"]);
    expect((await rowsFor(silent.reservation.id)).map((r) => r.channel)).toEqual(["email"]);
    const recipients = await queryRows<{ recipient: string }>(
      ctx.db,
      sql`select recipient from notifications where reservation_id = ${consenting.reservation.id} and channel = 'sms'`,
    );
    expect(recipients[0]?.recipient).toBe("+819012345678");

    expect(await dispatchNotifications()).toMatchObject({ sent: 3 });
    const sms = (await rowsFor(consenting.reservation.id)).find((r) => r.channel === "sms")!;
    expect(sms).toMatchObject({ status: "sent", provider_message_id: `dryrun-sms-${sms.id}` });
    expect(sms.rendered_message).toContain(consenting.reservation.code);
    expect(readFileSync(path.join(dataDir, "outbox", `sms-${sms.id}.txt`), "utf8")).toContain(
      consenting.reservation.code,
    );
    expect(smtp.received).toHaveLength(2);
  });

  describe("reminders", () => {
    it("queues each booking's reminder once, REMINDER_HOURS_BEFORE hours ahead, even when run concurrently and repeatedly", async () => {
      const soon = await freeBooking({}, 20 * HOUR);
      const later = await freeBooking({}, 30 * HOUR);
      const runs = await Promise.all([runJob("send-reminders"), runJob("send-reminders"), runJob("send-reminders")]);
      expect(runs.reduce((n, r) => n + r.affected, 0)).toBe(1);
      await runJob("send-reminders");
      expect((await rowsFor(soon.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(1);
      expect((await rowsFor(later.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(0);

      clock.advance(7 * HOUR); // now 23 h before the later booking
      await runJob("send-reminders");
      await runJob("send-reminders");
      expect((await rowsFor(later.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(1);
      expect((await rowsFor(soon.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(1);

      await dispatchNotifications();
      expect(smtp.received.filter((m) => m.parsed.subject?.includes(soon.reservation.code))).toHaveLength(2); // confirmation + reminder
    });

    it("does not remind a cancelled booking or one already started", async () => {
      const cancelled = await freeBooking({}, 10 * HOUR);
      await cancelReservation({ reservationId: cancelled.reservation.id, by: "staff", actor: system });
      const started = await freeBooking({}, 1 * HOUR);
      clock.advance(2 * HOUR);
      await runJob("send-reminders");
      expect((await rowsFor(cancelled.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(0);
      expect((await rowsFor(started.reservation.id)).filter((r) => r.kind === "reminder")).toHaveLength(0);
    });
  });

  it("does not send a reminder that no longer applies when its turn comes (cancelled meanwhile)", async () => {
    const booked = await freeBooking({}, 20 * HOUR);
    await dispatchNotifications();
    await runJob("send-reminders");
    await cancelReservation({ reservationId: booked.reservation.id, by: "staff", actor: system });
    // Earlier tests' bookings may be due for reminders too; this booking's rows are what matter.
    expect((await dispatchNotifications()).skipped).toBeGreaterThanOrEqual(1);
    const rows = await rowsFor(booked.reservation.id);
    expect(rows.find((r) => r.kind === "reminder")).toMatchObject({ status: "cancelled" });
    expect(smtp.received.map((m) => m.parsed.subject).filter((s) => s?.includes(booked.reservation.code))).toHaveLength(
      2,
    );
  });

  describe("resend", () => {
    it("lets the customer resend the confirmation 3 times an hour, then answers 429 with Retry-After", async () => {
      const booked = await freeBooking();
      const id = booked.reservation.id;
      const post = () =>
        callRoute(resendRoute, `/api/reservations/${id}/resend-confirmation?token=${booked.token}`, {
          method: "POST",
          params: { id },
        });
      for (let i = 0; i < 3; i++)
        expect(await expectJson<{ queued: boolean }>(await post(), 202)).toMatchObject({ queued: true });
      const limited = await post();
      const retryAfter = Number(limited.headers.get("retry-after"));
      await expectProblem(limited, 429, "rate_limited");
      expect(retryAfter).toBeGreaterThan(3500);
      expect((await rowsFor(id)).filter((r) => r.kind === "confirmed")).toHaveLength(4);
      await expectProblem(
        await callRoute(resendRoute, `/api/reservations/${id}/resend-confirmation`, { method: "POST", params: { id } }),
        401,
        "unauthorized",
      );

      clock.advance(HOUR + MINUTE);
      expect((await post()).status).toBe(202);
      await dispatchNotifications();
      expect(smtp.received).toHaveLength(5);
    });
  });
});
