import type { EmailOtpType } from "@supabase/supabase-js";
import { NextResponse, type NextRequest } from "next/server";
import { logger } from "@/lib/logger";
import { appBaseUrl } from "@/lib/env";
import { destinationAfterSignIn } from "@/server/auth/navigation";
import { authContextFrom, createSessionClient } from "@/server/auth/session";
import { verifyAccessToken } from "@/server/auth/verify";

export const dynamic = "force-dynamic";

const TYPES = new Set<EmailOtpType>(["email", "magiclink", "signup", "recovery", "invite", "email_change"]);

/**
 * The link in sign-in and sign-up emails: verifies the one-time token hash with Supabase Auth, sets the session
 * cookies and continues to `next` (a path on this site) or the person's home. A used or expired link goes back to
 * the sign-in page with a message.
 */
export async function GET(req: NextRequest): Promise<Response> {
  const url = req.nextUrl;
  const tokenHash = url.searchParams.get("token_hash");
  const type = url.searchParams.get("type") as EmailOtpType | null;
  const base = appBaseUrl();
  const failed = () => NextResponse.redirect(new URL("/sign-in?error=link_invalid", base), 303);
  if (!tokenHash || !type || !TYPES.has(type) || tokenHash.length > 200) return failed();

  const cookies: { name: string; value: string; options: Record<string, unknown> }[] = [];
  const supabase = createSessionClient({ getAll: () => req.cookies.getAll(), setAll: (toSet) => void cookies.push(...toSet) });
  const { data, error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type });
  if (error || !data.session) {
    logger.info({ event: "auth.link_rejected", code: error?.code }, "sign-in link rejected");
    return failed();
  }
  const auth = authContextFrom(await verifyAccessToken(data.session.access_token));
  logger.info({ event: "auth.signed_in", userId: auth.userId, role: auth.role, method: "link" }, "signed in");
  const res = NextResponse.redirect(new URL(destinationAfterSignIn(url.searchParams.get("next"), auth.role), base), 303);
  for (const c of cookies) res.cookies.set(c.name, c.value, c.options);
  res.headers.set("Cache-Control", "no-store");
  return res;
}
