import "server-only";
import { appBaseUrl } from "@/lib/env";
import { asService } from "@/server/db";
import { EMULATOR_SETTINGS } from "@/server/emulators/supabase-auth/emulator";
import type { AuthMessage } from "@/server/emulators/supabase-auth/messages";
import { enqueueNotification } from "@/server/notifications/outbox";

/**
 * Where the Auth emulator's emails go in the embedded default: into the notifications outbox as `sign_in_link`, so
 * they take the app's one email path (dry run in development: `.data/outbox/<id>.eml`, the row keeping a redacted
 * copy). A real Supabase project sends these itself with the email template in docs/auth.md, whose link is the same
 * `/auth/confirm?…&token_hash=…&type=email` this builds.
 */
export async function queueAuthEmail(message: AuthMessage): Promise<void> {
  const base = appBaseUrl();
  const redirect = ownConfirmUrl(message.redirectTo, base);
  const link = new URL(redirect);
  link.searchParams.set("token_hash", message.tokenHash);
  link.searchParams.set("type", "email");
  const locale = link.searchParams.get("locale") === "en" ? "en" : "ja";
  await asService((tx) =>
    enqueueNotification(tx, {
      userId: message.userId,
      kind: "sign_in_link",
      key: message.tokenHash.slice(0, 16),
      recipient: message.email,
      locale,
      payload: {
        signInUrl: link.toString(),
        oneTimeCode: message.token,
        expiresInMinutes: EMULATOR_SETTINGS.otpExpirySeconds / 60,
      },
    }),
  );
}

/** The client's redirect_to when it is this site's /auth/confirm, else that page with the default destination. */
function ownConfirmUrl(redirectTo: string | null, base: string): string {
  if (redirectTo?.startsWith(`${base}/auth/confirm?`) || redirectTo === `${base}/auth/confirm`) return redirectTo;
  return `${base}/auth/confirm?next=%2Faccount`;
}
