import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/env";
import { withCorrelation } from "@/lib/correlation";
import { logger } from "@/lib/logger";
import { notificationKinds, type NotificationKind } from "../outbox";
import {
  createDryRunSmsChannel,
  getSmsChannel,
  setSmsChannelForTests,
  SmsSendError,
  smsSegments,
  type SmsMessage,
} from "./index";
import { channelsFor, smsPolicy, smsRecipientFor } from "./policy";

/** The embedded default with SMS in the given mode (Twilio needs its three variables to pass the env check). */
function smsMode(mode: "twilio" | "dry_run" | "off" | undefined, extra: Record<string, string | undefined> = {}) {
  vi.stubEnv("ALLOW_DEV_MOCKS", "true");
  vi.stubEnv("SMS_PROVIDER", mode);
  vi.stubEnv("TWILIO_ACCOUNT_SID", mode === "twilio" ? "AC00000000000000000000000000000000" : undefined);
  vi.stubEnv("TWILIO_AUTH_TOKEN", mode === "twilio" ? "test-auth-token" : undefined);
  vi.stubEnv("TWILIO_FROM_NUMBER", mode === "twilio" ? "+15005550006" : undefined);
  for (const [k, v] of Object.entries(extra)) vi.stubEnv(k, v);
  resetConfigForTests();
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  setSmsChannelForTests(undefined);
  resetConfigForTests();
});

describe("dry-run SMS recorder", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "slotbook-sms-"));
    smsMode("dry_run", { DATA_DIR: dataDir });
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("writes the message to DATA_DIR/outbox/sms-<id>.txt and returns dryrun-sms-<id> with the body as rendered", async () => {
    const info = vi.spyOn(logger, "info");
    const channel = getSmsChannel();
    expect(channel?.mode).toBe("dry_run");
    const id = "0b7e3c1a-1111-4222-8333-444455556666";
    const body = "【slotbook】ご予約が確定しました。11月24日(火) 14:00 予約番号 ABC123";
    const message: SmsMessage = { id, to: "090-1234-5678", body, kind: "confirmed" };
    const result = await channel!.send(message);

    expect(result).toEqual({ providerMessageId: `dryrun-sms-${id}`, rendered: body });
    const file = path.join(dataDir, "outbox", `sms-${id}.txt`);
    const content = await readFile(file, "utf8");
    expect(content).toContain("To: +819012345678");
    expect(content).toContain("Kind: confirmed");
    expect(content).toContain("Encoding: UCS-2");
    expect(content).toContain(`Length: ${body.length}`);
    expect(content.endsWith(`\n\n${body}\n`)).toBe(true);

    const line = info.mock.calls.map((c) => c[0] as Record<string, unknown>).find((o) => o?.event === "sms.dry_run");
    expect(line).toMatchObject({
      event: "sms.dry_run",
      notificationId: id,
      to: "+********5678",
      kind: "confirmed",
      length: body.length,
      segments: 1,
    });
    // Neither the body nor the full number reaches the log.
    const logged = JSON.stringify(info.mock.calls);
    expect(logged).not.toContain("ご予約");
    expect(logged).not.toContain("9012345678");
  });

  it("names the request that caused the text in the record (Twilio has no metadata to carry it)", async () => {
    const channel = createDryRunSmsChannel({ outboxDir: path.join(dataDir, "traced") });
    await withCorrelation("req-sms-12345678", () => channel.send({ id: "row-2", to: "+819012345678", body: "hi" }));
    await channel.send({ id: "row-3", to: "+819012345678", body: "hi" });
    const traced = await readFile(path.join(dataDir, "traced", "sms-row-2.txt"), "utf8");
    expect(traced).toContain("\nRequest-Id: req-sms-12345678\n");
    expect(await readFile(path.join(dataDir, "traced", "sms-row-3.txt"), "utf8")).not.toContain("Request-Id:");
  });

  it("works without a kind and overwrites the same id's file (a retry of one row is one message)", async () => {
    const channel = createDryRunSmsChannel({ outboxDir: path.join(dataDir, "elsewhere") });
    await channel.send({ id: "row-1", to: "+819012345678", body: "first" });
    await channel.send({ id: "row-1", to: "+819012345678", body: "second" });
    const files = await readdir(path.join(dataDir, "elsewhere"));
    expect(files).toEqual(["sms-row-1.txt"]);
    const content = await readFile(path.join(dataDir, "elsewhere", "sms-row-1.txt"), "utf8");
    expect(content).toContain("Kind: unknown");
    expect(content).toContain("second");
    expect(content).not.toContain("first");
  });

  it.each([
    ["an invalid number", { to: "12345", body: "x" }],
    ["a fixed line", { to: "03-1234-5678", body: "x" }],
    ["an empty body", { to: "090-1234-5678", body: "   " }],
    ["a body over 1600 characters", { to: "090-1234-5678", body: "あ".repeat(1601) }],
    ["an id that could leave the outbox directory", { id: "../../etc/passwd", to: "090-1234-5678", body: "x" }],
  ])("refuses %s permanently, exactly as the Twilio channel would, and writes nothing", async (_case, message) => {
    const channel = getSmsChannel()!;
    const error = await channel.send({ id: "row-2", ...message }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect((error as SmsSendError).permanent).toBe(true);
    await expect(readdir(path.join(dataDir, "outbox"))).rejects.toThrow();
  });
});

