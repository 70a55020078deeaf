import type { Locale } from "../../types";
import { calendarAttachment, calendarFilename } from "../calendar";
import { contextFor, type TemplateContext } from "../context";
import { greetingFor, manageAction, reservationRows, subjectFor, type EmailContent } from "../content";
import { EmailLayout, type EmailProps } from "../layout";

const copy: Record<
  Locale,
  { title: string; intro: string; newDate: string; previousDate: string; calendar: (file: string) => string }
> = {
  ja: {
    title: "ご予約の日時を変更しました",
    intro: "ご予約の日時を以下のとおり変更いたしました。",
    newDate: "変更後の日時",
    previousDate: "変更前の日時",
    calendar: (file) =>
      `カレンダーに登録済みの場合は、添付のファイル（${file}）を開くと予定が新しい日時に更新されます。`,
  },
  en: {
    title: "Your booking has been rescheduled",
    intro: "Your booking has been moved to the date and time below.",
    newDate: "New date and time",
    previousDate: "Previous date and time",
    calendar: (file) =>
      `If the booking is in your calendar, open the attached file (${file}) to move it to the new time.`,
  },
};

/** Payload: `previousStartsAt`/`previousEndsAt` (ISO) when known; `revision` raises the calendar SEQUENCE. */
export function reschedule(ctx: TemplateContext): EmailContent {
  const c = copy[ctx.locale];
  const r = ctx.reservation;
  const previousStartsAt = ctx.text("previousStartsAt");
  const previousEndsAt = ctx.text("previousEndsAt");
  const previous =
    previousStartsAt && previousEndsAt
      ? [{ label: c.previousDate, value: ctx.range(previousStartsAt, previousEndsAt) }]
      : [];
  // A reschedule always follows the confirmation, so without a revision the event is at least its second version.
  const attachments = calendarAttachment(ctx, 1);
  return {
    subject: subjectFor(ctx, c.title),
    preview: r ? `${c.newDate}: ${ctx.range(r.startsAt, r.endsAt)}` : c.title,
    heading: c.title,
    greeting: greetingFor(ctx),
    blocks: [
      { type: "paragraph", text: c.intro },
      { type: "details", rows: reservationRows(ctx, { dateLabel: c.newDate, extra: previous }) },
      ...manageAction(ctx),
      ...(r && attachments.length > 0 ? [{ type: "note" as const, text: c.calendar(calendarFilename(r.code)) }] : []),
    ],
    attachments,
  };
}

export function RescheduleEmail({ input }: EmailProps) {
  const ctx = contextFor(input);
  return <EmailLayout ctx={ctx} content={reschedule(ctx)} />;
}
