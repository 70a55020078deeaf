import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test, type APIResponse, type Page, type Response } from "@playwright/test";
import { fillDetails, holdViaApi, openSlotsAhead, service } from "./support/booking";
import { E2E_DATA_DIR } from "./support/server-env";

/**
 * Issue 11, items 5–7 through a browser and over HTTP against the production build: every page is served with an
 * enforced nonce CSP and still hydrates (a client-side interaction works), no CSP violation is ever reported, the
 * anti-framing / nosniff / referrer headers are on pages and API answers alike, and the proxy refuses foreign hosts,
 * cross-origin server actions and malformed paths with the documented answers.
 */

const SECURITY_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "cross-origin-opener-policy": "same-origin",
};

function expectSecurityHeaders(headers: Record<string, string>) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], name).toBe(value);
  // The E2E server's APP_BASE_URL is http: no HSTS (it would pin a plain-http host to https).
  expect(headers["strict-transport-security"]).toBeUndefined();
}

/** The nonce of a page response's CSP, after checking the policy is the enforced one (not report-only). */
function nonceOf(headers: Record<string, string>): string {
  expect(headers["content-security-policy-report-only"]).toBeUndefined();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain("unsafe-eval");
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  return nonce as string;
}

/** Every <script> the server wrote carries the response's nonce (Next.js's own and the page's inline data alike). */
function expectScriptsNonced(html: string, nonce: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(` nonce="${nonce}"`);
}

type Violation = { directive: string; blocked: string; page: string };

/**
 * Collects CSP violations in every document of the page (the event, from an init script that runs before any page
 * script) and the console's "Refused to …" lines (which also cover frames where no script may run).
 */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const list: Violation[] = [];
    (window as unknown as { __cspViolations: Violation[] }).__cspViolations = list;
    document.addEventListener("securitypolicyviolation", (e) =>
      list.push({ directive: e.violatedDirective, blocked: e.blockedURI, page: location.pathname }),
    );
  });
  const refused: string[] = [];
  page.on("console", (msg) => {
    if (/Refused to|Content Security Policy/i.test(msg.text())) refused.push(msg.text());
  });
  const seen: string[] = [];
  return async () => {
    const now = await page
      .evaluate(() => (window as unknown as { __cspViolations?: Violation[] }).__cspViolations ?? [])
      .catch(() => [] as Violation[]);
    seen.push(...now.map((v) => `${v.page}: ${v.directive} blocked ${v.blocked}`));
    return [...seen, ...refused];
  };
}

/**
 * Opens a page and checks what holds for all of them: the headers, the nonce on every server-written script, and that
 * React hydrated (Next.js's route announcer is added by a client effect). A marker on window shows later whether a
 * navigation stayed client-side.
 */
async function open(page: Page, path: string, violations: () => Promise<string[]>): Promise<Response> {
  const res = await page.goto(path);
  expect(res, path).toBeTruthy();
  const response = res as Response;
  const headers = response.headers();
  expectSecurityHeaders(headers);
  expectScriptsNonced(await response.text(), nonceOf(headers));
  await expect(page.locator("next-route-announcer"), `${path} hydrated`).toHaveCount(1);
  await page.evaluate(() => ((window as unknown as { __marker: string }).__marker = "still-here"));
  expect(await violations(), path).toEqual([]);
  return response;
}

const softNavigated = (page: Page) =>
  page.evaluate(() => (window as unknown as { __marker?: string }).__marker === "still-here");

