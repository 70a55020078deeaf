import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { fillDetails, openSlotsAhead, service } from "./support/booking";

/**
 * Issue 6, the customer's side of sign-in: sign up, book while signed in, see only one's own bookings at /account,
 * and never the staff area.
 */

/**
 * Sign-up answers "check your email" whether or not the address was taken, and signs nobody in (issue 11: no account
 * enumeration); the new account then signs in with its password (the emailed link would do too).
 */
async function signUp(page: Page, name: string, email: string) {
  await page.goto("/sign-up");
  await page.getByLabel("お名前").fill(name);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill("a long enough password");
  await page.getByRole("button", { name: "登録する" }).click();
  await expect(page.getByRole("status")).toContainText("メールを送信しました");
  await page.goto("/sign-in");
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill("a long enough password");
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-email")).toContainText(email);
}

test.describe("customer accounts", () => {
  test("a customer books while signed in, sees the booking at /account, and another customer does not", async ({
    page,
    browser,
    request,
  }) => {
    const free = await service(request, "first-consultation");
    const slot = (await openSlotsAhead(request, free.id)).at(-2);
    expect(slot, "an open first-consultation slot").toBeTruthy();

    const email = `hanako-${randomUUID().slice(0, 8)}@example.com`;
    await signUp(page, "山田 花子", email);
    await expect(page.getByTestId("account-upcoming")).toHaveCount(0);

    await page.goto(`/book/${slot?.id}`);
    await fillDetails(page, { name: "山田 花子", email });
    await page.getByRole("button", { name: "予約を確定する" }).click();
    await expect(page).toHaveURL(/\/reservations\/(BK-[A-Z0-9-]+)\?token=/);
    const code = /\/reservations\/(BK-[A-Z0-9-]+)/.exec(page.url())?.[1] ?? "";

    await page.goto("/account");
    const upcoming = page.getByTestId("account-upcoming");
    await expect(upcoming.getByText(code)).toBeVisible();
    await upcoming.getByRole("link").filter({ hasText: code }).click();
    await expect(page).toHaveURL(new RegExp(`/reservations/${code}\\?token=`));
    await expect(page.getByRole("heading", { level: 1, name: "ご予約内容" })).toBeVisible();

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signUp(otherPage, "佐藤 次郎", `jiro-${randomUUID().slice(0, 8)}@example.com`);
    await expect(otherPage.getByText(code)).toHaveCount(0);
    await other.close();
  });

  test("a customer cannot open /manage or the admin API; signed out, /account asks to sign in", async ({ page }) => {
    const signedOut = await page.goto("/manage/reservations");
    expect(signedOut?.status()).toBe(200);
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fmanage%2Freservations$/);

    await signUp(page, "山田 太郎", `taro-${randomUUID().slice(0, 8)}@example.com`);
    await page.goto("/manage/reservations");
    await expect(page).toHaveURL(/\/forbidden$/);
    await expect(page.getByRole("heading", { name: "このページを表示する権限がありません" })).toBeVisible();
    await expect(page.getByText("予約一覧")).toHaveCount(0);
    const api = await page.request.get("/api/admin/reservations");
    expect(api.status()).toBe(403);
    expect(((await api.json()) as { code: string }).code).toBe("forbidden");

    await page.goto("/account");
    await page.getByRole("button", { name: "ログアウト" }).click();
    await expect(page).toHaveURL(/\/sign-in\?signedOut=1$/);
    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
    expect((await page.request.get("/api/admin/reservations")).status()).toBe(401);
  });

  test("signing in with an emailed code: the link and code arrive in the dry-run outbox", async ({ page }) => {
    const email = `code-${randomUUID().slice(0, 8)}@example.com`;
    await signUp(page, "コード 利用者", email);
    await page.getByRole("button", { name: "ログアウト" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.getByRole("tab", { name: "メールでコードを受け取る" }).click();
    await page.getByLabel("メールアドレス").fill(email);
    await page.getByRole("button", { name: "コードを送信" }).click();
    await expect(page.getByRole("status")).toContainText(email);

    const code = await emailedCode(email);
    await page.getByLabel("6桁のコード").fill("000000" === code ? "111111" : "000000");
    await page.getByRole("button", { name: "コードを確認してログイン" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "コードが正しくないか" })).toBeVisible();
    await page.getByLabel("6桁のコード").fill(code);
    await page.getByRole("button", { name: "コードを確認してログイン" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId("account-email")).toContainText(email);
  });
});

/**
 * The newest sign-in email to this address in the dry-run outbox (.data/e2e/outbox/<id>.eml). Sign-up already sent
 * one; a code asked for within 60 s of it is not sent again (GoTrue's per-address interval), so the newest is the one
 * that works.
 */
async function emailedCode(email: string): Promise<string> {
  const { readdir, readFile, stat } = await import("node:fs/promises");
  const { simpleParser } = await import("mailparser");
  const { E2E_DATA_DIR } = await import("./support/server-env");
  const dir = `${E2E_DATA_DIR}/outbox`;
  const newestFirst = async () => {
    const files = await readdir(dir).catch(() => [] as string[]);
    const stamped = await Promise.all(
      files.map(async (file) => ({ file, at: (await stat(`${dir}/${file}`)).mtimeMs })),
    );
    return stamped.sort((a, b) => b.at - a.at).map((s) => s.file);
  };
  for (let i = 0; i < 40; i++) {
    for (const file of await newestFirst()) {
      const mail = await simpleParser(await readFile(`${dir}/${file}`));
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      const match = /(\d{6}) をお使いください/.exec(mail.text ?? "");
      if (to?.text.includes(email) && match) return match[1] as string;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no sign-in email for ${email} in ${dir}`);
}
