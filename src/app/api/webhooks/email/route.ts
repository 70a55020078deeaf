import { readBodyText, route } from "@/server/http/route";
import { authorizeEmailWebhook, ingestEmailWebhook, MAX_WEBHOOK_BYTES } from "@/server/notifications/bounces";

export const dynamic = "force-dynamic";

/**
 * Bounce and complaint notifications from the email provider (docs/notifications.md): the documented generic JSON
 * form or Postmark's Bounce / SpamComplaint webhooks, authenticated by EMAIL_WEBHOOK_SECRET (Bearer, or Basic auth
 * with the secret as password). 200 for recorded, duplicate, unknown and ignored events; 401 without the secret;
 * 400/422 for a body that is not JSON / not a known form (nothing is changed); 500 config_missing when the secret
 * is not configured; 5xx on a transient failure so the provider retries.
 */
export const POST = route(
  { route: "/api/webhooks/email", rateLimit: false },
  async ({ req, requestId, setDataSource }) => {
    setDataSource("email-webhook");
    const authorization = req.headers.get("authorization");
    // Credentials first: an unauthenticated sender never gets its body read.
    authorizeEmailWebhook(authorization);
    const raw = await readBodyText(req, MAX_WEBHOOK_BYTES);
    const result = await ingestEmailWebhook({ raw, authorization, requestId });
    return { received: true, ...result };
  },
);
