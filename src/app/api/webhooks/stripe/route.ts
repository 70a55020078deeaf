import { readBodyText, route } from "@/server/http/route";
import { ingestStripeEvent, verifyStripeEvent } from "@/server/payments/webhook";

export const dynamic = "force-dynamic";

const MAX_BYTES = 512 * 1024;

/**
 * Stripe's webhook endpoint (invariant 4). The signature is checked on the raw body, so the body is read as text,
 * never parsed first. 200 for processed, duplicate and ignored events; 400 only for a bad signature; 5xx when
 * processing failed for a transient reason, so Stripe (or the emulator) delivers again.
 */
export const POST = route(
  { route: "/api/webhooks/stripe", rateLimit: false },
  async ({ req, requestId, setDataSource }) => {
    setDataSource("stripe-webhook");
    const raw = await readBodyText(req, MAX_BYTES);
    const event = verifyStripeEvent(raw, req.headers.get("stripe-signature"));
    const result = await ingestStripeEvent(event, requestId);
    return { received: true, ...result };
  },
);
