import "server-only";
import { getConfig, type LoadedConfig } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { SmsChannel } from "../types";
import { createDryRunSmsChannel } from "./dry-run";
import { createTwilioSmsChannel } from "./twilio";
import { processSlot } from "@/lib/process-global";

/**
 * The SMS channel for the configured mode (SMS_PROVIDER, resolved in src/lib/env.ts): Twilio, the dry-run recorder,
 * or null when SMS is off. Built once per loaded configuration and shared through globalThis, like the Stripe client.
 */
export { createDryRunSmsChannel, type DryRunSmsOptions } from "./dry-run";
export { createTwilioSmsChannel, toSmsSendError, type TwilioMessagesClient, type TwilioSmsOptions } from "./twilio";
export { MAX_SMS_LENGTH, prepareSms, SmsSendError, smsSegments, type SmsMessage, type SmsSegments } from "./message";
export { maskPhone, normalizeJapanesePhone, parsePhone, smsNumber, type ParsedPhone } from "./phone";
export { channelsFor, smsPolicy, smsRecipientFor, SMS_KINDS, type Channel, type SmsPolicyReservation } from "./policy";

type Cached = { config: LoadedConfig; channel: SmsChannel | null };
const built = processSlot<Cached>("sms");
const override = processSlot<SmsChannel | null>("sms.override");

export function getSmsChannel(): SmsChannel | null {
  const forced = override.get();
  if (forced !== undefined) return forced;
  const config = getConfig();
  const cached = built.get();
  if (cached && cached.config === config) return cached.channel;
  const channel = createSmsChannel(config);
  built.set({ config, channel });
  return channel;
}

function createSmsChannel({ env, modes }: LoadedConfig): SmsChannel | null {
  if (modes.sms === "off") return null;
  if (modes.sms === "dry_run") return createDryRunSmsChannel();
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM_NUMBER: from } = env;
  if (!accountSid || !authToken || !from) {
    // resolveModes refuses to start without them; this only guards a configuration changed under a running process.
    throw new AppError("config_missing", undefined, {
      internalDetail: "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER",
    });
  }
  return createTwilioSmsChannel({ accountSid, authToken, from });
}

/** Tests only: use this channel (null = SMS off) instead of the configured one; undefined goes back to the config. */
export function setSmsChannelForTests(channel: SmsChannel | null | undefined): void {
  override.set(channel);
}
