import { expect, test } from "@playwright/test";
import { fillDetails, holdViaApi, openSlotsAhead, pathOf, remaining, service } from "./support/booking";

/**
 * The customer's booking journey through the pages a person uses (Japanese, the default): book a free service to
 * the confirmation, a paid one to the payment step, manage a booking from its link (reschedule, cancel), see a sold
 * out time. (Tests that move the shared test clock live in clock.spec.ts.) Slots come from the seeded data through
 * the public API; each test uses its own service so they never compete for seats.
 */

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
    await expect(page.getByTestId("pay-button")).toHaveText(/^[¥￥]13,600 を支払う$/);
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

    const read = await request.get(
      `/api/reservations/${held.reservation.id}?token=${new URL(held.manageUrl).searchParams.get("token")}`,
    );
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

  test("shows a sold-out time as such, and says so when the last seat goes while filling the form", async ({
    page,
    request,
  }) => {
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
});
