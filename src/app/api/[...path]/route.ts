import { AppError } from "@/lib/errors";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Any /api path without a route: a problem+json 404 instead of the HTML not-found page. */
const notFound = route({ route: "/api/[...path]" }, async () => {
  throw new AppError("not_found", "No API route matches this path.");
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
