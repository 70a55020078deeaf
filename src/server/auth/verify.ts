import "server-only";
import { errors as joseErrors, jwtVerify } from "jose";
import { clock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { authJwtSecret } from "./config";

/** The claims of a Supabase access token (GoTrue), plus `user_role` from the custom access token hook. */
export type AccessTokenClaims = {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  email: string;
  phone: string;
  role: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  aal: string;
  amr: { method: string; timestamp: number }[];
  session_id: string;
  is_anonymous: boolean;
  user_role?: "admin" | "staff" | "user";
};

export class InvalidAccessTokenError extends Error {
  constructor(readonly reason: "expired" | "invalid") {
    super(reason === "expired" ? "access token has expired" : "access token is invalid");
    this.name = "InvalidAccessTokenError";
  }
}

/**
 * Verifies an access token on the server: HS256 with the project's JWT secret (the emulator signs with the same
 * one), audience "authenticated", not expired by clock.now() (so the test clock applies). Throws
 * InvalidAccessTokenError for a bad, tampered or expired token; AppError config_missing when no secret is known.
 * (Projects on asymmetric signing keys would verify against the JWKS instead; not needed while HS256 is used.)
 */
export async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
  const key = new TextEncoder().encode(authJwtSecret());
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      audience: "authenticated",
      currentDate: clock.now(),
      requiredClaims: ["sub", "exp", "role"],
    });
    if (typeof payload.sub !== "string" || payload.role !== "authenticated")
      throw new InvalidAccessTokenError("invalid");
    return payload as unknown as AccessTokenClaims;
  } catch (error) {
    if (error instanceof InvalidAccessTokenError || error instanceof AppError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new InvalidAccessTokenError("expired");
    throw new InvalidAccessTokenError("invalid");
  }
}
