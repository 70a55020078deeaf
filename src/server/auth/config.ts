import { createHmac } from "node:crypto";
import { getConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Where Supabase Auth lives and which secrets sign its tokens, per mode. Real project: NEXT_PUBLIC_SUPABASE_URL,
 * the anon and service-role keys and SUPABASE_JWT_SECRET (the project's legacy HS256 JWT secret). Embedded default:
 * the in-process Auth emulator at EMULATOR_SUPABASE_URL, signing with SUPABASE_JWT_SECRET when set, else with the fixed
 * development secret below; its anon and service-role keys are JWTs signed with that secret, like a local
 * `supabase start` (so the emulator can tell the service role from anyone else the same way Supabase does).
 */
export const EMULATOR_JWT_SECRET = "slotbook-auth-emulator-jwt-secret-development-only";

/** Base URL the SDK is given in the embedded default; the host is never contacted (the transport is swapped). */
export const EMULATOR_SUPABASE_URL = "http://localhost/auth-emulator";

/** Access tokens live this long (GoTrue's default JWT_EXP). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export function authJwtSecret(): string {
  const { env, modes } = getConfig();
  if (env.SUPABASE_JWT_SECRET) return env.SUPABASE_JWT_SECRET;
  if (modes.auth === "emulator" && modes.mocksAllowed) return EMULATOR_JWT_SECRET;
  throw new AppError("config_missing", "Sign-in is not configured.", {
    internalDetail: "SUPABASE_JWT_SECRET is not set",
  });
}

/** The secret the emulator signs with: SUPABASE_JWT_SECRET when set, else the development secret. */
export function emulatorJwtSecret(): string {
  return getConfig().env.SUPABASE_JWT_SECRET ?? EMULATOR_JWT_SECRET;
}

export type AuthEndpoint = { url: string; anonKey: string; serviceRoleKey: string; emulated: boolean };

export function authEndpoint(): AuthEndpoint {
  const { env, modes } = getConfig();
  if (modes.auth === "supabase") {
    if (!env.NEXT_PUBLIC_SUPABASE_URL || !env.NEXT_PUBLIC_SUPABASE_ANON_KEY || !env.SUPABASE_SERVICE_ROLE_KEY) {
      throw new AppError("config_missing", "Sign-in is not configured.", {
        internalDetail:
          "NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY are required",
      });
    }
    return {
      url: env.NEXT_PUBLIC_SUPABASE_URL,
      anonKey: env.NEXT_PUBLIC_SUPABASE_ANON_KEY,
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      emulated: false,
    };
  }
  if (!modes.mocksAllowed) {
    throw new AppError("config_missing", "Sign-in is not configured.", {
      internalDetail: "Supabase env is not set and mocks are off",
    });
  }
  const secret = emulatorJwtSecret();
  return {
    url: EMULATOR_SUPABASE_URL,
    anonKey: emulatorApiKey("anon", secret),
    serviceRoleKey: emulatorApiKey("service_role", secret),
    emulated: true,
  };
}

/** An API key shaped like Supabase's legacy keys: an HS256 JWT `{ iss: "supabase-demo", role, exp }`. */
export function emulatorApiKey(role: "anon" | "service_role", secret = emulatorJwtSecret()): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = encode({ alg: "HS256", typ: "JWT" });
  const payload = encode({ iss: "supabase-demo", role, exp: 1983812996 });
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
