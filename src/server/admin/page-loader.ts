import "server-only";
import { notFound } from "next/navigation";
import { z } from "zod";
import { AppError } from "@/lib/errors";

const NOT_FOUND_CODES = new Set(["not_found", "reservation_not_found", "slot_not_found"]);

/**
 * A /manage detail page's read of one row by the id in its URL: an id that is not a UUID, or a row the read does not
 * find (including one RLS hides from the viewer), is the page's 404; anything else is a fault.
 */
export async function loadOr404<T>(id: string, read: (id: string) => Promise<T>): Promise<T> {
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    return await read(id);
  } catch (error) {
    if (error instanceof AppError && NOT_FOUND_CODES.has(error.code)) notFound();
    throw error;
  }
}
