import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";

/**
 * A local stand-in for Sentry's ingest: an HTTP server that accepts envelopes (POST /api/<project>/envelope/),
 * decodes them (gzip or deflate when the SDK compressed the body) and keeps them, so tests point a real SDK at
 * `http://key@127.0.0.1:<port>/1` and assert what would have left the process. An envelope is newline-separated JSON:
 * the envelope header, then per item an item header and its payload (exactly `length` bytes when the item header
 * says so, else up to the next newline).
 */
export type EnvelopeItem = { header: Record<string, unknown>; payload: unknown };
export type Envelope = { header: Record<string, unknown>; items: EnvelopeItem[]; raw: string; path: string };

/** The parts of a Sentry event the tests read. */
export type ReceivedEvent = {
  event_id?: string;
  level?: string;
  message?: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  user?: Record<string, unknown>;
  request?: Record<string, unknown>;
  exception?: { values?: { type?: string; value?: string }[] };
  [key: string]: unknown;
};

export type EnvelopeReceiver = {
  /** The DSN that sends here. */
  dsn: string;
  envelopes: Envelope[];
  /** Every `event` item received, in order. */
  events(): ReceivedEvent[];
  clear(): void;
  close(): Promise<void>;
};

export function parseEnvelope(body: Buffer, path = ""): Envelope {
  let offset = 0;
  const readLine = (): Buffer | null => {
    if (offset >= body.length) return null;
    const end = body.indexOf(0x0a, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const headerLine = readLine();
  if (!headerLine) throw new Error("empty envelope");
  const header = JSON.parse(headerLine.toString("utf8")) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  for (let line = readLine(); line !== null; line = readLine()) {
    if (line.length === 0) continue;
    const itemHeader = JSON.parse(line.toString("utf8")) as Record<string, unknown>;
    let payloadBytes: Buffer;
    if (typeof itemHeader.length === "number") {
      payloadBytes = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length;
      if (body[offset] === 0x0a) offset++;
    } else {
      payloadBytes = readLine() ?? Buffer.alloc(0);
    }
    const text = payloadBytes.toString("utf8");
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Attachments and other binary items stay text.
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items, raw: body.toString("utf8"), path };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const encoding = req.headers["content-encoding"];
  if (encoding === "gzip") return gunzipSync(body);
  if (encoding === "deflate") return inflateSync(body);
  return body;
}

export async function startEnvelopeReceiver(): Promise<EnvelopeReceiver> {
  const envelopes: Envelope[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? "";
      if (req.method !== "POST" || !/^\/api\/\d+\/envelope\/?(\?|$)/.test(path)) {
        res.writeHead(404).end();
        return;
      }
      try {
        envelopes.push(parseEnvelope(await readBody(req), path));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://key@127.0.0.1:${port}/1`,
    envelopes,
    events: () =>
      envelopes.flatMap((e) => e.items.filter((i) => i.header.type === "event").map((i) => i.payload as ReceivedEvent)),
    clear: () => void envelopes.splice(0),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
