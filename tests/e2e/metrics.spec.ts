import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { holdViaApi, openSlotsAhead, service } from "./support/booking";
import { E2E_DATA_DIR } from "./support/server-env";

/**
 * Issue 13, the built-in availability dashboard: a load of bookings and deliberate 404s shows up on /manage/metrics
 * once the server has flushed its per-minute aggregates, and the page stays readable on a tablet. Other specs run in
 * parallel on the same server, so the numbers are compared with what the page showed before the load.
 */

type Seeded = { role: "admin" | "staff"; email: string; password: string };

async function signInAsStaff(page: Page, next: string): Promise<void> {
  const accounts = JSON.parse(await readFile(`${E2E_DATA_DIR}/seed-credentials.json`, "utf8")) as Seeded[];
  const staff = accounts.find((a) => a.role === "staff");
  expect(staff, "seeded staff account").toBeTruthy();
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("メールアドレス").fill(staff!.email);
  await page.getByLabel("パスワード").fill(staff!.password);
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}

/** A number shown on the page (locale-formatted, e.g. "1,234"), or 0 for a group with no row yet. */
async function shown(page: Page, testId: string, cell = 0): Promise<number> {
  const el = page.getByTestId(testId);
  if ((await el.count()) === 0) return 0;
  const text = cell === 0 ? await el.innerText() : await el.locator("td").nth(cell).innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

test.describe("manage: availability dashboard", () => {
  test("shows the requests, 404s and holds of a load, with charts, readable on a tablet", async ({ page, request }) => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await signInAsStaff(page, "/manage/metrics");
    await expect(page.getByRole("heading", { name: "稼働状況" })).toBeVisible();
    const holdsBefore = await shown(page, "metrics-counter-holds_created");
    const otherBefore = await shown(page, "metrics-group-other", 1);

    const cooking = await service(request, "washoku-cooking");
    const open = await openSlotsAhead(request, cooking.id, 1);
    expect(open.length, "open slots to book").toBeGreaterThan(0);
    const HOLDS = 5;
    for (let i = 0; i < HOLDS; i++) await holdViaApi(request, open[i % open.length]!.id);
    for (let i = 0; i < 3; i++) {
      const res = await request.get(`/api/no-such-endpoint-${i}`);
      expect(res.status()).toBe(404);
    }

    // The server writes its aggregates every 15 s: reload until they are there.
    await expect
      .poll(
        async () => {
          await page.reload();
          return {
            holds: (await shown(page, "metrics-counter-holds_created")) - holdsBefore >= HOLDS,
            notFound: (await shown(page, "metrics-group-other", 1)) - otherBefore >= 3,
          };
        },
        { timeout: 45_000, intervals: [2_000] },
      )
      .toEqual({ holds: true, notFound: true });

    const booking = page.getByTestId("metrics-group-booking");
    await expect(booking).toBeVisible();
    await expect(booking.locator("td").nth(2)).toContainText("%");
    // Two charts drawn (uPlot canvases), and nothing wider than the tablet's screen.
    await expect(page.locator('[role="img"] canvas')).toHaveCount(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Another window, and English.
    await page.getByRole("link", { name: "直近 7 日間" }).click();
    await expect(page).toHaveURL(/window=week$/);
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "Availability" })).toBeVisible();
    await expect(page.getByTestId("metrics-counter-holds_created")).not.toHaveText("0");
  });
});
