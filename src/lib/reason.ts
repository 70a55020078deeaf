import { text } from "./text";

/** Longest reason an operator may give; the forms count down to it. */
export const REASON_MAX = 500;

/**
 * The reason every operator action carries into its audit row (/manage and /api/admin/**): required, trimmed, at most
 * REASON_MAX characters, several lines allowed but no other control characters. One rule for every screen.
 */
export const reasonField = text({ min: 1, max: REASON_MAX, multiline: true, minMessage: "Give a reason." });
