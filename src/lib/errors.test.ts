import { describe, expect, it } from "vitest";
import { AppError, errorCatalog, toProblem, type ErrorCode } from "./errors";

describe("errorCatalog", () => {
  it("maps every code to an HTTP error status and a title", () => {
    for (const [code, entry] of Object.entries(errorCatalog)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.title, code).not.toBe("");
    }
  });

  it.each([
    ["malformed_json", 400],
    ["validation_failed", 422],
    ["unauthorized", 401],
    ["mocks_disabled", 403],
    ["not_found", 404],
    ["sold_out", 409],
    ["idempotency_in_flight", 409],
    ["idempotency_mismatch", 422],
    ["rate_limited", 429],
    ["config_missing", 500],
    ["dependency_unavailable", 503],
  ] as [ErrorCode, number][])("%s is %i (docs/http-errors.md)", (code, status) => {
    expect(new AppError(code).status).toBe(status);
  });
});

describe("AppError", () => {
  it("defaults its message to the catalog title and keeps the details", () => {
    const cause = new Error("socket closed");
    const error = new AppError("dependency_unavailable", undefined, {
      retryAfterSeconds: 5,
      internalDetail: "db down",
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AppError");
    expect(error.message).toBe("A dependency is unavailable");
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.internalDetail).toBe("db down");
    expect(error.cause).toBe(cause);
  });
});

describe("toProblem", () => {
  it("builds an RFC 9457 body with the code, request id and instance", () => {
    const problem = toProblem(
      new AppError("sold_out", "No seats left in this slot."),
      "req-12345678",
      "/api/reservations",
    );
    expect(problem).toEqual({
      type: "/docs/http-errors#sold_out",
      title: "Sold out",
      status: 409,
      detail: "No seats left in this slot.",
      code: "sold_out",
      requestId: "req-12345678",
      instance: "/api/reservations",
    });
  });

  it("includes field errors for validation problems and nothing else when there are none", () => {
    const errors = [{ path: "query.serviceId", message: "must be a service id (UUID)", code: "invalid_format" }];
    expect(toProblem(new AppError("validation_failed", "bad", { errors }), "r-00000001").errors).toEqual(errors);
    const plain = toProblem(new AppError("not_found"), "r-00000002");
    expect(plain).not.toHaveProperty("errors");
    expect(plain).not.toHaveProperty("instance");
  });

  it("never carries the internal detail, the cause or a stack", () => {
    const error = new AppError("config_missing", undefined, {
      internalDetail: "CRON_SECRET is not set",
      cause: new Error("secret stuff"),
    });
    const body = JSON.stringify(toProblem(error, "r-00000003"));
    expect(body).not.toMatch(/CRON_SECRET|secret stuff|stack|\.ts:\d+/);
    expect(Object.keys(JSON.parse(body)).sort()).toEqual(["code", "detail", "requestId", "status", "title", "type"]);
  });
});
