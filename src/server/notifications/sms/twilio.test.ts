import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "@/lib/logger";
import { SmsSendError, type SmsMessage } from "./message";
import { createTwilioSmsChannel, toSmsSendError, TWILIO_HTTP_OPTIONS } from "./twilio";

/**
 * The Twilio channel through the real `twilio` SDK (URL building, form encoding, Basic auth, JSON parsing,
 * RestException), with only the transport redirected: a RequestClient subclass sends what the SDK addresses to
 * https://api.twilio.com to an in-process HTTP stand-in that answers like the Messages API.
 */

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "stand-in-auth-token-0123456789";
const FROM = "+15005550006";

type Received = { method: string; path: string; authorization: string | undefined; form: URLSearchParams };
type Answer = { status: number; body: unknown };

/** The SDK's own HTTP client, configured as the channel configures it, with each request's origin swapped. */
class StandInRequestClient extends twilio.RequestClient {
  constructor(private readonly origin: string) {
    super({ ...TWILIO_HTTP_OPTIONS, keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    const origin = new URL(this.origin);
    target.protocol = origin.protocol;
    target.host = origin.host;
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

describe("Twilio SMS channel (official SDK against an in-process stand-in)", () => {
  let server: Server;
  let origin: string;
  const received: Received[] = [];
  let nextAnswers: Answer[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (raw += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(raw);
        received.push({
          method: req.method ?? "",
          path: req.url ?? "",
          authorization: req.headers.authorization,
          form,
        });
        const answer = nextAnswers.shift() ?? messageCreated(form);
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    received.length = 0;
    nextAnswers = [];
    vi.restoreAllMocks();
  });

  const channel = (from = FROM) =>
    createTwilioSmsChannel({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from,
      httpClient: new StandInRequestClient(origin),
    });
  const message: SmsMessage = {
    id: "4f0c2b8e-0000-4000-8000-000000000001",
    to: "090-1234-5678",
    body: "ご予約が確定しました。",
    kind: "confirmed",
  };

  it("creates the message with the E.164 number, Basic auth and form body, and returns the SID", async () => {
    const info = vi.spyOn(logger, "info");
    const result = await channel().send(message);

    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM\d{32}$/), rendered: message.body });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({ To: "+819012345678", From: FROM, Body: message.body });

    const line = info.mock.calls.map((c) => c[0] as Record<string, unknown>).find((o) => o?.event === "sms.sent");
    expect(line).toMatchObject({ to: "+********5678", kind: "confirmed", providerMessageId: result.providerMessageId });
    const logged = JSON.stringify(info.mock.calls);
    expect(logged).not.toContain("確定");
    expect(logged).not.toContain(AUTH_TOKEN);
  });

  it("sends through a Messaging Service when the sender is an MG… SID", async () => {
    await channel("MG0123456789abcdef0123456789abcdef").send(message);
    expect(Object.fromEntries(received[0]?.form ?? [])).toEqual({
      To: "+819012345678",
      MessagingServiceSid: "MG0123456789abcdef0123456789abcdef",
      Body: message.body,
    });
  });

  it("turns a 400 (invalid number) into a permanent error without the number or the body in it", async () => {
    const warn = vi.spyOn(logger, "warn");
    nextAnswers.push({
      status: 400,
      body: {
        code: 21211,
        message: "The 'To' number +819012345678 is not a valid phone number.",
        more_info: "https://www.twilio.com/docs/errors/21211",
        status: 400,
      },
    });
    const error = await channel()
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ permanent: true, providerCode: 21211, httpStatus: 400 });
    expect((error as Error).message).toContain("21211");
    expect((error as Error).message).not.toContain("9012345678");
    expect((error as Error).cause).toBeUndefined();
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).toContain("sms.send_failed");
    expect(logged).not.toContain("9012345678");
    expect(logged).not.toContain(AUTH_TOKEN);
  });

  it.each([
    [503, { code: 20503, message: "Service unavailable", status: 503 }],
    [500, { code: 20500, message: "Internal Server Error", status: 500 }],
    [401, { code: 20003, message: "Authenticate", status: 401 }],
  ])("treats %i as transient so the dispatcher retries", async (status, body) => {
    nextAnswers.push({ status, body });
    const error = await channel()
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ permanent: false, httpStatus: status, providerCode: body.code });
  });

  it("retries a 429 inside the SDK, then succeeds", async () => {
    nextAnswers.push({ status: 429, body: { code: 20429, message: "Too Many Requests", status: 429 } });
    const result = await channel().send(message);
    expect(result.providerMessageId).toMatch(/^SM/);
    expect(received).toHaveLength(2);
  });

  it("treats an unreachable API as transient", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createTwilioSmsChannel({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      httpClient: new StandInRequestClient(`http://127.0.0.1:${port}`),
    });
    const error = await unreachable.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsSendError);
    expect(error).toMatchObject({ permanent: false });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toContain(AUTH_TOKEN);
  });

  it("refuses a number that cannot take SMS before calling Twilio", async () => {
    const error = await channel()
      .send({ ...message, to: "03-1234-5678" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: true });
    expect(received).toHaveLength(0);
  });

  it("accepts an injected client object instead of the SDK", async () => {
    const create = vi.fn(async () => ({ sid: "SMinjected", status: "queued" }));
    const injected = createTwilioSmsChannel({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      client: { messages: { create } },
    });
    expect(await injected.send(message)).toEqual({ providerMessageId: "SMinjected", rendered: message.body });
    expect(create).toHaveBeenCalledWith({ to: "+819012345678", body: message.body, from: FROM });
  });

  it("maps anything else thrown to a transient error", () => {
    expect(toSmsSendError(new Error("socket hang up"))).toMatchObject({ permanent: false });
    const existing = new SmsSendError("x", { permanent: true });
    expect(toSmsSendError(existing)).toBe(existing);
  });
});

let sequence = 0;

/** A 201 shaped like Twilio's Message resource. */
function messageCreated(form: URLSearchParams): Answer {
  sequence += 1;
  const sid = `SM${String(sequence).padStart(32, "0")}`;
  return {
    status: 201,
    body: {
      account_sid: ACCOUNT_SID,
      api_version: "2010-04-01",
      body: form.get("Body"),
      date_created: "Thu, 24 Aug 2023 05:01:45 +0000",
      date_sent: null,
      date_updated: "Thu, 24 Aug 2023 05:01:45 +0000",
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: form.get("From"),
      messaging_service_sid: form.get("MessagingServiceSid"),
      num_media: "0",
      num_segments: "1",
      price: null,
      price_unit: null,
      sid,
      status: "queued",
      subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media.json` },
      to: form.get("To"),
      uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
    },
  };
}
