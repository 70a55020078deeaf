import type { AuthFormState } from "@/server/auth/actions";

type Translate = (key: string, values: { minutes: number }) => string;

/** The auth form's error message, or undefined; "too many attempts" says in how many minutes to try again. */
export function errorText(t: Translate, state: AuthFormState): string | undefined {
  return state.error ? t(`errors.${state.error}`, { minutes: state.retryAfterMinutes ?? 1 }) : undefined;
}
