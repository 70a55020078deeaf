import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { parseMime } from "./notifications-log";

/** MailComposer's options plus the fixed boundary the email module uses (missing from its type declarations). */
type ComposeOptions = ConstructorParameters<typeof MailComposer>[0] & { baseBoundary?: string };

function compose(mail: ComposeOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    new MailComposer(mail)
      .compile()
      .build((error, message) => (error ? reject(error) : resolve(message.toString("utf8"))));
  });
}

describe("parseMime (the notifications log's viewer of stored messages)", () => {
  const mail: ComposeOptions = {
    from: "予約システム <no-reply@slotbook.localhost>",
    to: "hanako@example.com",
    subject: "ご予約が確定しました — BK-ABCD-EFGH（山田 花子 様）",
    text: `山田 花子 様\n\nご予約コード: BK-ABCD-EFGH\n${"長い本文です。".repeat(30)}\n`,
    html: `<p>山田 <b>花子</b> 様</p><p>${"=".repeat(3)} BK-ABCD-EFGH</p><script>alert(1)</script>`,
    attachments: [
      {
        filename: "reservation.ics",
        content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        contentType: "text/calendar; method=REQUEST",
      },
    ],
    messageId: "<n1@slotbook.localhost>",
    date: new Date("2030-01-07T00:00:00Z"),
    baseBoundary: "fixedboundary",
  };

  it("decodes the headers (RFC 2047 words across folded lines), both alternatives and the attachment's name", async () => {
    const parsed = parseMime(await compose(mail));
    expect(parsed.headers).toEqual({
      from: "予約システム <no-reply@slotbook.localhost>",
      to: "hanako@example.com",
      subject: mail.subject,
      date: "Mon, 07 Jan 2030 00:00:00 +0000",
    });
    expect(parsed.text).toBe((mail.text as string).replace(/\n$/, ""));
    expect(parsed.html).toBe(mail.html);
    expect(parsed.attachments).toEqual([{ filename: "reservation.ics", contentType: "text/calendar" }]);
  });

  it("reads CRLF and LF line endings alike, and a single-part text message", async () => {
    const raw = await compose({ ...mail, html: undefined, attachments: [] });
    const lf = parseMime(raw.replace(/\r\n/g, "\n"));
    const crlf = parseMime(raw.replace(/\r?\n/g, "\r\n"));
    expect(lf).toEqual(crlf);
    expect(lf).toMatchObject({ text: (mail.text as string).replace(/\n$/, ""), attachments: [] });
    expect(lf.html).toBeUndefined();
  });

  it("keeps what it cannot read out instead of guessing", () => {
    expect(parseMime("not a mime message")).toEqual({
      headers: { from: undefined, to: undefined, subject: undefined, date: undefined },
      text: "",
      attachments: [],
    });
  });
});
