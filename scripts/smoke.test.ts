import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runSmokeCli } from "./smoke-cli";
import { buildSmokeAlert, parseWebhookUrl, publicBaseUrl } from "./smoke-notify";

/**
 * `npm run smoke -- --notify` end to end in process: the real command line against a local stand-in for the app
 * (answering every check the way a healthy mocks-off deployment does, or breaking one on request) and a local
 * webhook receiver recording what it is sent.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];

async function listen(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A healthy mocks-off app for the smoke checks; `broken` paths answer 500 instead. */
function fakeApp(options: { broken?: string[]; version?: string } = {}): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const sent = req.headers["x-request-id"];
    const requestId = typeof sent === "string" && /^[A-Za-z0-9._:-]{8,128}$/.test(sent) ? sent : "req-generated-1";
    const send = (status: number, body: unknown, type = "application/json", headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "x-request-id": requestId, ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const problem = (status: number, extra: Record<string, unknown> = {}) =>
      send(status, { status, title: "x", requestId, ...extra }, "application/problem+json");
    req.resume();
    if (options.broken?.includes(url.pathname)) return send(500, "boom", "text/plain");
    switch (url.pathname) {
      case "/api/health":
        return send(200, {
          status: "ok",
          version: options.version ?? "1.2.3",
          db: { ok: true, latencyMs: 1 },
          modes: { database: "postgres", mocksAllowed: false },
        });
      case "/api/services":
        return send(200, { services: [{ id: "svc-1" }] });
      case "/api/slots":
        if (url.searchParams.get("source") === "mock") return problem(403, { code: "mocks_disabled" });
        if (url.searchParams.get("serviceId") === "not-a-uuid")
          return problem(422, { errors: [{ path: "query.serviceId", message: "bad" }] });
        return send(200, { slots: [] }, "application/json", { "x-data-source": "postgres" });
      case "/":
        return send(200, '<!doctype html><html lang="ja"><body></body></html>', "text/html; charset=utf-8");
      case "/api/webhooks/stripe":
        return problem(400, { code: "signature_invalid" });
      case "/dev":
        return send(404, "not found", "text/html");
      default:
        return problem(404);
    }
  };
}

/** A webhook receiver that records each POSTed JSON body and answers `status`. */
async function receiver(status = 200): Promise<{ url: string; received: unknown[] }> {
  const received: unknown[] = [];
  const url = await listen((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method, type: req.headers["content-type"], json: JSON.parse(body) as unknown });
      res.writeHead(status).end();
    });
  });
  return { url: `${url}/hooks/T000/B000/secret-part`, received };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const fast = { timeoutMs: 5_000 };

