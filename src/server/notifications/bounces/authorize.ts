import "server-only";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { constantTimeEqual } from "@/server/security/cron-guard";

/** Throws config_missing (no secret configured) or unauthorized (no or wrong credential). */
export function authorizeEmailWebhook(authorization: string | null): void {
  const secret = getEnv().EMAIL_WEBHOOK_SECRET;
  if (!secret) {
    throw new AppError("config_missing", undefined, {
      internalDetail: "EMAIL_WEBHOOK_SECRET is not set; /api/webhooks/email is disabled",
    });
  }
  const given = presentedSecret(authorization);
  if (given === undefined || !constantTimeEqual(given, secret)) {
    throw new AppError(
      "unauthorized",
      "A valid webhook credential is required (Bearer token, or Basic auth with the secret as password).",
    );
  }
}

function presentedSecret(header: string | null): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
