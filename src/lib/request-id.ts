/** A client-supplied X-Request-Id is kept only when it is short and plain, so it is safe in logs and headers. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function resolveRequestId(incoming: string | null | undefined): string {
  if (incoming && VALID_REQUEST_ID.test(incoming)) return incoming;
  return crypto.randomUUID();
}
