import type { ErrorEvent } from "@sentry/nextjs";
import { describe, expect, it } from "vitest";
import { REDACTED, scrubBreadcrumb, scrubEvent, scrubQueryString, scrubText, scrubUrl } from "./scrub";

const MANAGE_TOKEN = "Qm9va2luZ01hbmFnZVRva2VuRXhhbXBsZUFCQ0RFRkdI"; // 43+ base64url characters, like a real one
const UUID = "0b6f3c1e-8d2a-4c5b-9e7f-1a2b3c4d5e6f";

describe("scrubText", () => {
  it.each([
    ["an email address", "duplicate key for guest.name+tag@example.co.jp", "duplicate key for [email]"],
    ["an IPv4 address", "connect ECONNREFUSED 203.0.113.7:5432", "connect ECONNREFUSED [ip]:5432"],
    ["an IPv6 address", "from 2001:db8:85a3::8a2e:370:7334 refused", "from [ip] refused"],
    ["a reservation code", "reservation BK-7Q4M-X2HD not found", "reservation [code] not found"],
    ["a manage token", `bad token ${MANAGE_TOKEN}`, `bad token ${REDACTED}`],
    ["a token pair", "GET /x?token=abc123&ok=1", `GET /x?token=${REDACTED}&ok=1`],
    ["token_hash", "token_hash=pkce_deadbeef", `token_hash=${REDACTED}`],
    ["an auth code", "code: 4f1c9a", `code: ${REDACTED}`],
    ["a bearer credential", "Authorization: Bearer eyJhbGciOi.payload.sig", `Authorization: Bearer ${REDACTED}`],
    ["a Stripe secret key", "key sk_test_51Habcdefghijk rejected", `key ${REDACTED} rejected`],
  ])("removes %s", (_what, input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it("keeps what explains the failure: UUIDs, times, numbers, SQL placeholders", () => {
    const text = `slot ${UUID} full at 12:30:45 (capacity 10) where id = $1`;
    expect(scrubText(text)).toBe(text);
  });
});

describe("scrubUrl", () => {
  it("replaces secret query values and keeps the rest", () => {
    expect(scrubUrl(`https://book.example.com/reservations/${UUID}?token=${MANAGE_TOKEN}&lang=ja`)).toBe(
      `https://book.example.com/reservations/${UUID}?token=${REDACTED}&lang=ja`,
    );
    expect(scrubUrl("/auth/confirm?token_hash=abc&type=email&code=xyz")).toBe(
      `/auth/confirm?token_hash=${REDACTED}&type=email&code=${REDACTED}`,
    );
  });

  it("drops user info and scrubs codes, tokens and emails in the path and query", () => {
    expect(scrubUrl("https://user:pw@example.com/reservations/BK-7Q4M-X2HD?q=a@b.example")).toBe(
      "https://example.com/reservations/[code]?q=[email]",
    );
    expect(scrubUrl(`/manage/${MANAGE_TOKEN}`)).toBe(`/manage/${REDACTED}`);
  });

  it("treats parameter names case-insensitively", () => {
    expect(scrubUrl("/x?Token=a&ACCESS_TOKEN=b")).toBe(`/x?Token=${REDACTED}&ACCESS_TOKEN=${REDACTED}`);
  });

  it("scrubs a bare query string", () => {
    expect(scrubQueryString("token=abc&page=2")).toBe(`token=${REDACTED}&page=2`);
  });
});

describe("scrubEvent", () => {
  const event = (): ErrorEvent =>
    ({
      type: undefined,
      message: "failed for guest@example.com",
      exception: { values: [{ type: "Error", value: `token=${MANAGE_TOKEN} from 198.51.100.4` }] },
      user: { id: "hashed", role: "staff", email: "staff@example.com", ip_address: "198.51.100.4", username: "x" },
      request: {
        method: "POST",
        url: `http://localhost/api/reservations/${UUID}/cancel?token=${MANAGE_TOKEN}`,
        query_string: `token=${MANAGE_TOKEN}`,
        headers: {
          cookie: "sb-access-token=secret",
          authorization: "Bearer secret",
          "x-forwarded-for": "198.51.100.4",
          "x-request-id": "req-12345678",
          "content-type": "application/json",
          "user-agent": "Mozilla/5.0",
        },
        cookies: { "sb-access-token": "secret" },
        data: { email: "guest@example.com", name: "Guest" },
        env: { REMOTE_ADDR: "198.51.100.4" },
      },
      breadcrumbs: [
        { category: "fetch", data: { url: `/api/reservations/${UUID}?token=${MANAGE_TOKEN}`, method: "GET" } },
        { category: "console", message: "user guest@example.com", data: { arguments: ["guest@example.com"] } },
      ],
      extra: { email: "guest@example.com", note: "call 203.0.113.9" },
      contexts: { nextjs: { route_path: "/api/x", request_path: "/reservations/BK-7Q4M-X2HD" } },
      tags: { request_id: "req-12345678", route: "/api/x" },
      server_name: "host-1",
    }) as unknown as ErrorEvent;

  it("leaves no email, IP, cookie, credential, body or token anywhere in the event", () => {
    const scrubbed = scrubEvent(event());
    const text = JSON.stringify(scrubbed);
    for (const leak of ["@example.com", "198.51.100.4", "203.0.113.9", "secret", MANAGE_TOKEN, "BK-7Q4M", "host-1"]) {
      expect(text, leak).not.toContain(leak);
    }
    expect(scrubbed.user).toEqual({ id: "hashed", role: "staff" });
    expect(scrubbed.request).toEqual({
      method: "POST",
      url: `http://localhost/api/reservations/${UUID}/cancel?token=${REDACTED}`,
      query_string: `token=${REDACTED}`,
      headers: { "x-request-id": "req-12345678", "content-type": "application/json" },
    });
    expect(scrubbed.tags).toEqual({ request_id: "req-12345678", route: "/api/x" });
    expect(scrubbed.breadcrumbs?.[1]).toEqual({ category: "console", message: "user [email]", data: {} });
  });
});

describe("scrubBreadcrumb", () => {
  it("scrubs navigation and request URLs and drops bodies", () => {
    expect(
      scrubBreadcrumb({
        category: "navigation",
        data: { from: "/reservations/BK-7Q4M-X2HD?token=abc", to: "/auth/confirm?token_hash=def" },
      }),
    ).toEqual({
      category: "navigation",
      data: { from: `/reservations/[code]?token=${REDACTED}`, to: `/auth/confirm?token_hash=${REDACTED}` },
    });
    expect(
      scrubBreadcrumb({ category: "xhr", data: { url: "/api/x", body: '{"email":"a@b.example"}', status_code: 500 } }),
    ).toEqual({ category: "xhr", data: { url: "/api/x", status_code: 500 } });
  });
});
