/**
 * One typed error with a code, and one table from code to HTTP status (docs/http-errors.md).
 * Domain functions throw AppError; the route wrapper turns it into application/problem+json.
 */
export const errorCatalog = {
  bad_request: { status: 400, title: "Bad request" },
  host_not_allowed: { status: 400, title: "Host not allowed" },
  malformed_json: { status: 400, title: "Malformed JSON body" },
  missing_header: { status: 400, title: "Missing required header" },
  validation_failed: { status: 422, title: "Validation failed" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  mocks_disabled: { status: 403, title: "Mock data is not allowed here" },
  mocks_local_only: { status: 403, title: "This development server answers this machine only" },
  not_found: { status: 404, title: "Not found" },
  slot_not_found: { status: 404, title: "Slot not found" },
  reservation_not_found: { status: 404, title: "Reservation not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  sold_out: { status: 409, title: "Sold out" },
  slot_closed: { status: 409, title: "Slot is not open for booking" },
  slot_in_past: { status: 409, title: "Slot has already started" },
  quantity_invalid: { status: 422, title: "Quantity not allowed" },
  cancellation_window_closed: { status: 409, title: "Too late to cancel online" },
  capacity_below_reserved: { status: 409, title: "Capacity cannot drop below seats already reserved" },
  invalid_state: { status: 409, title: "Not allowed in the current state" },
  hold_expired: { status: 409, title: "The hold on these seats has expired" },
  payment_not_required: { status: 409, title: "Nothing to pay" },
  already_paid: { status: 409, title: "Already paid" },
  refund_exceeds_captured: { status: 409, title: "Refund exceeds what remains of the payment" },
  signature_invalid: { status: 400, title: "Webhook signature verification failed" },
  idempotency_in_flight: { status: 409, title: "A request with this Idempotency-Key is still in progress" },
  idempotency_mismatch: { status: 422, title: "Idempotency-Key reused with a different request" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Too many requests" },
  too_many_holds: { status: 429, title: "Too many seats held awaiting payment" },
  internal: { status: 500, title: "Internal server error" },
  config_missing: { status: 500, title: "This feature is not configured" },
  dependency_unavailable: { status: 503, title: "A dependency is unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export type FieldError = { path: string; message: string; code?: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;
  /** Logged, never sent to the client (e.g. which env variable is missing). */
  readonly internalDetail?: string;
  /** Extra response headers (e.g. the RateLimit fields of a 429). */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      internalDetail?: string;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail ?? errorCatalog[code].title, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = errorCatalog[code].status;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.internalDetail = options.internalDetail;
    this.headers = options.headers;
  }
}

export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance?: string;
  errors?: FieldError[];
};

export function toProblem(error: AppError, requestId: string, instance?: string): ProblemDetails {
  return {
    type: `/docs/http-errors#${error.code}`,
    title: errorCatalog[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}
