import "server-only";
import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/server/security/client-ip";
import type { Actor } from "@/server/audit";
import type { ReservationAccess } from "./read";

/**
 * How a customer proves access to a reservation: the manage token from their link (?token= or X-Manage-Token).
 * Signed-in owners are added with the auth capability.
 */
export function customerAccess(req: NextRequest, queryToken: string | undefined): ReservationAccess {
  const token = queryToken ?? req.headers.get("x-manage-token") ?? undefined;
  if (!token)
    throw new AppError("unauthorized", "Open this reservation from the link in your email (manage token missing).");
  return { token };
}

export function guestActor(req: NextRequest): Actor {
  return { kind: "guest", ip: clientIp(req) };
}
