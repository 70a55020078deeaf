import { NextIntlClientProvider } from "next-intl";
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { createElement as h, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import en from "../../../../messages/en.json";
import ja from "../../../../messages/ja.json";
import reservationsEn from "../../../../messages/manageReservations/en.json";
import reservationsJa from "../../../../messages/manageReservations/ja.json";
import shellEn from "../../../../messages/manageShell/en.json";
import shellJa from "../../../../messages/manageShell/ja.json";
import type { ReservationDetail } from "@/server/admin/reservation-detail";
import type { AdminReservationRow } from "@/server/admin/reservations";
import { CancelForm, RefundForm, RescheduleForm } from "./action-forms";
import { NotificationsCard, PaymentsCard, SummaryCard } from "./detail-cards";
import { ReservationFilters } from "./filters";
import { MessageForm } from "./message-form";
import { Pagination } from "./pagination";
import { ReservationActions } from "./reservation-actions";
import { ReservationTable } from "./reservation-table";
import { Timeline } from "./timeline";

/**
 * The /manage reservation components rendered to HTML in both languages. next-intl reports a missing message through
 * console.error, which fails the test (tests/setup/console-guard.ts), so this also proves every key they use exists in
 * ja and en. The pages themselves (server components reading the session) are covered by the E2E suite.
 */
const router: AppRouterInstance = {
  push() {},
  replace() {},
  refresh() {},
  back() {},
  forward() {},
  prefetch() {},
  bfcacheId: "test",
};

function render(locale: "ja" | "en", element: ReactElement): string {
  const messages =
    locale === "ja"
      ? { ...ja, manageReservations: reservationsJa, manageShell: shellJa }
      : { ...en, manageReservations: reservationsEn, manageShell: shellEn };
  return renderToStaticMarkup(
    h(
      AppRouterContext.Provider,
      { value: router },
      h(NextIntlClientProvider, { locale, messages, timeZone: "Asia/Tokyo", children: element }),
    ),
  );
}

const row: AdminReservationRow = {
  id: "0b8f0d7e-1111-4c1e-9a43-0d6f7e0c0b11",
  code: "BK-ABCD-EFGH",
  status: "confirmed",
  quantity: 2,
  amount: { amount: 3000, currency: "JPY" },
  customer: { name: "<b>山田</b>", email: "yamada@example.com", phone: "090-1234-5678" },
  service: { id: "s1", nameJa: "ヨガ", nameEn: "Yoga" },
  slot: { id: "sl", startsAt: "2030-01-07T00:00:00.000Z", endsAt: "2030-01-07T01:00:00.000Z" },
  payment: { status: "partially_refunded", amountRefunded: 500, latePayment: true },
  createdAt: "2030-01-01T00:00:00.000Z",
};

const at = "2030-01-01T00:00:00.000Z";
const detail: ReservationDetail = {
  reservation: {
    id: row.id,
    code: row.code,
    status: "confirmed",
    quantity: 2,
    amount: { amount: 3000, currency: "JPY" },
    locale: "ja",
    version: 3,
    userId: null,
    smsConsent: false,
    holdExpiresAt: null,
    confirmedAt: at,
    cancelledAt: null,
    cancelReason: null,
    createdAt: at,
    updatedAt: at,
  },
  customer: { name: "山田", email: "yamada@example.com", phone: null },
  slot: { id: "sl", startsAt: row.slot.startsAt, endsAt: row.slot.endsAt, status: "open", capacity: 4, reserved: 2 },
  service: { id: "s1", slug: "yoga", nameJa: "ヨガ", nameEn: "Yoga" },
  payments: [
    {
      id: "p1",
      attempt: 1,
      status: "partially_refunded",
      amount: 3000,
      amountRefunded: 500,
      currency: "JPY",
      outcome: "confirmed",
      latePayment: false,
      failureCode: null,
      failureMessage: null,
      paidAt: at,
      createdAt: at,
    },
  ],
  refunds: [
    {
      id: "f1",
      paymentId: "p1",
      amount: 500,
      currency: "JPY",
      status: "succeeded",
      reason: "goodwill",
      lastError: null,
      providerRefundId: "re_1",
      createdAt: at,
    },
  ],
  notifications: [
    {
      id: "n1",
      kind: "confirmed",
      channel: "email",
      status: "failed",
      recipient: "yamada@example.com",
      attempts: 6,
      lastError: "550 mailbox full",
      sentAt: null,
      createdAt: at,
    },
  ],
  webhookEvents: [],
  timeline: [
    {
      source: "webhook",
      at,
      id: "w1",
      eventId: "evt_1",
      type: "payment_intent.succeeded",
      status: "processed",
      outcome: "confirmed",
      attempts: 1,
      lastError: null,
    },
    {
      source: "payment",
      at,
      id: "p1",
      event: "paid",
      attempt: 1,
      status: "succeeded",
      amount: 3000,
      currency: "JPY",
      outcome: "confirmed",
      latePayment: false,
    },
    {
      source: "refund",
      at,
      id: "f1",
      amount: 500,
      currency: "JPY",
      status: "succeeded",
      reason: "goodwill",
      lastError: null,
    },
    {
      source: "audit",
      at,
      id: "1",
      action: "payment.refund_requested",
      entity: { type: "payment", id: "p1" },
      actor: { id: "u1", role: "staff" },
      reason: "goodwill",
      requestId: "req-1",
      ip: "192.0.2.1",
      before: { amountRefunded: 0 },
      after: { amountRefunded: 500 },
    },
    {
      source: "notification",
      at,
      id: "n1",
      kind: "confirmed",
      channel: "email",
      status: "failed",
      recipient: "yamada@example.com",
      attempts: 6,
      lastError: "550 mailbox full",
      sentAt: null,
    },
  ],
};

describe.each(["ja", "en"] as const)("reservation screens (%s)", (locale) => {
  const props = { locale, timeZone: "Asia/Tokyo" };

  it("renders the filters, table and pages with escaped customer text and sort state", () => {
    const filters = render(
      locale,
      h(ReservationFilters, {
        values: { q: "山田", status: "held,confirmed", from: "2030-01-07", sort: "code" },
        services: [{ id: "s1", name: "ヨガ", active: false }],
      }),
    );
    expect(filters).toContain('value="山田"');
    expect(filters.match(/checked=""/g)).toHaveLength(2);
    const table = render(
      locale,
      h(ReservationTable, { rows: [row], params: { q: "x", sort: "code" }, sort: "code", ...props }),
    );
    expect(table).toContain('href="/manage/reservations/0b8f0d7e-1111-4c1e-9a43-0d6f7e0c0b11"');
    expect(table).toContain("&lt;b&gt;山田&lt;/b&gt;");
    expect(table).toContain('aria-sort="ascending"');
    expect(table).toContain('href="/manage/reservations?q=x&amp;sort=-code"');
    const pages = render(locale, h(Pagination, { params: { q: "x", page: "2" }, page: 2, pageSize: 25, total: 60 }));
    expect(pages).toContain('href="/manage/reservations?q=x&amp;page=3"');
    expect(pages).toContain('href="/manage/reservations?q=x"');
  });

  it("renders the detail cards, the timeline and every action's confirmation step", () => {
    expect(render(locale, h(SummaryCard, { detail, ...props }))).toContain("BK-ABCD-EFGH");
    expect(render(locale, h(PaymentsCard, { detail, ...props }))).toContain("goodwill");
    expect(render(locale, h(NotificationsCard, { detail, ...props }))).toContain("550 mailbox full");
    const timeline = render(locale, h(Timeline, { entries: detail.timeline, ...props }));
    expect(timeline.match(/<li/g)).toHaveLength(5);
    expect(timeline).toContain("payment.refund_requested");
    const data = {
      reservationId: row.id,
      locale,
      currency: "JPY",
      quantity: 2,
      canChange: true,
      canNoShow: true,
      canAcceptLate: true,
      refund: { paymentId: "p1", paid: 3000, remaining: 2500 },
      currentSlot: "now",
      slots: [{ id: "t1", label: "later" }],
      messageTo: { email: "yamada@example.com", locale: "en" as const },
    };
    expect(render(locale, h(ReservationActions, { data })).match(/<button/g)).toHaveLength(6);
    const nothingElse = { ...data, canChange: false, canNoShow: false, canAcceptLate: false, refund: null };
    expect(render(locale, h(ReservationActions, { data: nothingElse })).match(/<button/g)).toHaveLength(1);
    const common = { locale, currency: "JPY", busy: false, problem: null, onBack() {}, onSubmit() {} };
    expect(render(locale, h(CancelForm, { ...common, quantity: 2, refund: data.refund }))).toContain('type="radio"');
    expect(render(locale, h(RescheduleForm, { ...common, current: "now", quantity: 2, slots: data.slots }))).toContain(
      "later",
    );
    expect(render(locale, h(RescheduleForm, { ...common, current: "now", quantity: 2, slots: [] }))).not.toContain(
      "<select",
    );
    expect(render(locale, h(RefundForm, { ...common, refund: data.refund }))).toContain('value="2500"');
    const message = render(
      locale,
      h(MessageForm, { to: data.messageTo, busy: false, problem: null, onBack() {}, onSubmit() {} }),
    );
    expect(message).toContain("yamada@example.com");
    expect(message).toContain(locale === "ja" ? "英語" : "English");
    expect(message).toMatch(/<input[^>]*maxLength="120"/);
    expect(message).toMatch(/<textarea[^>]*maxLength="5000"/);
  });
});
