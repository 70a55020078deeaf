// Long on purpose: a test file: every template in both languages and channels.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { notificationKinds, type NotificationKind } from "../outbox";
import type { Locale, RenderedEmail, TemplateInput } from "../types";
import { renderEmail, renderSmsText } from "./index";

const SITE = "https://book.example.com";
const CODE = "BK-7Q4M-X2HD";
const RESERVATION_ID = "6f1c2d3e-0000-4000-8000-000000000001";
const MANAGE = `${SITE}/reservations/${CODE}?token=manage-token-abc`;
const PAY = `${SITE}/reservations/${CODE}/pay?token=manage-token-abc`;
const SIGN_IN = `${SITE}/auth/confirm?token_hash=signin-xyz&type=magiclink`;
const STAFF_SUBJECT = "About your visit";
/** Two paragraphs, the first with a line break of its own, and markup that must stay text. */
const STAFF_MESSAGE =
  "The front door is closed for works.\r\nPlease use the side entrance.\n\n \n<b>See you</b> & thank you!  ";

/** 2026-11-24 14:00–15:00 in Tokyo (a Tuesday); the hold runs until 13:30 on the 20th. */
function inputFor(kind: NotificationKind, locale: Locale, overrides: Partial<TemplateInput> = {}): TemplateInput {
  const reservation =
    kind === "sign_in_link"
      ? null
      : {
          id: RESERVATION_ID,
          code: CODE,
          status: kind === "payment_failed" ? "held" : "confirmed",
          serviceName: locale === "ja" ? "カット＆ブロー" : "Cut and blow-dry",
          startsAt: "2026-11-24T05:00:00.000Z",
          endsAt: "2026-11-24T06:00:00.000Z",
          quantity: 2,
          amount: { amount: 11000, currency: "JPY" },
          customerName: locale === "ja" ? "山田 太郎" : "Taro Yamada",
          holdExpiresAt: kind === "payment_failed" ? "2026-11-20T04:30:00.000Z" : null,
        };
  const payloads: Partial<Record<NotificationKind, Record<string, unknown>>> = {
    refunded: { amount: 5500, currency: "JPY" },
    late_payment_refund: { amount: 11000, currency: "JPY" },
    cancelled: { refundAmount: 11000, currency: "JPY" },
    staff_alert: { alert: "late_payment_manual", message: "Payment arrived after the hold expired.\nDecide by hand." },
    staff_message: { subject: STAFF_SUBJECT, message: STAFF_MESSAGE },
    rescheduled: {
      previousStartsAt: "2026-11-23T01:00:00.000Z",
      previousEndsAt: "2026-11-23T02:00:00.000Z",
      revision: 3,
    },
  };
  return {
    kind,
    locale,
    timeZone: "Asia/Tokyo",
    businessName: "slotbook",
    reservation,
    links: { site: SITE, manage: MANAGE, pay: PAY, signIn: SIGN_IN },
    payload: { code: CODE, ...payloads[kind] },
    ...overrides,
  };
}

/** The link each kind's call to action must carry (and so must its text part). */
const actionLink: Record<NotificationKind, string> = {
  confirmed: MANAGE,
  reminder: MANAGE,
  rescheduled: MANAGE,
  refunded: MANAGE,
  staff_alert: SITE,
  payment_failed: PAY,
  sign_in_link: SIGN_IN,
  cancelled: SITE,
  late_payment_refund: SITE,
  staff_message: MANAGE,
};

const htmlEscape = (s: string) => s.replace(/&/g, "&amp;");
const kana = /[\u3040-\u30ff]/;

