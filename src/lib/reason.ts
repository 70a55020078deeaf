import { z } from "zod";

/** Longest reason an operator may give; the forms count down to it. */
export const REASON_MAX = 500;

/**
 * The reason every operator action carries into its audit row (/manage and /api/admin/**): required, trimmed, at most
 * REASON_MAX characters. One rule for every screen.
 */
export const reasonField = z.string().trim().min(1, "Give a reason.").max(REASON_MAX);