test.describe("security headers and CSP", () => {
  test.use({ locale: "ja-JP" });

  test("a page and an API answer carry the headers; the page's scripts carry its nonce, a fresh one each time", async ({
    request,
  }) => {
    const first = await request.get("/");
    expect(first.status()).toBe(200);
    expectSecurityHeaders(first.headers());
    const nonce = nonceOf(first.headers());
    expectScriptsNonced(await first.text(), nonce);
    expect(nonceOf((await request.get("/")).headers())).not.toBe(nonce);

    for (const api of [await request.get("/api/services"), await request.get("/api/no-such-route")]) {
      expectSecurityHeaders(api.headers());
      expect(api.headers()["content-security-policy"]).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(api.headers()["x-request-id"]).toBeTruthy();
    }
    // Static assets get the fixed set from next.config.ts.
    const asset = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(await first.text())?.[1];
    expect(asset).toBeTruthy();
    expectSecurityHeaders((await request.get(asset as string)).headers());
  });

  test("a customer books and pays through every public page with no CSP violation", async ({ page, request }) => {
    const violations = await watchViolations(page);
    const tea = await service(request, "tea-ceremony");
    const [slot] = await openSlotsAhead(request, tea.id);
    expect(slot, "an open tea-ceremony slot").toBeTruthy();

    await open(page, "/", violations);
    await page.getByRole("link", { name: `${tea.name}を予約する` }).click();
    await expect(page).toHaveURL(/\/services\/tea-ceremony$/);
    expect(await softNavigated(page), "client-side navigation from the home page").toBe(true);

    await open(page, "/services/tea-ceremony", violations);
    await page.locator(`a[data-slot-id="${slot?.id}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/book/${slot?.id}$`));

    await open(page, `/book/${slot?.id}`, violations);
    await page.getByRole("button", { name: "お支払いへ進む" }).click();
    await expect(page.getByText("お名前を入力してください。"), "client-side validation").toBeVisible();
    await fillDetails(page, { name: "安全 花子", email: `csp-${randomUUID().slice(0, 8)}@example.com` });
    await page.getByRole("button", { name: "お支払いへ進む" }).click();
    await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\/pay\?token=/);

    const payPage = new URL(page.url());
    await open(page, payPage.pathname + payPage.search, violations);
    await page.getByTestId("pay-button").click();
    await expect(page).toHaveURL(/\/dev\/checkout\/cs_test_/);
    const checkout = new URL(page.url());
    await open(page, checkout.pathname, violations);
    await page.getByTestId("sandbox-card").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("CVC").fill("123");
    await page.getByTestId("sandbox-pay").click();
    await expect(page.getByTestId("payment-confirmed")).toBeVisible({ timeout: 20_000 });
    await page.getByRole("link", { name: "予約内容を確認する" }).click();
    await expect(page).toHaveURL(/\/reservations\/BK-[A-Z0-9-]+\?token=/);
    expect(await violations()).toEqual([]);

    const manage = new URL(page.url());
    await open(page, manage.pathname + manage.search, violations);
    await page.getByRole("button", { name: "予約をキャンセルする" }).click();
    await expect(page.getByTestId("cancel-refund-note"), "client-side panel").toBeVisible();

    for (const path of ["/sign-in", "/sign-up", "/forbidden", "/dev", "/dev/email/preview", "/no-such-page"]) {
      await open(page, path, violations);
    }
  });

  test("the seeded admin's /manage screens hydrate with no CSP violation; the email viewer keeps its own policy", async ({
    page,
    request,
  }) => {
    const violations = await watchViolations(page);
    const tea = await service(request, "tea-ceremony");
    const [slot] = await openSlotsAhead(request, tea.id);
    const held = await holdViaApi(request, slot?.id ?? "");

    const accounts = JSON.parse(await readFile(`${E2E_DATA_DIR}/seed-credentials.json`, "utf8")) as {
      role: string;
      email: string;
      password: string;
    }[];
    const admin = accounts.find((a) => a.role === "admin");
    expect(admin, "seeded admin").toBeTruthy();
    await open(page, "/sign-in?next=%2Fmanage", violations);
    await page.getByLabel("メールアドレス").fill(admin?.email ?? "");
    await page.getByLabel("パスワード").fill(admin?.password ?? "");
    await page.getByRole("button", { name: "ログイン", exact: true }).click();
    await expect(page).toHaveURL(/\/manage$/);

    for (const path of [
      "/manage",
      "/manage/reservations",
      `/manage/reservations/${held.reservation.id}`,
      "/manage/slots",
      "/manage/slots/new",
      "/manage/slots/rules",
      "/manage/slots/import",
      "/manage/notifications",
      "/manage/webhooks",
      "/manage/audit",
      "/manage/users",
      "/account",
      `/dev/email/preview/confirmation/${held.reservation.id}`,
    ]) {
      await open(page, path, violations);
    }

    await open(page, "/manage", violations);
    await page
      .getByRole("navigation", { name: "管理メニュー" })
      .getByRole("link", { name: "予約", exact: true })
      .click();
    await expect(page).toHaveURL(/\/manage\/reservations/);
    expect(await softNavigated(page), "client-side navigation in /manage").toBe(true);

    // The email viewer: the stored HTML in a sandboxed frame whose own, stricter policy is still there.
    const list = await page.request.get("/api/admin/notifications?pageSize=5");
    expect(list.status(), await list.text()).toBe(200);
    const { notifications } = (await list.json()) as { notifications: { id: string; channel: string }[] };
    const email = notifications.find((n) => n.channel === "email");
    expect(email, "an email in the notifications log").toBeTruthy();
    await open(page, `/manage/notifications/${email?.id}`, violations);
    const frame = page.locator("iframe[sandbox]");
    await expect(frame).toHaveAttribute("sandbox", "");
    const framePolicy = frame.contentFrame().locator('meta[http-equiv="Content-Security-Policy"]');
    await expect(framePolicy).toHaveAttribute(
      "content",
      /^default-src 'none'; img-src data: https:; style-src 'unsafe-inline'$/,
    );
    expect(await violations()).toEqual([]);
  });
});