describe("getSmsChannel", () => {
  it("follows SMS_PROVIDER: dry_run by default with mocks, twilio when configured, null when off", () => {
    smsMode(undefined);
    expect(getSmsChannel()?.mode).toBe("dry_run");
    smsMode("twilio");
    expect(getSmsChannel()?.mode).toBe("twilio");
    smsMode("off");
    expect(getSmsChannel()).toBeNull();
  });

  it("builds one channel per loaded configuration", () => {
    smsMode("dry_run");
    expect(getSmsChannel()).toBe(getSmsChannel());
  });

  it("can be replaced in tests", () => {
    smsMode("dry_run");
    const fake = { mode: "twilio" as const, send: vi.fn() };
    setSmsChannelForTests(fake);
    expect(getSmsChannel()).toBe(fake);
    setSmsChannelForTests(null);
    expect(getSmsChannel()).toBeNull();
  });
});

describe("smsPolicy.channelsFor", () => {
  const consenting = { customerPhone: "090-1234-5678", smsConsent: true };
  const smsKinds: NotificationKind[] = ["confirmed", "reminder", "cancelled", "rescheduled", "payment_failed"];

  beforeEach(() => smsMode("dry_run"));

  it.each(notificationKinds.flatMap((kind) => (["ja", "en"] as const).map((locale) => [kind, locale] as const)))(
    "%s (%s): email always, sms only for the kinds customers must not miss",
    (kind, locale) => {
      const expected = smsKinds.includes(kind) ? ["email", "sms"] : ["email"];
      expect(channelsFor(kind, consenting, locale)).toEqual(expected);
    },
  );

  it.each([
    ["no consent", { customerPhone: "090-1234-5678", smsConsent: false }],
    ["no phone", { customerPhone: null, smsConsent: true }],
    ["an empty phone", { customerPhone: "", smsConsent: true }],
    ["an invalid phone", { customerPhone: "090-12", smsConsent: true }],
    ["a fixed-line phone", { customerPhone: "03-1234-5678", smsConsent: true }],
  ])("email only with %s", (_case, reservation) => {
    for (const kind of smsKinds) expect(channelsFor(kind, reservation, "ja")).toEqual(["email"]);
  });

  it("email only without a reservation (sign-in link, staff alert)", () => {
    expect(channelsFor("confirmed", null, "ja")).toEqual(["email"]);
    expect(channelsFor("sign_in_link", null, "en")).toEqual(["email"]);
  });

  it("email only when SMS is off", () => {
    smsMode("off");
    for (const kind of smsKinds) expect(channelsFor(kind, consenting, "ja")).toEqual(["email"]);
  });

  it("sends SMS with Twilio configured too, and gives the E.164 number to address it to", () => {
    smsMode("twilio");
    expect(channelsFor("reminder", consenting, "en")).toEqual(["email", "sms"]);
    expect(smsRecipientFor("reminder", consenting, "en")).toBe("+819012345678");
    expect(smsPolicy.smsRecipientFor("refunded", consenting, "en")).toBeNull();
    expect(smsPolicy.channelsFor).toBe(channelsFor);
  });
});

describe("smsSegments", () => {
  it("counts GSM-7 messages in 160 / 153 unit parts", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
    expect(smsSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
  });

  it("counts Japanese (UCS-2) messages in 70 / 67 character parts", () => {
    expect(smsSegments("あ".repeat(70))).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
    expect(smsSegments("あ".repeat(71))).toEqual({ encoding: "UCS-2", units: 71, segments: 2 });
    expect(smsSegments(`${"a".repeat(100)}あ`)).toMatchObject({ encoding: "UCS-2", segments: 2 });
  });
});
