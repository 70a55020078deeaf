import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

/**
 * The customer's booking journey through the pages a person uses (Japanese, the default): book a free service to
 * the confirmation, a paid one to the payment step, manage a booking from its link (reschedule, cancel), see a sold
 * out time, and watch a hold run out on the test clock. Slots come from the seeded data through the public API;
 * each test uses its own service so they never compete for seats.
 */

type Service = { id: string; slug: string; name: string; capacity: number };
type Slot = { id: string; startsAt: string; remaining: number; status: "open" | "closed" | "sold_out" };
type HoldResponse = { reservation: { id: string; code: string; status: string }; manageUrl: string };

const HOUR = 3_600_000;

async function service(request: APIRequestContext, slug: string): Promise<Service> {
  const res = await request.get("/api/services?locale=ja");
  expect(res.status()).toBe(200);
  const { services } = (await res.json()) as { services: Service[] };
  const found = services.find((s) => s.slug === slug);
  expect(found, `seeded service ${slug}`).toBeTruthy();
  return found as Service;
}

async function slots(request: APIRequestContext, serviceId: string): Promise<Slot[]> {
  const res = await request.get(`/api/slots?serviceId=${serviceId}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { slots: Slot[] }).slots;
}

async function serverNow(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/dev/clock");
  expect(res.status()).toBe(200);
  return Date.parse(((await res.json()) as { now: string }).now);
}

/** Open slots far enough ahead that customers may still cancel or reschedule them (deadline 24 h). */
async function openSlotsAhead(request: APIRequestContext, serviceId: string, minSeats = 1): Promise<Slot[]> {
  const now = await serverNow(request);
  const all = await slots(request, serviceId);
  return all.filter((s) => s.status === "open" && s.remaining >= minSeats && Date.parse(s.startsAt) > now + 48 * HOUR);
}

async function remaining(request: APIRequestContext, serviceId: string, slotId: string): Promise<number> {
  const slot = (await slots(request, serviceId)).find((s) => s.id === slotId);
  expect(slot, `slot ${slotId} is listed`).toBeTruthy();
  return (slot as Slot).remaining;
}

async function holdViaApi(request: APIRequestContext, slotId: string, quantity = 1): Promise<HoldResponse> {
  const res = await request.post("/api/reservations", {
    headers: { "Idempotency-Key": randomUUID() },
    data: { slotId, quantity, customer: { name: "API 予約", email: "api@example.com" }, locale: "ja" },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as HoldResponse;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

async function fillDetails(page: Page, details: { name: string; email: string; phone?: string; quantity?: number }) {
  await page.getByLabel("お名前").fill(details.name);
  await page.getByLabel("メールアドレス").fill(details.email);
  if (details.phone) await page.getByLabel("電話番号").fill(details.phone);
  if (details.quantity) await page.getByLabel("人数").selectOption(String(details.quantity));
}

test.describe("customer booking pages", () => {
  test.use({ locale: "ja-JP" });

  test("books a free service end to end and lands on the confirmation", async ({ page, request }) => {
    const free = await service(request, "first-consultation");
    const [slot] = await openSlotsAhead(request, free.id);
    expect(slot, "an open first-consultation slot").toBeTruthy();

    await page.goto("/");
    await page.getByRole("link", { name: `${free.name}を予約する` }).click();
    await expect(page).toHaveURL(/\/services\/first-consultation$/);
    await expect(page.getByRole("heading", { level: 1, name: free.name })).toBeVisible();
    await page.locator(`a[data-slot-id="${slot?.id}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/book/${slot?.id}$`));

    // The shared schema rejects the empty form in the browser: field errors, focus on the first one.
    await page.getByRole("button", { name: "予約を確定する" }).click();
    await expect(page.getByText("お名前を入力してください。")).toBeVisible();
    await expect(page.getByLabel("お名前")).toBeFocused();
    await expect(page.getByLabel("お名前")).toHaveAttribute("aria-invalid", "true");
    await fillDetails(page, { name: "山田 花子", email: "hanako@example.com" });
    await page.getByRole("button", { name: "予約を確定する" }).click();

    await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\?token=/);
    await expect(page.getByText("ご予約が確定しました")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1, name: "ご予約内容" })).toBeVisible();
    await expect(page.getByText("予約確定", { exact: true })).toBeVisible();
    await expect(page.getByText("山田 花子")).toBeVisible();
    await expect(page.getByText(free.name)).toBeVisible();
    expect(await remaining(request, free.id, slot?.id ?? "")).toBe(0);
  });

  test("books a paid service up to the payment step, once even when clicked twice", async ({ page, request }) => {
    const cooking = await service(request, "washoku-cooking");
    const [slot] = await openSlotsAhead(request, cooking.id, 2);
    expect(slot, "an open washoku-cooking slot with 2 seats").toBeTruthy();
    const before = slot?.remaining ?? 0;

    await page.goto(`/services/${cooking.slug}`);
    await page.locator(`a[data-slot-id="${slot?.id}"]`).click();
    await fillDetails(page, { name: "鈴木 太郎", email: "taro@example.com", phone: "03-1234-5678", quantity: 2 });
    await expect(page.getByText(/13,600/)).toBeVisible();
    await page.getByRole("button", { name: "お支払いへ進む" }).dblclick();

    await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\/pay\?token=/);
    await expect(page.getByRole("heading", { level: 1, name: "お支払い" })).toBeVisible();
    await expect(page.getByText("お支払い機能は準備中です")).toBeVisible();
    await expect(page.getByText("お支払い待ち")).toBeVisible();
    await expect(page.getByTestId("hold-countdown")).toHaveText(/^1[45]:[0-5]\d$/);
    // One Idempotency-Key per form: the double click took two seats, not four.
    expect(await remaining(request, cooking.id, slot?.id ?? "")).toBe(before - 2);

    await page.getByRole("link", { name: "予約内容を確認する" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "ご予約内容" })).toBeVisible();
    await expect(page.getByRole("link", { name: "お支払いへ進む" })).toBeVisible();
  });

  test("reschedules and cancels through the manage link", async ({ page, request }) => {
    const tea = await service(request, "tea-ceremony");
    const [from, to] = await openSlotsAhead(request, tea.id);
    expect(to, "two open tea-ceremony slots").toBeTruthy();
    const held = await holdViaApi(request, from?.id ?? "");
    const manage = pathOf(held.manageUrl);

    // Without the token, or with a wrong one, the page explains and shows nothing of the booking.
    await page.goto(`/reservations/${held.reservation.code}`);
    await expect(page.getByRole("heading", { name: "予約を表示できません" })).toBeVisible();
    await page.goto(`/reservations/${held.reservation.code}?token=${"x".repeat(43)}`);
    await expect(page.getByRole("heading", { name: "リンクが正しくありません" })).toBeVisible();
    await expect(page.getByText("API 予約")).toHaveCount(0);

    await page.goto(manage);
    await expect(page.getByText(held.reservation.code)).toBeVisible();
    await page.getByRole("button", { name: "日時を変更する" }).click();
    await page.locator(`input[name="slotId"][value="${to?.id}"]`).check();
    await page.getByRole("button", { name: "この日時に変更する" }).click();
    await expect(page.getByText(/から .* に変更します。よろしいですか？/)).toBeVisible();
    await page.getByRole("button", { name: "変更を確定する" }).click();
    await expect(page.getByText(/に変更しました/)).toBeVisible();

    const read = await request.get(`/api/reservations/${held.reservation.id}?token=${new URL(held.manageUrl).searchParams.get("token")}`);
    expect(((await read.json()) as { reservation: { slot: { id: string } } }).reservation.slot.id).toBe(to?.id);

    await page.getByRole("button", { name: "予約をキャンセルする" }).click();
    await expect(page.getByText("このご予約をキャンセルしますか？")).toBeVisible();
    await expect(page.getByRole("button", { name: "キャンセルを確定する" })).toBeFocused();
    await page.getByRole("button", { name: "キャンセルを確定する" }).click();
    await expect(page.getByText("ご予約をキャンセルしました。")).toBeVisible();
    await expect(page.getByText("キャンセル済み", { exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "予約をキャンセルする" })).toHaveCount(0);
    expect(await remaining(request, tea.id, to?.id ?? "")).toBe(to?.remaining);
  });

  test("shows a sold-out time as such, and says so when the last seat goes while filling the form", async ({ page, request }) => {
    const free = await service(request, "first-consultation");
    const open = await openSlotsAhead(request, free.id);
    const full = open.at(-1);
    const racing = open.at(-2);
    expect(racing, "two open first-consultation slots").toBeTruthy();
    await holdViaApi(request, full?.id ?? "");

    await page.goto(`/services/${free.slug}`);
    const soldOut = page.locator(`[data-slot-id="${full?.id}"]`);
    await expect(soldOut).toHaveAttribute("data-status", "sold_out");
    await expect(soldOut).toContainText("満席");
    await expect(page.locator(`a[data-slot-id="${full?.id}"]`)).toHaveCount(0);
    await page.goto(`/book/${full?.id}`);
    await expect(page.getByText("この日時は満席です")).toBeVisible();
    await expect(page.getByRole("button", { name: "予約を確定する" })).toHaveCount(0);

    await page.goto(`/book/${racing?.id}`);
    await fillDetails(page, { name: "佐藤 次郎", email: "jiro@example.com" });
    await holdViaApi(request, racing?.id ?? "");
    await page.getByRole("button", { name: "予約を確定する" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "満席" })).toBeVisible();
    await page.getByRole("link", { name: "ほかの日時を選ぶ" }).click();
    await expect(page).toHaveURL(new RegExp(`/services/${free.slug}$`));
    await expect(page.locator(`[data-slot-id="${racing?.id}"]`)).toHaveAttribute("data-status", "sold_out");
  });

  test("the hold countdown runs out on the test clock and the page says so", async ({ page, request }) => {
    test.setTimeout(150_000);
    const yoga = await service(request, "morning-yoga");
    const [slot] = await openSlotsAhead(request, yoga.id);
    expect(slot, "an open morning-yoga slot").toBeTruthy();
    const before = slot?.remaining ?? 0;

    await page.goto(`/book/${slot?.id}`);
    await fillDetails(page, { name: "期限 切れ子", email: "expiry@example.com" });
    await page.getByRole("button", { name: "お支払いへ進む" }).click();
    await expect(page.getByTestId("hold-countdown")).toHaveText(/^1[45]:[0-5]\d$/);
    expect(await remaining(request, yoga.id, slot?.id ?? "")).toBe(before - 1);

    try {
      const moved = await request.post("/api/dev/clock", { data: { action: "advance", ms: 16 * 60 * 1000 } });
      expect(moved.status()).toBe(200);
      // The person comes back to the tab: the page re-reads the server's clock and its countdown hits zero.
      await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
      await expect(page.getByTestId("hold-expired")).toContainText("お席の確保期限が切れました", { timeout: 15_000 });
      await expect(page.getByTestId("hold-countdown")).toHaveCount(0);
      await expect(page.getByRole("link", { name: "日時を選び直す" })).toHaveAttribute("href", `/services/${yoga.slug}`);
      // The expiry job (every 30 s in process) releases the hold; the page keeps re-checking until it reads so.
      await expect(page.getByText("期限切れ", { exact: true })).toBeVisible({ timeout: 60_000 });
      expect(await remaining(request, yoga.id, slot?.id ?? "")).toBe(before);
    } finally {
      await request.post("/api/dev/clock", { data: { action: "reset" } });
    }
  });
});
