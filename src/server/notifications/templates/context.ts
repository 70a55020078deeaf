import { formatDateTime, formatDay, formatSlotRange, formatTime } from "@/lib/format-datetime";
import { formatMoney, type Money } from "@/lib/money";
import type { Locale, TemplateInput, TemplateReservation } from "../types";

/**
 * Everything a template needs, derived from its TemplateInput and nothing else (no clock, env or request): the
 * resolved locale and formatters bound to the business time zone. Templates are pure functions of the input.
 */
export type TemplateContext = {
  input: TemplateInput;
  locale: Locale;
  businessName: string;
  reservation: TemplateReservation | null;
  /** "2026年11月24日(火) 14:00" / "Tue, Nov 24, 2026 14:00" */
  dateTime(at: string): string;
  /** "11月24日(火) 14:00" / "Tue, Nov 24 14:00": short, for subjects and SMS. */
  shortDateTime(at: string): string;
  /** "2026年11月24日(火) 14:00–15:00" */
  range(startsAt: string, endsAt: string): string;
  money(value: Money): string;
  /** A payload value when it is a non-empty string. */
  text(key: string): string | undefined;
  /** A payload value when it is a finite number. */
  number(key: string): number | undefined;
};

/** The customer's locale with the fallback the issue asks for: anything that is not English is Japanese. */
export function resolveLocale(value: unknown): Locale {
  return typeof value === "string" && value.toLowerCase().startsWith("en") ? "en" : "ja";
}

export function contextFor(input: TemplateInput): TemplateContext {
  const locale = resolveLocale(input.locale);
  const { timeZone, payload } = input;
  return {
    input,
    locale,
    businessName: input.businessName,
    reservation: input.reservation,
    dateTime: (at) => formatDateTime(at, locale, timeZone),
    shortDateTime: (at) => `${formatDay(at, locale, timeZone)} ${formatTime(at, locale, timeZone)}`,
    range: (startsAt, endsAt) => formatSlotRange(startsAt, endsAt, locale, timeZone),
    money: (value) => formatMoney(value, locale),
    text: (key) => {
      const value = payload[key];
      return typeof value === "string" && value.trim() !== "" ? value : undefined;
    },
    number: (key) => {
      const value = payload[key];
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    },
  };
}

/** An amount from the payload: `amountKey` in minor units, `currency` beside it (else the reservation's currency). */
export function payloadMoney(ctx: TemplateContext, amountKey: string): Money | undefined {
  const amount = ctx.number(amountKey);
  const currency = ctx.text("currency") ?? ctx.reservation?.amount.currency;
  return amount !== undefined && currency ? { amount, currency: currency.toUpperCase() } : undefined;
}