describe("npm run smoke --notify", () => {
  it("passes against the stand-in app and sends nothing on success", async () => {
    const base = await listen(fakeApp());
    const hook = await receiver();
    const { io, out, err } = capture();
    const code = await runSmokeCli(["--notify"], { BASE_URL: base, SMOKE_ALERT_WEBHOOK_URL: hook.url }, io, fast);
    expect({ code, err }, out.join("\n")).toEqual({ code: 0, err: [] });
    expect(hook.received).toEqual([]);
  });

  it("POSTs the failing checks, the base URL and the version when a check fails, and exits 1", async () => {
    const base = await listen(fakeApp({ broken: ["/"], version: "9.9.9-test" }));
    const hook = await receiver();
    const { io, out } = capture();
    const code = await runSmokeCli(["--notify"], { BASE_URL: base, SMOKE_ALERT_WEBHOOK_URL: hook.url }, io, fast);
    expect(code).toBe(1);
    expect(hook.received).toHaveLength(1);
    const [{ method, type, json }] = hook.received as [{ method: string; type: string; json: { text: string } }];
    expect(method).toBe("POST");
    expect(type).toBe("application/json");
    expect(Object.keys(json)).toEqual(["text"]);
    expect(json.text).toContain("Smoke FAILED: 1/");
    expect(json.text).toContain(`against ${base}`);
    expect(json.text).toContain("version 9.9.9-test");
    expect(json.text).toContain("• home page: GET / → 500, expected 200");
    expect(json.text).not.toContain("secret-part");
    expect(out.join("\n")).toContain(`--notify: failure notice sent to ${new URL(hook.url).origin}.`);
    expect(out.join("\n")).not.toContain("secret-part");
  });

  it("notifies when the server cannot be reached, and exits 2", async () => {
    const closed = await listen(fakeApp());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const hook = await receiver();
    const code = await runSmokeCli(
      ["--notify"],
      { BASE_URL: closed, SMOKE_ALERT_WEBHOOK_URL: hook.url },
      capture().io,
      fast,
    );
    expect(code).toBe(2);
    expect(hook.received).toEqual([
      {
        method: "POST",
        type: "application/json",
        json: { text: `:rotating_light: Smoke FAILED: ${closed} could not be reached (ECONNREFUSED).` },
      },
    ]);
  });

  it("keeps the smoke's exit code and prints the notice's failure when the webhook refuses it", async () => {
    const base = await listen(fakeApp({ broken: ["/api/services"] }));
    const hook = await receiver(500);
    const { io, err } = capture();
    const code = await runSmokeCli(["--notify"], { BASE_URL: base, SMOKE_ALERT_WEBHOOK_URL: hook.url }, io, fast);
    expect(code).toBe(1);
    expect(hook.received).toHaveLength(1);
    expect(err).toEqual([
      `--notify: the failure notice was NOT delivered: ${new URL(hook.url).origin} answered HTTP 500.`,
    ]);
  });

  it("keeps exit 2 when both the server and the webhook are unreachable", async () => {
    const closed = await listen(fakeApp());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const { io, err } = capture();
    const code = await runSmokeCli(
      ["--notify"],
      { BASE_URL: closed, SMOKE_ALERT_WEBHOOK_URL: `${closed}/hook` },
      io,
      fast,
    );
    expect(code).toBe(2);
    expect(err.at(-1)).toBe(
      `--notify: the failure notice was NOT delivered: ${closed} could not be reached (ECONNREFUSED).`,
    );
  });

  it("refuses --notify without a usable http(s) webhook URL before checking anything (exit 3)", async () => {
    let requests = 0;
    const base = await listen((req, res) => {
      requests++;
      fakeApp()(req, res);
    });
    for (const value of [undefined, "", "not a url", "ftp://example.com/hook", "file:///etc/passwd"]) {
      const { io, err } = capture();
      expect(await runSmokeCli(["--notify"], { BASE_URL: base, SMOKE_ALERT_WEBHOOK_URL: value }, io, fast)).toBe(3);
      expect(err.join("\n")).toMatch(/^--notify: SMOKE_ALERT_WEBHOOK_URL .*; nothing was checked\.$/);
    }
    expect(requests).toBe(0);
  });

  it("without --notify sends nothing even when checks fail; unknown arguments and non-http BASE_URLs refused", async () => {
    const base = await listen(fakeApp({ broken: ["/api/health"] }));
    const hook = await receiver();
    expect(await runSmokeCli([], { BASE_URL: base, SMOKE_ALERT_WEBHOOK_URL: hook.url }, capture().io, fast)).toBe(1);
    expect(hook.received).toEqual([]);
    expect(await runSmokeCli(["--notfiy"], { BASE_URL: base }, capture().io, fast)).toBe(3);
    expect(await runSmokeCli([], { BASE_URL: "book.example.com" }, capture().io, fast)).toBe(3);
    expect(await runSmokeCli([], { BASE_URL: "ftp://book.example.com" }, capture().io, fast)).toBe(3);
  });
});

describe("smoke notice helpers", () => {
  it("accepts only http and https webhook URLs", () => {
    expect(parseWebhookUrl("https://hooks.example.com/x").ok).toBe(true);
    expect(parseWebhookUrl("http://127.0.0.1:9/x").ok).toBe(true);
    expect(parseWebhookUrl("javascript:alert(1)").ok).toBe(false);
  });

  it("drops credentials, query and fragment from the base URL", () => {
    expect(publicBaseUrl("https://u:p@book.example.com/app?k=v#f")).toBe("https://book.example.com/app");
    expect(publicBaseUrl("https://book.example.com")).toBe("https://book.example.com");
  });

  it("lists at most ten failing checks and clips long details", () => {
    const results = Array.from({ length: 12 }, (_, i) => ({ check: `c${i}`, ok: false, detail: "x".repeat(500) }));
    const { text } = buildSmokeAlert("https://book.example.com", { kind: "failed", results, version: undefined });
    expect(text).toContain("12/12 check(s) failed against https://book.example.com (version unknown)");
    expect(text).toContain("• … and 2 more");
    expect(text.split("\n").every((line) => line.length < 240)).toBe(true);
  });
});
