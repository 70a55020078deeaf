import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { openSlotsAhead, service } from "./support/booking";
import { E2E_DATA_DIR } from "./support/server-env";

/**
 * Issue 6, the staff side: a staff member signs in, finds a paid reservation, moves it to another slot, refunds part
 * of it, exports the list as CSV and sees every step in the reservation's history and in the audit log.
 */

type Seeded = { role: "admin" | "staff"; email: string; password: string };

async function seededAccount(role: Seeded["role"]): Promise<Seeded> {
  // The server seeds its fresh database at startup and saves the generated sign-ins here (decision 0011).
  const accounts = JSON.parse(await readFile(`${E2E_DATA_DIR}/seed-credentials.json`, "utf8")) as Seeded[];
  const found = accounts.find((a) => a.role === role);
  expect(found, `seeded ${role} account`).toBeTruthy();
  return found as Seeded;
}

/** A paid, confirmed reservation: hold through the API, open checkout, pay with 4242 in the sandbox, wait for the webhook. */
async function paidReservation(request: APIRequestContext, slotId: string, email: string) {
  const held = await request.post("/api/reservations", {
    headers: { "Idempotency-Key": randomUUID() },
    data: { slotId, quantity: 2, customer: { name: "管理 花子", email }, locale: "ja" },
  });
  expect(held.status(), await held.text()).toBe(201);
  const body = (await held.json()) as { reservation: { id: string; code: string }; manageUrl: string };
  const token = new URL(body.manageUrl).searchParams.get("token") ?? "";
  const checkout = await request.post(
    `/api/reservations/${body.reservation.id}/checkout?token=${encodeURIComponent(token)}`,
    {
      headers: { "Idempotency-Key": randomUUID() },
    },
  );
  expect(checkout.status(), await checkout.text()).toBe(201);
  const { checkout: session } = (await checkout.json()) as { checkout: { sessionId: string } };
  const paid = await request.post(`/api/dev/payments/checkout/${session.sessionId}`, {
    data: { card: "4242424242424242" },
  });
  expect(paid.status(), await paid.text()).toBe(200);
  await expect
    .poll(async () => {
      const res = await request.get(`/api/reservations/${body.reservation.id}?token=${encodeURIComponent(token)}`);
      return ((await res.json()) as { reservation?: { status: string } }).reservation?.status;
    })
    .toBe("confirmed");
  return body.reservation;
}

async function signIn(page: Page, account: Seeded, next: string) {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("メールアドレス").fill(account.email);
  await page.getByLabel("パスワード").fill(account.password);
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}

test.describe("manage", () => {
  test("staff find a paid booking, reschedule it, refund part, export CSV and see each step audited", async ({
    page,
    request,
  }) => {
    const cooking = await service(request, "washoku-cooking");
    const slots = await openSlotsAhead(request, cooking.id, 2);
    expect(slots.length, "two open washoku-cooking slots").toBeGreaterThanOrEqual(2);
    const reservation = await paidReservation(
      request,
      slots.at(-1)?.id ?? "",
      `staff-flow-${randomUUID().slice(0, 8)}@example.com`,
    );

    const staff = await seededAccount("staff");
    await signIn(page, staff, "/manage/reservations");
    await expect(page.getByTestId("manage-viewer")).toContainText(staff.email);

    // Find it by code.
    await page.getByLabel("キーワード").fill(reservation.code);
    await page.getByRole("button", { name: "この条件で表示" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${reservation.code}`));
    await page.getByRole("link", { name: reservation.code, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/manage/reservations/${reservation.id}$`));
    await expect(page.getByRole("heading", { level: 1 })).toContainText(reservation.code);

    // Reschedule to another slot, with a reason.
    await page.getByRole("button", { name: "日時を変更する" }).click();
    await expect(page.getByRole("heading", { name: "別の枠に移します" })).toBeFocused();
    await page.getByRole("button", { name: "変更を確定" }).click();
    await expect(page.getByText("理由を入力してください。")).toBeVisible();
    await page.getByLabel("理由").fill("お客様から電話で日程変更の依頼");
    await page.getByRole("button", { name: "変更を確定" }).click();
    await expect(page.getByText("日時を変更しました。")).toBeVisible();
    await expect(page.getByText("お客様から電話で日程変更の依頼").first()).toBeVisible();
    await page.waitForLoadState("networkidle");

    // Refund part of it (the booking stays confirmed).
    await page.getByRole("button", { name: "返金する" }).click();
    await page.getByLabel(/返金額/).fill("1000");
    await page.getByLabel("理由").fill("食材の一部をご用意できなかったため");
    await page.getByRole("button", { name: /を返金$/ }).click();
    await expect(page.getByText("返金を受け付けました。")).toBeVisible();
    await expect(page.getByText("食材の一部をご用意できなかったため").first()).toBeVisible();
    await expect(page.getByText("一部返金済み").first()).toBeVisible();

    // Export the filtered list as CSV: UTF-8 with BOM, Japanese intact, only this booking.
    await page.goto(`/manage/reservations?q=${reservation.code}`);
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "CSVをダウンロード" }).click();
    const file = await (await download).path();
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString("utf8").trim().split(/\r\n/);
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(reservation.code);
    expect(csv[1]).toContain("管理 花子");

    // Every step is in the audit log with who did it and why.
    await page.goto(`/manage/audit?actor=${encodeURIComponent(staff.email)}`);
    const log = page.locator("main");
    await expect(log).toContainText("reservation.rescheduled");
    await expect(log).toContainText("お客様から電話で日程変更の依頼");
    await expect(log).toContainText("食材の一部をご用意できなかったため");
    await expect(log).toContainText("reservations.exported");
  });

  test("staff neither see nor open the admin-only users page", async ({ page }) => {
    const staff = await seededAccount("staff");
    await signIn(page, staff, "/manage");
    await expect(page.getByRole("link", { name: "ユーザーと権限" })).toHaveCount(0);
    await page.goto("/manage/users");
    await expect(page).toHaveURL(/\/forbidden$/);
  });
});
