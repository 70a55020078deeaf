/**
 * GoTrue's error responses. Since API version 2024-01-01 (which supabase-js sends in X-Supabase-Api-Version) the
 * body is `{ code: "<error_code>", message }` and the header is echoed; older clients get the legacy body
 * `{ code: <http status>, error_code, msg }`. supabase-js reads either (lib/fetch.js handleError).
 */
export const API_VERSION_HEADER = "X-Supabase-Api-Version";
export const API_VERSION_2024_01_01 = "2024-01-01";

export type GoTrueErrorCode =
  | "bad_json"
  | "bad_jwt"
  | "no_authorization"
  | "not_admin"
  | "validation_failed"
  | "email_address_invalid"
  | "invalid_credentials"
  | "email_not_confirmed"
  | "user_banned"
  | "user_already_exists"
  | "email_exists"
  | "weak_password"
  | "same_password"
  | "refresh_token_not_found"
  | "refresh_token_already_used"
  | "session_not_found"
  | "user_not_found"
  | "otp_expired"
  | "otp_disabled"
  | "over_email_send_rate_limit"
  | "unexpected_failure"
  | "not_found";

export class GoTrueError extends Error {
  constructor(
    readonly status: number,
    readonly code: GoTrueErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "GoTrueError";
  }
}

export function errorResponse(error: GoTrueError, apiVersion: string | null): Response {
  const modern = apiVersion !== null && apiVersion >= API_VERSION_2024_01_01;
  if (modern) {
    return Response.json(
      { code: error.code, message: error.message, ...error.extra },
      { status: error.status, headers: { [API_VERSION_HEADER]: API_VERSION_2024_01_01 } },
    );
  }
  return Response.json(
    { code: error.status, error_code: error.code, msg: error.message, ...error.extra },
    { status: error.status },
  );
}

/** Any failure that is not a GoTrueError (a database error): GoTrue answers 500 `unexpected_failure` (internal/api/errors.go). */
export const unexpectedFailure = () =>
  new GoTrueError(500, "unexpected_failure", "Unexpected failure, please check server logs for more information");
export const userBanned = (status: 400 | 403, message = "User is banned") =>
  new GoTrueError(status, "user_banned", message);
export const invalidCredentials = () => new GoTrueError(400, "invalid_credentials", "Invalid login credentials");
export const userNotFound = () => new GoTrueError(404, "user_not_found", "User not found");
export const otpInvalid = () => new GoTrueError(403, "otp_expired", "Token has expired or is invalid");
export const weakPassword = (min: number) =>
  new GoTrueError(422, "weak_password", `Password should be at least ${min} characters.`, {
    weak_password: { reasons: ["length"] },
  });
