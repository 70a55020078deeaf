import { AppError } from "@/lib/errors";

/**
 * Stripe's error body (`{ error: { type, code, param, message, … } }`) as a throwable, so the emulator's handlers
 * can stop at the first problem the way the real API does; the router turns it into the HTTP response, and the SDK
 * turns that into the matching Stripe.errors.* class (invalid_request_error → StripeInvalidRequestError, …).
 */
export type StripeErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";

export type StripeErrorBody = {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
};

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = "StripeApiError";
  }
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: "invalid_request_error",
    code: "parameter_missing",
    param,
    message: `Missing required param: ${param}.`,
    doc_url: "https://stripe.com/docs/error-codes/parameter-missing",
  });
}

export function invalidParam(param: string | undefined, message: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: "invalid_request_error",
    message,
    ...(param ? { param } : {}),
    ...(code ? { code } : {}),
  });
}

/**
 * An error from the emulator's own controls (the sandbox checkout page, webhook redelivery) rather than from the
 * emulated API: the dev routes map `not_found` to 404 and the other kinds to 409 invalid_state.
 */
export type EmulatorErrorKind = "not_found" | "not_open" | "expired";

export class EmulatorError extends Error {
  constructor(
    readonly kind: EmulatorErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorError";
  }
}

/**
 * `No such payment_intent: 'pi_…'`. A missing object in the URL is a 404; one named in a parameter (a refund's
 * payment_intent) is a 400, as on the real API.
 */
export function noSuch(objectName: string, id: string, param: string, status: 400 | 404 = 404): StripeApiError {
  return new StripeApiError(status, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${objectName}: '${id}'`,
    doc_url: "https://stripe.com/docs/error-codes/resource-missing",
  });
}

/** For the dev routes: an EmulatorError as the app's AppError (404 not_found, 409 invalid_state); others unchanged. */
export function emulatorErrorAsAppError(error: unknown): unknown {
  if (!(error instanceof EmulatorError)) return error;
  return new AppError(error.kind === "not_found" ? "not_found" : "invalid_state", error.message, { cause: error });
}