function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .slice(0, -1);
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("renderEmail: every kind in every locale", () => {
  for (const kind of notificationKinds) {
    for (const locale of ["ja", "en"] as const) {
      it(`${kind} / ${locale}: subject, html and text, with the same links in both parts`, async () => {
        const email = await renderEmail(inputFor(kind, locale));
        expect(email.subject.trim()).not.toBe("");
        expect(email.subject).toContain("slotbook");
        if (kind !== "sign_in_link") expect(email.subject).toContain(CODE);
        expect(email.html).toContain(`lang="${locale}"`);
        expect(email.text.trim().length).toBeGreaterThan(50);
        for (const link of [actionLink[kind], SITE]) {
          expect(email.text).toContain(link);
          expect(email.html).toContain(`href="${htmlEscape(link)}"`);
        }
        if (kind !== "sign_in_link") {
          expect(email.text).toContain(CODE);
          expect(email.html).toContain(CODE);
        }
        if (locale === "en") {
          expect(email.subject).not.toMatch(kana);
          expect(email.text).not.toMatch(kana);
        } else {
          expect(email.text).toMatch(kana);
        }
      });
    }
  }

  it("refuses a kind it has no template for", async () => {
    await expect(
      renderEmail({ ...inputFor("confirmed", "ja"), kind: "newsletter" as NotificationKind }),
    ).rejects.toThrow(/No email template/);
  });
});

describe("confirmation", () => {
  it("in Japanese: 敬語 subject with the code, the date in Tokyo time and the manage link", async () => {
    const email = await renderEmail(inputFor("confirmed", "ja"));
    expect(email.subject).toBe(`【slotbook】ご予約が確定しました（${CODE}）`);
    expect(email.text).toContain("2026年11月24日(火) 14:00–15:00");
    expect(email.text).toContain("予約番号：BK-7Q4M-X2HD");
    expect(email.text).toContain("山田 太郎 様");
    expect(email.text).toContain("￥11,000");
    expect(email.text).toContain(MANAGE);
    expect(email.html).toContain("2026年11月24日(火) 14:00–15:00");
  });

  it("in English: English copy and the English date style", async () => {
    const email = await renderEmail(inputFor("confirmed", "en"));
    expect(email.subject).toBe(`[slotbook] Your booking is confirmed (${CODE})`);
    expect(email.text).toContain("Tue, Nov 24, 2026 14:00–15:00");
    expect(email.text).toContain("Booking code: BK-7Q4M-X2HD");
    expect(email.text).toContain("Dear Taro Yamada,");
  });

  it("falls back to Japanese for a locale it does not know", async () => {
    const email = await renderEmail(inputFor("confirmed", "fr" as Locale));
    expect(email.subject).toContain("ご予約が確定しました");
    expect(email.html).toContain('lang="ja"');
  });

  it("formats in the input's time zone, not the machine's", async () => {
    const email = await renderEmail(inputFor("confirmed", "en", { timeZone: "America/New_York" }));
    expect(email.text).toContain("Tue, Nov 24, 2026 00:00–01:00");
  });

  it("attaches an .ics event: UID of the reservation, UTC instants, the manage link", async () => {
    const [attachment, ...others] = (await renderEmail(inputFor("confirmed", "ja"))).attachments;
    expect(others).toHaveLength(0);
    expect(attachment?.filename).toBe(`${CODE}.ics`);
    expect(attachment?.contentType).toMatch(/^text\/calendar;.*method=PUBLISH/);
    const lines = unfold(attachment?.content ?? "");
    expect(lines).toContain(`UID:${RESERVATION_ID}@slotbook`);
    expect(lines).toContain("DTSTART:20261124T050000Z");
    expect(lines).toContain("DTEND:20261124T060000Z");
    expect(lines).toContain("SUMMARY:カット＆ブロー");
    expect(lines).toContain(`URL:${MANAGE}`);
    expect(lines).toContain("SEQUENCE:0");
    expect(lines.find((l) => l.startsWith("DESCRIPTION:"))).toContain(`予約番号: ${CODE}\\n`);
    expect(lines.find((l) => l.startsWith("DESCRIPTION:"))).toContain(MANAGE);
  });

  it("escapes what the customer typed in the HTML part", async () => {
    const input = inputFor("confirmed", "en");
    const email = await renderEmail({
      ...input,
      reservation: { ...input.reservation!, customerName: '<img src=x onerror="x()">' },
    });
    expect(email.html).not.toContain("<img src=x");
    expect(email.html).toContain("&lt;img");
  });
});

