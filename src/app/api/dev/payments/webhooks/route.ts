import { route } from "@/server/http/route";
import {
  emulatorErrorAsAppError,
  flushWebhooks,
  listWebhookDeliveries,
  pauseWebhooks,
  redeliverEvent,
  resumeWebhooks,
  webhookMode,
} from "@/server/emulators/stripe/emulator";
import { devOnly } from "@/server/security/dev-guard";
import { webhookControlBody } from "../payments.schema";

export const dynamic = "force-dynamic";

const state = () => ({ mode: webhookMode(), deliveries: listWebhookDeliveries() });

const options = { route: "/api/dev/payments/webhooks", guards: [devOnly] };

/** The Stripe emulator's webhook deliveries: every attempt, its time and the endpoint's status (or the error). */
export const GET = route(options, async () => state());

/**
 * Steers delivery to test the webhook inbox: pause (hold new deliveries), resume (send the held ones, oldest
 * first), flush (send the held ones now in fifo or reverse order, staying paused), redeliver (send one event again
 * as 1–20 copies, at once or one by one). Answers after the sends have been tried, with the new state.
 */
export const POST = route({ ...options, body: webhookControlBody }, async ({ body, log }) => {
  try {
    if (body.action === "pause") pauseWebhooks();
    else if (body.action === "resume") await resumeWebhooks();
    else if (body.action === "flush") await flushWebhooks({ order: body.order });
    else await redeliverEvent(body.eventId, { copies: body.copies, concurrent: body.concurrent });
  } catch (error) {
    throw emulatorErrorAsAppError(error);
  }
  log.info({ event: "dev.stripe_webhooks", action: body.action }, "stripe emulator webhooks steered");
  return state();
});
