import type { OutgoingSms } from "../types";
import { maskPhonesInText, parsePhone } from "./phone";

/**
 * What both SMS channels (Twilio and the dry-run recorder) share, so the dry run refuses exactly what Twilio would
 * be asked to refuse: the recipient must be a number that takes SMS, the body must be non-empty and not absurdly long.
 */

/** OutgoingSms plus the notification kind when the caller knows it (only used for logs and the dry-run file). */
export type SmsMessage = OutgoingSms & { kind?: string };

/** Twilio's own limit for one message body is 1,600 characters. */
export const MAX_SMS_LENGTH = 1600;

/**
 * A failed send. `permanent` means retrying cannot help (invalid or unsubscribed number, refused body): the
 * dispatcher should mark the row failed at once instead of backing off. Messages never contain full numbers or bodies.
 */
export class SmsSendError extends Error {
  readonly permanent: boolean;
  readonly providerCode?: number;
  readonly httpStatus?: number;

  constructor(
    message: string,
    options: { permanent: boolean; providerCode?: number; httpStatus?: number; cause?: unknown },
  ) {
    super(maskPhonesInText(message), { cause: options.cause });
    this.name = "SmsSendError";
    this.permanent = options.permanent;
    this.providerCode = options.providerCode;
    this.httpStatus = options.httpStatus;
  }
}

export type PreparedSms = { id: string; to: string; body: string; kind?: string; segments: SmsSegments };

/** Validates and normalises a message before either channel handles it. */
export function prepareSms(message: SmsMessage): PreparedSms {
  const parsed = parsePhone(message.to);
  if (!parsed) throw new SmsSendError("The recipient is not a valid phone number.", { permanent: true });
  if (!parsed.smsCapable)
    throw new SmsSendError("The recipient's number cannot receive SMS (not a mobile number).", { permanent: true });
  const body = message.body.trim();
  if (body === "") throw new SmsSendError("The SMS body is empty.", { permanent: true });
  if (body.length > MAX_SMS_LENGTH) {
    throw new SmsSendError(`The SMS body is ${body.length} characters; at most ${MAX_SMS_LENGTH} are allowed.`, {
      permanent: true,
    });
  }
  return { id: message.id, to: parsed.e164, body, kind: message.kind, segments: smsSegments(body) };
}

export type SmsSegments = { encoding: "GSM-7" | "UCS-2"; units: number; segments: number };

// GSM 03.38 basic set and the extension set (escape + char, two units each).
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set("^{}\\[~]|€\f");

/**
 * How many SMS parts a body is billed as: GSM-7 (160 units, 153 per part when split) when every character is in the
 * GSM alphabet, else UCS-2 (70 UTF-16 units, 67 per part) — every Japanese message is UCS-2.
 */
export function smsSegments(body: string): SmsSegments {
  let gsmUnits = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) gsmUnits += 1;
    else if (GSM_EXTENDED.has(ch)) gsmUnits += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: "GSM-7", units: gsmUnits, segments: gsmUnits <= 160 ? 1 : Math.ceil(gsmUnits / 153) };
  const units = body.length;
  return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