test.describe("proxy refusals", () => {
  const expectProblem = async (res: APIResponse, status: number, code: string) => {
    expect(res.status(), await res.text()).toBe(status);
    expect(res.headers()["content-type"]).toBe("application/problem+json");
    const body = (await res.json()) as { code: string; requestId: string };
    expect(body.code).toBe(code);
    expect(body.requestId).toBe(res.headers()["x-request-id"]);
    expectSecurityHeaders(res.headers());
  };

  test("a foreign Host or X-Forwarded-Host is 400, except on health and ping", async ({ request }) => {
    await expectProblem(
      await request.get("/api/services", { headers: { host: "evil.example" } }),
      400,
      "host_not_allowed",
    );
    await expectProblem(
      await request.get("/api/services", { headers: { "x-forwarded-host": "evil.example" } }),
      400,
      "host_not_allowed",
    );
    const page = await request.get("/", { headers: { host: "evil.example" } });
    expect(page.status()).toBe(400);
    expect(page.headers()["content-type"]).toBe("text/html; charset=utf-8");
    expect((await request.get("/api/health", { headers: { host: "10.0.0.1" } })).status()).toBe(200);
    expect((await request.get("/api/ping", { headers: { host: "10.0.0.1" } })).status()).toBe(200);
  });

  test("malformed percent-encoding is a 400 problem on the API and a 404 page elsewhere, never a 500", async ({
    request,
  }) => {
    await expectProblem(await request.get("/api/reservations/%E0%A4%A"), 400, "bad_request");
    for (const path of ["/services/%E0%A4%A", "/reservations/%E0%A4%A/pay"]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(404);
      expect(res.headers()["content-type"]).toBe("text/html; charset=utf-8");
    }
  });

  test("a server action from another origin is 403, not 500", async ({ request }) => {
    const res = await request.post("/sign-in", {
      headers: {
        "next-action": "7f".padEnd(42, "0"),
        origin: "https://evil.example",
        "content-type": "text/plain;charset=UTF-8",
      },
      data: "[]",
    });
    await expectProblem(res, 403, "forbidden");
    // Same origin, unknown action id: Next.js's own answer, not a 500.
    const unknown = await request.post("/sign-in", {
      headers: {
        "next-action": "7f".padEnd(42, "0"),
        origin: new URL(test.info().project.use.baseURL ?? "").origin,
        "content-type": "text/plain;charset=UTF-8",
      },
      data: "[]",
    });
    expect(unknown.status()).toBeLessThan(500);
  });
});
