import { expect, test } from "@playwright/test";
import { fillDetails, holdViaApi, openSlotsAhead, remaining, service } from "./support/booking";

/**
 * Journeys that move the shared test clock (/api/dev/clock) or hold back webhook delivery. They live in this one file,
 * which playwright.config.ts runs as its own project after every other spec: one after the other in one worker, never
 * under a parallel test's hold or payment. Each puts the clock back (and resumes delivery) when it ends.
 */
test.describe("on the test clock", () => {
  test.use({ locale: "ja-JP" });

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
      await expect(page.getByRole("link", { name: "日時を選び直す" })).toHaveAttribute(
        "href",
        `/services/${yoga.slug}`,
      );
      // The expiry job (every 30 s in process) releases the hold; the page keeps re-checking until it reads so.
      await expect(page.getByText("期限切れ", { exact: true })).toBeVisible({ timeout: 60_000 });
      expect(await remaining(request, yoga.id, slot?.id ?? "")).toBe(before);
    } finally {
      await request.post("/api/dev/clock", { data: { action: "reset" } });
    }
  });

  test("a payment that arrives after the hold expired takes the free seats back, and the pay page says so", async ({
    page,
    request,
  }) => {
    test.setTimeout(150_000);
    const tea = await service(request, "tea-ceremony");
    const slots = await openSlotsAhead(request, tea.id);
    const slot = slots[2] ?? slots[0];
    expect(slot, "an open tea-ceremony slot").toBeTruthy();
    const held = await holdViaApi(request, slot?.id ?? "");
    const token = new URL(held.manageUrl).searchParams.get("token") ?? "";
    const reservationStatus = async () => {
      const res = await request.get(`/api/reservations/${held.reservation.id}?token=${token}`);
      expect(res.status()).toBe(200);
      return ((await res.json()) as { reservation: { status: string } }).reservation.status;
    };

    try {
      await page.goto(`/reservations/${held.reservation.code}/pay?token=${token}`);
      await page.getByTestId("pay-button").click();
      await expect(page).toHaveURL(/\/dev\/checkout\/cs_test_/);
      // The webhook is held back (as if Stripe's delivery were slow) while the customer pays…
      expect((await request.post("/api/dev/payments/webhooks", { data: { action: "pause" } })).status()).toBe(200);
      // A person picks the succeeding test card from the list (fills number, expiry and CVC) and pays.
      await page.getByRole("button", { name: /4242 4242 4242 4242/ }).click();
      await page.getByTestId("sandbox-pay").click();
      await expect(page.getByTestId("payment-processing")).toBeVisible();

      // …and the hold runs out meanwhile: the expiry job (every 30 s in process) releases the seats.
      expect((await request.post("/api/dev/clock", { data: { action: "advance", ms: 16 * 60 * 1000 } })).status()).toBe(
        200,
      );
      await expect.poll(reservationStatus, { timeout: 60_000, intervals: [2_000] }).toBe("expired");
      const seatsFree = await remaining(request, tea.id, slot?.id ?? "");

      // The payment arrives late. LATE_PAYMENT_POLICY=reacquire_or_refund: the seat is free, so it is taken back.
      expect((await request.post("/api/dev/payments/webhooks", { data: { action: "resume" } })).status()).toBe(200);
      await expect.poll(reservationStatus, { timeout: 20_000 }).toBe("confirmed");
      await page.reload();
      await expect(page.getByTestId("late-payment-outcome")).toContainText("お支払いを受け付け、予約が確定しました");
      expect(await remaining(request, tea.id, slot?.id ?? "")).toBe(seatsFree - 1);
    } finally {
      await request.post("/api/dev/payments/webhooks", { data: { action: "resume" } });
      await request.post("/api/dev/clock", { data: { action: "reset" } });
    }
  });
});
