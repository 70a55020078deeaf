import { expect, test, type APIRequestContext } from "@playwright/test";

/** Names the API gives for each locale, so the page is checked against the seeded data rather than a copy of it. */
async function serviceNames(request: APIRequestContext, locale: "ja" | "en"): Promise<string[]> {
  const res = await request.get(`/api/services?locale=${locale}`);
  expect(res.status()).toBe(200);
  const { services } = (await res.json()) as { services: { name: string }[] };
  expect(services.length).toBeGreaterThan(0);
  return services.map((s) => s.name);
}

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

test("without any language preference the home page is Japanese", async ({ request }) => {
  // The API request context sends no Accept-Language and no cookie: this is the server's own default.
  const res = await request.get("/");
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toMatch(/<html[^>]*\blang="ja"/);
  for (const name of await serviceNames(request, "ja")) expect(html).toContain(name);
});

test.describe("in the browser", () => {
  test.use({ locale: "ja-JP" });

  test("renders in Japanese and switches to English", async ({ page, request }, testInfo) => {
    const ja = await serviceNames(request, "ja");
    const en = await serviceNames(request, "en");
    expect(ja.every((name) => JAPANESE.test(name))).toBe(true);
    expect(en.some((name) => ja.includes(name))).toBe(false);

    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("空いている時間を選んで");
    await expect(page.getByRole("heading", { level: 2, name: "サービス一覧" })).toBeVisible();
    const cards = page.locator("#services").getByRole("listitem");
    await expect(cards).toHaveCount(ja.length);
    for (const name of ja) await expect(page.getByRole("heading", { level: 3, name })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("home-ja.png"), fullPage: true });

    await page.getByRole("button", { name: /English/ }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 2, name: "Services" })).toBeVisible();
    for (const name of en) await expect(page.getByRole("heading", { level: 3, name })).toBeVisible();
    await expect(page.getByText(ja[0] ?? "", { exact: true })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("home-en.png"), fullPage: true });

    // The choice is a cookie: it survives a reload and can be switched back.
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await page.getByRole("button", { name: /日本語/ }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByRole("heading", { level: 3, name: ja[0] })).toBeVisible();
  });
});

test.describe("for an English-speaking browser", () => {
  test.use({ locale: "en-US" });

  // Deliberate (src/i18n/request.ts): pages ignore Accept-Language; English is the visitor's explicit choice.
  test("stays Japanese until the visitor switches", async ({ page, request }) => {
    const ja = await serviceNames(request, "ja");
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByRole("heading", { level: 3, name: ja[0] })).toBeVisible();
  });
});
