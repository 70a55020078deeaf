import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Shared steps of the customer E2E specs: seeded services and slots through the public API, the details form. */

export type Service = { id: string; slug: string; name: string; capacity: number };
export type Slot = { id: string; startsAt: string; remaining: number; status: "open" | "closed" | "sold_out" };
export type HoldResponse = { reservation: { id: string; code: string; status: string }; manageUrl: string };

export const HOUR = 3_600_000;

export async function service(request: APIRequestContext, slug: string): Promise<Service> {
  const res = await request.get("/api/services?locale=ja");
  expect(res.status()).toBe(200);
  const { services } = (await res.json()) as { services: Service[] };
  const found = services.find((s) => s.slug === slug);
  expect(found, `seeded service ${slug}`).toBeTruthy();
  return found as Service;
}

export async function slots(request: APIRequestContext, serviceId: string): Promise<Slot[]> {
  const res = await request.get(`/api/slots?serviceId=${serviceId}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { slots: Slot[] }).slots;
}

export async function serverNow(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/dev/clock");
  expect(res.status()).toBe(200);
  return Date.parse(((await res.json()) as { now: string }).now);
}

/** Open slots far enough ahead that customers may still cancel or reschedule them (deadline 24 h). */
export async function openSlotsAhead(request: APIRequestContext, serviceId: string, minSeats = 1): Promise<Slot[]> {
  const now = await serverNow(request);
  const all = await slots(request, serviceId);
  return all.filter((s) => s.status === "open" && s.remaining >= minSeats && Date.parse(s.startsAt) > now + 48 * HOUR);
}

export async function remaining(request: APIRequestContext, serviceId: string, slotId: string): Promise<number> {
  const slot = (await slots(request, serviceId)).find((s) => s.id === slotId);
  expect(slot, `slot ${slotId} is listed`).toBeTruthy();
  return (slot as Slot).remaining;
}

export async function holdViaApi(request: APIRequestContext, slotId: string, quantity = 1): Promise<HoldResponse> {
  const res = await request.post("/api/reservations", {
    headers: { "Idempotency-Key": randomUUID() },
    data: { slotId, quantity, customer: { name: "API 予約", email: "api@example.com" }, locale: "ja" },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as HoldResponse;
}

export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export async function fillDetails(
  page: Page,
  details: { name: string; email: string; phone?: string; quantity?: number },
) {
  await page.getByLabel("お名前").fill(details.name);
  await page.getByLabel("メールアドレス").fill(details.email);
  if (details.phone) await page.getByLabel("電話番号").fill(details.phone);
  if (details.quantity) await page.getByLabel("人数").selectOption(String(details.quantity));
}
