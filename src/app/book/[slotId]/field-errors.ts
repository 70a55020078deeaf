/**
 * Maps schema issues (from the shared zod schema in the browser, or the API's problem+json `errors[]`) to the form's
 * fields and a message key, so the client and the server speak about the same fields in the same words.
 */
export const FIELDS = ["name", "email", "phone", "quantity"] as const;
export type Field = (typeof FIELDS)[number];
export type FieldErrorCode =
  "name_required" | "name_too_long" | "email_invalid" | "phone_invalid" | "quantity_invalid" | "invalid";
export type FieldErrors = Partial<Record<Field, FieldErrorCode>>;

export function fieldErrorsFromIssues(issues: { path: string[]; code: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = toField(issue.path);
    if (!field || errors[field]) continue;
    errors[field] = toCode(field, issue.code);
  }
  return errors;
}

function toField(path: string[]): Field | undefined {
  const last = path.at(-1);
  return (FIELDS as readonly string[]).includes(last ?? "") ? (last as Field) : undefined;
}

function toCode(field: Field, code: string): FieldErrorCode {
  switch (field) {
    case "name":
      return code === "too_big" ? "name_too_long" : "name_required";
    case "email":
      return "email_invalid";
    case "phone":
      return "phone_invalid";
    case "quantity":
      return "quantity_invalid";
  }
}
