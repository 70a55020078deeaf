import { expect, test } from "@playwright/test";
import { holdViaApi, openSlotsAhead, pathOf, service } from "./support/booking";

/**
 * Notifications as a person meets them (issue 5): the customer asks for the confirmation again from the manage page,
 * and the development preview shows the email that booking produces (dry run, so nothing leaves the machine).
 */
test.describe("notifications", () => {
  test.use({ locale: "ja-JP" });

  test("the customer resends the confirmation, and the preview shows that email in Japanese and English", async ({
    page,
    request,
  }) => {
    const free = await service(request, "first-consultation");
    const slots = await openSlotsAhead(request, free.id);
    const slot = slots[3] ?? slots[0];
    expect(slot, "an open first-consultation slot").toBeTruthy();
    const booked = await holdViaApi(request, slot?.id ?? "");
    expect(booked.reservation.status).toBe("confirmed");

    await page.goto(pathOf(booked.manageUrl));
    await page.getByTestId("resend-confirmation").click();
    await expect(page.getByRole("status")).toContainText("api@example.com に再送しました");

    await page.goto(`/dev/email/preview/confirmation/${booked.reservation.code}`);
    await expect(page.getByTestId("email-subject")).toContainText(booked.reservation.code);
    await expect(page.getByTestId("email-text")).toContainText("/reservations/");
    await page.goto(`/dev/email/preview/confirmation/${booked.reservation.code}?locale=en`);
    await expect(page.getByTestId("email-subject")).toContainText(/confirmed/i);
  });
});