describe("kind-specific facts", () => {
  it("rescheduled: new and previous times, and an updated .ics with the same UID and a higher SEQUENCE", async () => {
    const email = await renderEmail(inputFor("rescheduled", "ja"));
    expect(email.text).toContain("変更後の日時：2026年11月24日(火) 14:00–15:00");
    expect(email.text).toContain("変更前の日時：2026年11月23日(月) 10:00–11:00");
    const lines = unfold(email.attachments[0]?.content ?? "");
    expect(lines).toContain(`UID:${RESERVATION_ID}@slotbook`);
    expect(lines).toContain("SEQUENCE:3");
  });

  it("payment_failed: the retry link and the hold deadline from the reservation", async () => {
    const ja = await renderEmail(inputFor("payment_failed", "ja"));
    expect(ja.text).toContain("2026年11月20日(金) 13:30まで確保しております");
    expect(ja.text).toContain(PAY);
    const en = await renderEmail(inputFor("payment_failed", "en"));
    expect(en.text).toContain("until Fri, Nov 20, 2026 13:30");
  });

  it("refunded: the refunded amount from the payload, else the reservation's", async () => {
    expect((await renderEmail(inputFor("refunded", "ja"))).text).toContain("返金額：￥5,500");
    const withoutAmount = inputFor("refunded", "en", { payload: {} });
    expect((await renderEmail(withoutAmount)).text).toContain("Refund: ¥11,000");
  });

  it("cancelled: shows a refund only when the payload has one", async () => {
    expect((await renderEmail(inputFor("cancelled", "ja"))).text).toContain("返金額：￥11,000");
    expect((await renderEmail(inputFor("cancelled", "ja", { payload: {} }))).text).not.toContain("返金額");
  });

  it("staff_alert: the alert kind and message in both parts", async () => {
    const email = await renderEmail(inputFor("staff_alert", "en"));
    expect(email.subject).toContain("late_payment_manual");
    expect(email.text).toContain("> Payment arrived after the hold expired.\n> Decide by hand.");
    expect(email.html).toContain("Payment arrived after the hold expired.");
  });

  it("staff_alert never passes on the guest's manage token, even when the input has it", async () => {
    const email = await renderEmail(inputFor("staff_alert", "ja"));
    expect(email.text).not.toContain("manage-token-abc");
    expect(email.html).not.toContain("manage-token-abc");
  });

  it("staff_message: the staff member's subject with the usual prefix and code, in both locales", async () => {
    expect((await renderEmail(inputFor("staff_message", "ja"))).subject).toBe(
      `【slotbook】About your visit（${CODE}）`,
    );
    expect((await renderEmail(inputFor("staff_message", "en"))).subject).toBe(`[slotbook] About your visit (${CODE})`);
    const oneLine = await renderEmail(
      inputFor("staff_message", "en", { payload: { subject: " Line one\r\n  line two ", message: "m" } }),
    );
    expect(oneLine.subject).toBe(`[slotbook] Line one line two (${CODE})`);
    const untitled = await renderEmail(inputFor("staff_message", "ja", { payload: { message: "m" } }));
    expect(untitled.subject).toBe(`【slotbook】ご予約についてのお知らせ（${CODE}）`);
  });

  it("staff_message: paragraphs and line breaks kept, typed markup stays text, reservation and manage link around it", async () => {
    const email = await renderEmail(inputFor("staff_message", "en"));
    expect(email.text).toContain(
      "\n\nThe front door is closed for works.\nPlease use the side entrance.\n\n<b>See you</b> & thank you!\n\n",
    );
    expect(email.html).toContain("The front door is closed for works.<br/>Please use the side entrance.</p>");
    expect(email.html).toContain("&lt;b&gt;See you&lt;/b&gt; &amp; thank you!</p>");
    expect(email.html).not.toContain("<b>See you");
    expect(email.text).toContain("Booking code: BK-7Q4M-X2HD");
    expect(email.text).toContain("Tue, Nov 24, 2026 14:00–15:00");
    expect(email.text).toContain("Dear Taro Yamada,");
    expect(email.text.indexOf("side entrance")).toBeLessThan(email.text.indexOf(MANAGE));
    const ja = await renderEmail(inputFor("staff_message", "ja"));
    expect(ja.text).toContain("予約番号：BK-7Q4M-X2HD");
    expect(ja.text).toContain("山田 太郎 様");
  });

  it("only confirmed and rescheduled carry attachments", async () => {
    for (const kind of notificationKinds) {
      const { attachments } = await renderEmail(inputFor(kind, "en"));
      expect(attachments.length, kind).toBe(kind === "confirmed" || kind === "rescheduled" ? 1 : 0);
    }
  });
});

