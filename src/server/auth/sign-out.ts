"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { logger } from "@/lib/logger";
import { createSessionClient } from "@/server/auth/session";

/**
 * Signs out: Auth ends the session (its auth.sessions row goes, so a copy of this cookie or its access token is
 * refused at once everywhere, src/server/auth/roles.ts) and the cookies are cleared.
 */
export async function signOut(): Promise<void> {
  const jar = await cookies();
  const supabase = createSessionClient({
    getAll: () => jar.getAll(),
    setAll: (toSet) => {
      for (const c of toSet) jar.set(c.name, c.value, c.options);
    },
  });
  const { error } = await supabase.auth.signOut({ scope: "local" });
  if (error)
    logger.warn({ event: "auth.sign_out_failed", code: error.code }, "sign-out at Auth failed; cookies cleared anyway");
  for (const c of jar.getAll()) if (c.name.startsWith("sb-")) jar.delete(c.name);
  redirect("/sign-in?signedOut=1");
}
