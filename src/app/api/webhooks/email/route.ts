import { route } from "@/lib/http";
import { authorizeEmailWebhook, ingestEmailWebhook, MAX_WEBHOOK_BYTES } from "@/server/notifications/bounces";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

/**
 * Bounce and complaint notifications from the email provider (docs/notifications.md): the documented generic JSON
 * form or Postmark's Bounce / SpamComplaint webhooks, authenticated by EMAIL_WEBHOOK_SECRET (Bearer, or Basic auth
 * with the secret as password). 200 for recorded, duplicate, unknown and ignored events; 401 without the secret;
 * 400/422 for a body that is not JSON / not a known form (nothing is changed); 500 config_missing when the secret
 * is not configured; 5xx on a transient failure so the provider retries.
 */
export const POST = route({ route: "/api/webhooks/email", rateLimit: false }, async ({ req, requestId, setDataSource }) => {
  setDataSource("email-webhook");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) throw new AppError("payload_too_large", `The body must be at most ${MAX_WEBHOOK_BYTES} bytes.`);
  const authorization = req.headers.get("authorization");
  // Credentials first: an unauthenticated sender never gets its body read.
  authorizeEmailWebhook(authorization);
  const raw = await req.text();
  const result = await ingestEmailWebhook({ raw, authorization, requestId });
  return { received: true, ...result };
});