describe("templates are pure functions of their input", () => {
  async function renderAll(): Promise<RenderedEmail[]> {
    const inputs = notificationKinds.flatMap((kind) => (["ja", "en"] as const).map((locale) => inputFor(kind, locale)));
    return Promise.all(inputs.map((input) => renderEmail(deepFreeze(input))));
  }

  it("give the same output whatever the clock, env and machine time zone say, without touching the input", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-01-01T00:00:00Z"));
    const first = await renderAll();
    vi.setSystemTime(new Date("2027-06-15T12:34:56Z"));
    vi.stubEnv("APP_BASE_URL", "https://evil.example");
    vi.stubEnv("BUSINESS_TIMEZONE", "Pacific/Honolulu");
    vi.stubEnv("TZ", "America/Los_Angeles");
    const second = await renderAll();
    expect(second).toEqual(first);
    const everything = JSON.stringify(second);
    expect(everything).not.toContain("evil.example");
    expect(everything).not.toContain("localhost");
  });

  it("import nothing that reads the clock, env, request or files", () => {
    const dir = import.meta.dirname;
    const sources = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts"))
      .map((file) => ({ file, source: readFileSync(join(dir, file), "utf8") }));
    expect(sources.map((s) => s.file)).toContain(join("kinds", "confirmation.tsx"));
    const forbidden = [
      /process\.env/,
      /Date\.now\(/,
      /new Date\(\)/,
      /@\/lib\/(env|clock)/,
      /next\/headers/,
      /node:fs/,
      /@\/server\/db/,
    ];
    for (const { file, source } of sources) {
      for (const pattern of forbidden) expect(source, `${file} matches ${pattern}`).not.toMatch(pattern);
    }
  });

  it("take every link from input.links", async () => {
    const email = await renderEmail(
      inputFor("confirmed", "en", { links: { site: "https://other.example", manage: "https://other.example/m" } }),
    );
    const origins = new Set([...email.html.matchAll(/href="(https?:\/\/[^/"]+)/g)].map((m) => m[1]));
    expect([...origins]).toEqual(["https://other.example"]);
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe("renderSmsText", () => {
  const smsKinds = ["confirmed", "reminder", "cancelled", "rescheduled", "payment_failed"] as const;

  for (const kind of smsKinds) {
    it(`${kind}: Japanese within 140 characters with the code and the time, and no token`, () => {
      const text = renderSmsText(inputFor(kind, "ja"));
      expect(text.length).toBeLessThanOrEqual(140);
      expect(text).toContain(CODE);
      expect(text).toContain("11月24日(火) 14:00");
      expect(text).not.toContain("token");
      const en = renderSmsText(inputFor(kind, "en"));
      expect(en).toContain(CODE);
      expect(en).toContain("Tue, Nov 24 14:00");
      expect(en).not.toMatch(kana);
    });
  }

  it("payment_failed names the hold deadline", () => {
    expect(renderSmsText(inputFor("payment_failed", "ja"))).toContain("11月20日(金) 13:30までに");
  });

  it("other kinds get a short generic line", () => {
    for (const kind of ["refunded", "late_payment_refund", "staff_alert", "staff_message"] as const) {
      const text = renderSmsText(inputFor(kind, "ja"));
      expect(text).toContain(CODE);
      expect(text.length).toBeLessThanOrEqual(70);
    }
    expect(renderSmsText(inputFor("sign_in_link", "en"))).toBe(
      "slotbook: we have sent you an email. Please check your inbox.",
    );
  });
});
