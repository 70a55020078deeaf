import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { clientIpFrom, isLoopback, normalizeAddress, PEER_HEADER } from "./client-ip";

const request = (headers: Record<string, string>) => new NextRequest("http://localhost/api/x", { headers });

describe("clientIpFrom (TRUSTED_PROXY_HOPS)", () => {
  it("no proxy (0 hops): the socket peer, whatever X-Forwarded-For claims", () => {
    const req = request({ "x-forwarded-for": "203.0.113.7", [PEER_HEADER]: "198.51.100.20" });
    expect(clientIpFrom(req, 0, true)).toBe("198.51.100.20");
  });

  it("one proxy that appends (nginx, a load balancer): the entry that proxy added, not what the client sent", () => {
    // The client forged "6.6.6.6"; nginx appended the real client 203.0.113.7 and connected from 10.0.0.5.
    const req = request({ "x-forwarded-for": "6.6.6.6, 203.0.113.7", [PEER_HEADER]: "10.0.0.5" });
    expect(clientIpFrom(req, 1, true)).toBe("203.0.113.7");
  });

  it("Vercel (1 hop): its edge overwrites X-Forwarded-For with the client address", () => {
    const req = request({ "x-forwarded-for": "203.0.113.7", [PEER_HEADER]: "10.0.0.5" });
    expect(clientIpFrom(req, 1, true)).toBe("203.0.113.7");
  });

  it("two proxies: two entries from the right", () => {
    const req = request({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.9", [PEER_HEADER]: "10.0.0.5" });
    expect(clientIpFrom(req, 2, true)).toBe("203.0.113.7");
  });

  it("a peer header is ignored unless this process stamps it (a client could send one)", () => {
    const req = request({ "x-forwarded-for": "203.0.113.7", [PEER_HEADER]: "127.0.0.1" });
    expect(clientIpFrom(req, 0, false)).toBe("203.0.113.7");
  });

  it("fewer entries than hops: the left-most; nothing at all: undefined", () => {
    expect(clientIpFrom(request({ [PEER_HEADER]: "10.0.0.5" }), 3, true)).toBe("10.0.0.5");
    expect(clientIpFrom(request({}), 0, true)).toBeUndefined();
    expect(clientIpFrom(request({ "x-forwarded-for": " , " }), 0, false)).toBeUndefined();
  });

  it("garbage in the chosen entry is no address", () => {
    expect(clientIpFrom(request({ "x-forwarded-for": "not-an-ip" }), 0, false)).toBeUndefined();
    expect(clientIpFrom(request({ "x-forwarded-for": "<script>" }), 0, false)).toBeUndefined();
  });
});

describe("normalizeAddress and isLoopback", () => {
  it.each([
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["[::1]:3000", "::1"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["2001:DB8::1", "2001:db8::1"],
    ["example.com", undefined],
    ["", undefined],
  ])("%s → %s", (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it("knows loopback", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("127.10.0.3")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("10.0.0.1")).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});
