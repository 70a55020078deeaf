import { expect, test, type Page } from "@playwright/test";
import { fillDetails, openSlotsAhead, service } from "./support/booking";

/**
 * Paying as a person does (issue 4): the pay page opens checkout, the sandbox page stands in for Stripe's hosted
 * checkout, the emulator sends signed webhooks to the real route, and the pay page shows what they decided.
 * (The late-payment journey moves the shared test clock, so it lives in clock.spec.ts.)
 */

async function holdThroughForm(page: Page, slotId: string, name: string, email: string) {
  await page.goto(`/book/${slotId}`);
  await fillDetails(page, { name, email });
  await page.getByRole("button", { name: "お支払いへ進む" }).click();
  await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\/pay\?token=/);
}

async function payInSandbox(page: Page, card: string) {
  await page.getByTestId("sandbox-card").fill(card);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByTestId("sandbox-pay").click();
}

test.describe("payments", () => {
  test.use({ locale: "ja-JP" });

  test("pays in the sandbox checkout, sees the confirmed reservation, and a cancellation refunds it", async ({
    page,
    request,
  }) => {
    const tea = await service(request, "tea-ceremony");
    const [slot] = await openSlotsAhead(request, tea.id);
    expect(slot, "an open tea-ceremony slot").toBeTruthy();
    await holdThroughForm(page, slot?.id ?? "", "支払 花子", "pay-ok@example.com");

    await page.getByTestId("pay-button").click();
    await expect(page).toHaveURL(/\/dev\/checkout\/cs_test_/);
    await expect(page.getByTestId("sandbox-amount")).toContainText("4,500");
    await expect(page.getByTestId("sandbox-countdown")).toHaveText(/\d+:\d\d/);
    await payInSandbox(page, "4242 4242 4242 4242");

    await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\/pay\?session_id=cs_test_/);
    await expect(page.getByTestId("payment-confirmed")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("payment-confirmed")).toContainText("お支払いを受け付けました");
    await expect(page.getByText("予約確定", { exact: true })).toBeVisible();

    // The manage page shows the payment; cancelling says before confirming that it refunds in full, then does.
    await page.getByRole("link", { name: "予約内容を確認する" }).click();
    await expect(page.getByTestId("payment-summary")).toHaveText(/4,500 お支払い済み$/);
    await page.getByRole("button", { name: "予約をキャンセルする" }).click();
    await expect(page.getByTestId("cancel-refund-note")).toContainText("4,500 はカードに全額返金されます");
    await page.getByRole("button", { name: "キャンセルを確定する" }).click();
    await expect(page.getByText("キャンセル済み", { exact: true })).toBeVisible();
    await expect(page.getByTestId("payment-summary")).toContainText("4,500 返金済み");
  });

  test("a declined card shows why, and a retry with another session succeeds", async ({ page, request }) => {
    const tea = await service(request, "tea-ceremony");
    const [, slot] = await openSlotsAhead(request, tea.id);
    expect(slot, "a second open tea-ceremony slot").toBeTruthy();
    await holdThroughForm(page, slot?.id ?? "", "支払 失敗子", "pay-declined@example.com");
    const payPage = page.url();

    await page.getByTestId("pay-button").click();
    await expect(page).toHaveURL(/\/dev\/checkout\/cs_test_/);
    const firstSession = page.url();
    await payInSandbox(page, "4000 0000 0000 9995");
    await expect(page.getByTestId("sandbox-error")).toBeVisible();

    // Back to the shop: the pay page (the webhook has recorded the decline) says why and offers a retry.
    await page.goto(payPage);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("payment-failed")).toContainText("残高不足", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(page.getByTestId("hold-countdown")).toBeVisible();

    await page.getByTestId("pay-button").click();
    await expect(page).toHaveURL(/\/dev\/checkout\/cs_test_/);
    expect(page.url()).not.toBe(firstSession);
    await payInSandbox(page, "4242 4242 4242 4242");
    await expect(page.getByTestId("payment-confirmed")).toBeVisible({ timeout: 20_000 });
  });
});
