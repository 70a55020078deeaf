import type { EmailOtpType } from "@supabase/supabase-js";
import { NextResponse, type NextRequest } from "next/server";
import { logger } from "@/lib/logger";
import { appBaseUrl } from "@/lib/env";
import { LOCALE_COOKIE } from "@/lib/locale";
import { destinationAfterSignIn } from "@/server/auth/navigation";
import { refusalPage } from "@/server/auth/refusal-page";
import { authContextFrom, createSessionClient } from "@/server/auth/session";
import { firstRefusal, isUnavailable } from "@/server/auth/throttle";
import { verifyAccessToken } from "@/server/auth/verify";
import { rateLimitHeaders } from "@/server/security/rate-limit";
import { clientIp } from "@/server/security/client-ip";

export const dynamic = "force-dynamic";

const TYPES = new Set<EmailOtpType>(["email", "magiclink", "signup", "recovery", "invite", "email_change"]);

/**
 * The link in sign-in and sign-up emails: verifies the one-time token hash with Supabase Auth, sets the session
 * cookies and continues to `next` (a path on this site) or the person's home. A used or expired link goes back to
 * the sign-in page with a message.
 *
 * Every try counts against the code-verification limits before Auth is asked: per client address, and per token
 * hash (the link names no address; a guessed hash is sha224(email + code)). Over a limit the answer is a 429 page
 * with Retry-After, not the "link invalid" redirect, so a refusal is never mistaken for a wrong link.
 */
export async function GET(req: NextRequest): Promise<Response> {
  const url = req.nextUrl;
  const tokenHash = url.searchParams.get("token_hash");
  const type = url.searchParams.get("type") as EmailOtpType | null;
  const base = appBaseUrl();
  const failed = () => NextResponse.redirect(new URL("/sign-in?error=link_invalid", base), 303);
  if (!tokenHash || !type || !TYPES.has(type) || tokenHash.length > 200) return failed();

  const locale = { explicit: url.searchParams.get("locale"), cookie: req.cookies.get(LOCALE_COOKIE)?.value };
  try {
    const refused = await firstRefusal([
      ["signin.code_verify.ip", clientIp(req)],
      ["signin.code_verify.email", `token_hash:${tokenHash}`],
    ]);
    if (refused) {
      return refusalPage(
        { kind: "rate_limited", retryAfterSeconds: refused.resetSeconds, headers: rateLimitHeaders([refused]) },
        locale,
      );
    }
  } catch (error) {
    if (isUnavailable(error)) return refusalPage({ kind: "unavailable" }, locale);
    throw error;
  }

  const cookies: { name: string; value: string; options: Record<string, unknown> }[] = [];
  const supabase = createSessionClient({
    getAll: () => req.cookies.getAll(),
    setAll: (toSet) => void cookies.push(...toSet),
  });
  const { data, error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type });
  if (error || !data.session) {
    logger.info({ event: "auth.link_rejected", code: error?.code }, "sign-in link rejected");
    return failed();
  }
  const auth = authContextFrom(await verifyAccessToken(data.session.access_token));
  logger.info({ event: "auth.signed_in", userId: auth.userId, role: auth.role, method: "link" }, "signed in");
  const res = NextResponse.redirect(
    new URL(destinationAfterSignIn(url.searchParams.get("next"), auth.role), base),
    303,
  );
  for (const c of cookies) res.cookies.set(c.name, c.value, c.options);
  res.headers.set("Cache-Control", "no-store");
  return res;
}
