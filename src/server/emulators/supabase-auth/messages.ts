import { processSingleton } from "@/lib/process-global";

/**
 * What GoTrue would email: the magic link / one-time code of POST /otp (and later signup confirmations). The emulator
 * hands each message to a pluggable handler, so the notifications module can put it into the dry-run outbox; the
 * in-memory record of the last message per address is always kept (tests read it with lastAuthMessage()).
 */
export type AuthMessage = {
  type: "magiclink" | "signup";
  email: string;
  userId: string;
  /** The six-digit code ({{ .Token }} in Supabase's templates). */
  token: string;
  /** sha224(email + token) in hex ({{ .TokenHash }}), for verifyOtp({ token_hash, type }). */
  tokenHash: string;
  /** Where the user lands after verifying (redirect_to), when the client gave one. */
  redirectTo: string | null;
  /** GoTrue-style confirmation URL: <auth url>/verify?token=<hash>&type=<type>&redirect_to=… */
  actionLink: string;
  createdAt: string;
};

export type AuthMessageHandler = (message: AuthMessage) => void | Promise<void>;

type MessageState = { handler: AuthMessageHandler | undefined; last: Map<string, AuthMessage> };
const state = processSingleton<MessageState>("authEmulator.messages", () => ({ handler: undefined, last: new Map() }));

/** Route auth emails elsewhere (e.g. the notifications outbox); undefined restores the in-memory default. */
export function onAuthMessage(handler: AuthMessageHandler | undefined): void {
  state().handler = handler;
}

export async function deliverAuthMessage(message: AuthMessage): Promise<void> {
  const s = state();
  s.last.set(message.email.toLowerCase(), message);
  await s.handler?.(message);
}

export function lastAuthMessage(email: string): AuthMessage | undefined {
  return state().last.get(email.toLowerCase());
}

export function clearAuthMessages(): void {
  state().last.clear();
}
