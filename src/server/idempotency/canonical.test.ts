import { describe, expect, it } from "vitest";
import { canonicalJson, hashRequest } from ".";

describe("canonicalJson", () => {
  it("sorts object keys at every depth, so key order does not matter", () => {
    const a = { slotId: "s", quantity: 2, customer: { name: "N", email: "e@example.com" }, locale: "ja" };
    const b = { locale: "ja", customer: { email: "e@example.com", name: "N" }, quantity: 2, slotId: "s" };
    expect(canonicalJson(a)).toBe(
      '{"customer":{"email":"e@example.com","name":"N"},"locale":"ja","quantity":2,"slotId":"s"}',
    );
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it("keeps array order, drops undefined properties and writes scalars as JSON", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
    expect(canonicalJson([{ b: 1, a: 2 }])).toBe('[{"a":2,"b":1}]');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson("x")).toBe('"x"');
    expect(canonicalJson(1.5)).toBe("1.5");
    expect(canonicalJson(true)).toBe("true");
  });

  it("tells apart values that differ only in type or nesting", () => {
    expect(canonicalJson({ q: 1 })).not.toBe(canonicalJson({ q: "1" }));
    expect(canonicalJson({ a: { b: 1 } })).not.toBe(canonicalJson({ a: [{ b: 1 }] }));
    expect(canonicalJson({ "a,b": 1 })).not.toBe(canonicalJson({ a: 1, b: 1 }));
  });
});

describe("hashRequest", () => {
  const body = { slotId: "s", quantity: 1, customer: { name: "N", email: "e@example.com" } };

  it("is the same for the same request with keys in another order, and a SHA-256 in hex", () => {
    const reordered = { customer: { email: "e@example.com", name: "N" }, quantity: 1, slotId: "s" };
    const hash = hashRequest("POST", "/api/reservations", body);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRequest("POST", "/api/reservations", reordered)).toBe(hash);
    expect(hashRequest("post", "/api/reservations", body)).toBe(hash);
  });

  it("changes with the method, the path or any value", () => {
    const hash = hashRequest("POST", "/api/reservations", body);
    expect(hashRequest("PUT", "/api/reservations", body)).not.toBe(hash);
    expect(hashRequest("POST", "/api/reservations/x", body)).not.toBe(hash);
    expect(hashRequest("POST", "/api/reservations", { ...body, quantity: 2 })).not.toBe(hash);
    expect(hashRequest("POST", "/api/reservations", { ...body, customer: { ...body.customer, name: "M" } })).not.toBe(
      hash,
    );
  });
});
