import "server-only";
import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { supabaseAuthEmulatorFetch } from "@/server/emulators/supabase-auth/emulator";
import { authEndpoint } from "./config";

/**
 * The one way the server reaches Supabase Auth. A real project: the SDK talks to NEXT_PUBLIC_SUPABASE_URL with the
 * anon (or service-role) key. Embedded default: the same SDK, with only its transport (`global.fetch`) swapped for the
 * in-process Auth emulator, so sign-in/up/out code is identical in both modes.
 *
 * `@supabase/ssr`'s createServerClient / createBrowserClient take the same `global.fetch` option: pass
 * sdkTransportOptions(authTransport()) there (see tests/integration/auth-emulator.test.ts).
 */
export type AuthTransport = { url: string; key: string; fetch: typeof fetch | undefined; emulated: boolean };

/** URL, key and fetch for an SDK client at the given trust level. */
export function authTransport(level: "anon" | "service_role" = "anon"): AuthTransport {
  const endpoint = authEndpoint();
  return {
    url: endpoint.url,
    key: level === "service_role" ? endpoint.serviceRoleKey : endpoint.anonKey,
    fetch: endpoint.emulated ? (supabaseAuthEmulatorFetch as typeof fetch) : undefined,
    emulated: endpoint.emulated,
  };
}

const serverAuthOptions = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/**
 * supabase-js builds its Realtime client eagerly and, on Node.js < 22 (no global WebSocket), throws unless given a
 * transport. The server never opens Realtime channels, so on such runtimes it gets one that refuses to connect.
 */
class NoRealtimeWebSocket {
  constructor() {
    throw new Error("Realtime is not used on the server (Node.js without a global WebSocket)");
  }
}

/** Options for createClient / @supabase/ssr's createServerClient: the transport swap plus the Realtime guard. */
export function sdkTransportOptions(
  transport: AuthTransport,
): Pick<SupabaseClientOptions<"public">, "global" | "realtime"> {
  return {
    global: transport.fetch ? { fetch: transport.fetch } : {},
    ...("WebSocket" in globalThis
      ? {}
      : { realtime: { transport: NoRealtimeWebSocket as unknown as typeof WebSocket } }),
  };
}

/** A supabase-js client with the anon key: sign-up, sign-in, OTP, getUser for one caller (session kept in memory). */
export function createAuthClient(options: Pick<SupabaseClientOptions<"public">, "auth"> = {}): SupabaseClient {
  const transport = authTransport("anon");
  return createClient(transport.url, transport.key, {
    auth: { ...serverAuthOptions, ...options.auth },
    ...sdkTransportOptions(transport),
  });
}

/** A supabase-js client with the service-role key, for auth.admin.* (server only; never reaches a browser). */
export function createAdminAuthClient(): SupabaseClient {
  const transport = authTransport("service_role");
  return createClient(transport.url, transport.key, {
    auth: serverAuthOptions,
    ...sdkTransportOptions(transport),
  });
}
