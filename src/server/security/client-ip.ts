import "server-only";
import { isIP } from "node:net";
import { getEnv } from "@/lib/env";
import { processSlot } from "@/lib/process-global";

/**
 * The client's address, as one function for everything that needs it: rate limits, the cron IP allow-list, audit
 * rows, the loopback-only rule for a production build with mocks allowed.
 *
 * Where the address comes from. `X-Forwarded-For` is a list anyone can start: a client sends `X-Forwarded-For:
 * 1.2.3.4` and every proxy on the way appends the address it received the request from. Only the entries appended
 * by proxies we run can be trusted, so we count TRUSTED_PROXY_HOPS entries from the right:
 *
 *   chain = [...X-Forwarded-For entries, the TCP peer of this process]
 *   client = chain[chain.length - 1 - TRUSTED_PROXY_HOPS]
 *
 * The TCP peer is what makes hops = 0 (no proxy) safe: Next.js does not expose the socket to handlers and fills
 * `X-Forwarded-For` only when the client sent none, so the server process stamps the socket's address on every
 * request before Next.js sees it (installPeerStamp, from src/instrumentation.ts), overwriting any value a client
 * sent under that header name. Without the stamp (a handler called directly in a test) the peer is unknown and the
 * chain is the header alone.
 *
 * TRUSTED_PROXY_HOPS: 0 when clients connect to the app directly (`next start` on a public port); 1 behind one
 * nginx / load balancer that appends to X-Forwarded-For, and on Vercel (its edge overwrites X-Forwarded-For with
 * the client address); n behind n appending proxies. Too high a number lets clients choose their address; too low
 * makes every client look like the proxy. docs/security.md has the table.
 */

/** The header the server process sets to the socket's remote address; never trusted from a client. */
export const PEER_HEADER = "x-slotbook-peer";

const stamped = processSlot<boolean>("peerStamp");

type HeaderSource = { headers: { get(name: string): string | null } };

/** True once this process overwrites PEER_HEADER on every incoming request (so its value can be trusted). */
export function peerStampInstalled(): boolean {
  return stamped.get() === true;
}

/**
 * Overwrites PEER_HEADER on every request the process's HTTP servers receive, with the socket's remote address.
 * Installed once per process at startup, before the first request: Next.js reads headers after the server's
 * "request" event, so every handler, the proxy included, sees the stamped value.
 */
export async function installPeerStamp(): Promise<void> {
  if (stamped.get()) return;
  const http = await import("node:http");
  type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  const proto = http.Server.prototype as unknown as { emit: Emit };
  const emit = proto.emit;
  proto.emit = function stampPeer(this: unknown, event, ...args) {
    if (event === "request") {
      const req = args[0] as {
        headers: Record<string, string | string[] | undefined>;
        socket?: { remoteAddress?: string };
      };
      req.headers[PEER_HEADER] = normalizeAddress(req.socket?.remoteAddress) ?? "unknown";
    }
    return emit.call(this, event, ...args);
  };
  stamped.set(true);
}

/** The client's address by the trusted-hops rule above, or undefined when nothing trustworthy is known. */
export function clientIp(req: HeaderSource): string | undefined {
  return clientIpFrom(req, getEnv().TRUSTED_PROXY_HOPS, peerStampInstalled());
}

/** The rule itself, with its inputs explicit (unit-tested). */
export function clientIpFrom(req: HeaderSource, hops: number, trustPeerHeader: boolean): string | undefined {
  const forwarded = (req.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const peer = trustPeerHeader ? req.headers.get(PEER_HEADER) : null;
  const chain = peer && peer !== "unknown" ? [...forwarded, peer] : forwarded;
  if (chain.length === 0) return undefined;
  // Fewer entries than hops: the request did not come through all the proxies we expect; the left-most entry is the
  // best we have (and is what the first proxy saw).
  const index = Math.max(0, chain.length - 1 - hops);
  return normalizeAddress(chain[index]);
}

/** "::ffff:127.0.0.1" → "127.0.0.1", "[::1]:443" / "1.2.3.4:5678" → the address; anything not an IP → undefined. */
export function normalizeAddress(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  let v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1] as string;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  if (v.toLowerCase().startsWith("::ffff:") && isIP(v.slice(7)) === 4) v = v.slice(7);
  return isIP(v) ? v.toLowerCase() : undefined;
}

/** 127.0.0.0/8 and ::1. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** The TCP peer of this request when the process stamps it, else undefined. */
export function peerAddress(req: HeaderSource): string | undefined {
  if (!peerStampInstalled()) return undefined;
  return normalizeAddress(req.headers.get(PEER_HEADER));
}
