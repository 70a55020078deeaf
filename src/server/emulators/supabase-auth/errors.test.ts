import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { EMULATOR_JWT_SECRET, emulatorApiKey } from "@/server/auth/config";
import { errorResponse, invalidCredentials, weakPassword } from "./errors";
import { clearAuthMessages, deliverAuthMessage, lastAuthMessage, onAuthMessage, type AuthMessage } from "./messages";

describe("GoTrue error shapes", () => {
  it("answers API version 2024-01-01 with { code, message } and echoes the version", async () => {
    const res = errorResponse(invalidCredentials(), "2024-01-01");
    expect(res.status).toBe(400);
    expect(res.headers.get("x-supabase-api-version")).toBe("2024-01-01");
    expect(await res.json()).toEqual({ code: "invalid_credentials", message: "Invalid login credentials" });
  });

  it("answers legacy clients with { code: status, error_code, msg } plus weak_password reasons", async () => {
    const res = errorResponse(weakPassword(6), null);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      code: 422,
      error_code: "weak_password",
      msg: "Password should be at least 6 characters.",
      weak_password: { reasons: ["length"] },
    });
  });
});

describe("emulator API keys", () => {
  it("are HS256 JWTs with the role, like a local Supabase's demo keys", async () => {
    const { payload } = await jwtVerify(
      emulatorApiKey("service_role", EMULATOR_JWT_SECRET),
      new TextEncoder().encode(EMULATOR_JWT_SECRET),
    );
    expect(payload).toMatchObject({ iss: "supabase-demo", role: "service_role" });
  });
});

describe("auth messages", () => {
  it("keeps the last message per address (case-insensitive) and passes each to the handler", async () => {
    clearAuthMessages();
    const seen: AuthMessage[] = [];
    onAuthMessage((m) => {
      seen.push(m);
    });
    const message: AuthMessage = {
      type: "magiclink",
      email: "User@Example.com",
      userId: "u",
      token: "123456",
      tokenHash: "h",
      redirectTo: null,
      actionLink: "http://localhost/auth/v1/verify?token=h&type=magiclink",
      createdAt: new Date(0).toISOString(),
    };
    await deliverAuthMessage(message);
    expect(lastAuthMessage("user@example.com")).toEqual(message);
    expect(seen).toEqual([message]);
    onAuthMessage(undefined);
    clearAuthMessages();
    expect(lastAuthMessage("user@example.com")).toBeUndefined();
  });
});
