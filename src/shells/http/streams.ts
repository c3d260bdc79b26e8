/**
 * WebSocket streams at /v1/stream: closed candles, signals with their explanations, orders and
 * fills, alerts and job progress. Built on `ws` (the server @hono/node-server's own WebSocket
 * support wraps; 1.19 has none, so the upgrade is handled here on the same HTTP server).
 *
 * Authenticated at connect, before the upgrade is accepted: `Authorization: Bearer <token>` from
 * programs, or `Sec-WebSocket-Protocol: kairos.v1, kairos.bearer.<token>` from browsers (which
 * cannot set headers on a WebSocket). Never in the URL: URLs end up in proxy and server logs and
 * browser history. A cross-origin page is refused (Origin must match Host). The token is checked
 * again every TOKEN_RECHECK_MS, so a revoked or expired session is cut off.
 *
 * Never slows the trading loop: `publish` only appends to an array; a timer sends one frame per
 * subscription set every FLUSH_MS (serialised once, whatever the number of clients), and a
 * client whose unsent bytes exceed MAX_BUFFERED_BYTES is dropped (close 4008) instead of being
 * waited for or buffered without bound.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { AuthService, Principal } from "../../app/auth-service.ts";
import { AppError, isAppError } from "../../errors.ts";

export const CHANNELS = ["candles", "signals", "orders", "alerts", "jobs"] as const;
export type Channel = (typeof CHANNELS)[number];

export const STREAM_DOCS: readonly { name: Channel; summary: string }[] = [
  { name: "candles", summary: "closed candles of the series trading sessions decide on" },
  {
    name: "signals",
    summary: "each decision: targets per symbol with its explanation (outside text: untrusted)",
  },
  {
    name: "orders",
    summary: "order intents, venue events (sent, acknowledged, filled, cancelled) and fills",
  },
  {
    name: "alerts",
    summary: "kill switch, halts and state changes, limit changes, approvals, risk rejections",
  },
  { name: "jobs", summary: "job state changes and progress (at most every 100 ms per job)" },
];

export const STREAM_PATH = "/v1/stream";
export const SUBPROTOCOL = "kairos.v1";
const BEARER_PROTOCOL = "kairos.bearer.";

/** A client's unsent bytes beyond this and it is dropped: it cannot keep up */
export const MAX_BUFFERED_BYTES = 1 << 20;
/** Events wait at most this long; each frame carries every event since the last one */
export const FLUSH_MS = 20;
/** Events kept while no frame has gone out (a burst beyond it drops the oldest, counted) */
const MAX_PENDING = 50_000;
const TOKEN_RECHECK_MS = 30_000;
/** Client messages are small JSON commands */
const MAX_CLIENT_MESSAGE = 4096;

export interface StreamEvent {
  channel: Channel;
  type: string;
  ts: number;
  data: unknown;
}

/** What a client may send: subscribe/unsubscribe to channels, or ping */
function parseClientMessage(text: string): {
  subscribe?: Channel[];
  unsubscribe?: Channel[];
  ping?: unknown;
} {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AppError("INVALID_INPUT", 'the message is not JSON: send {"subscribe": ["orders", ...]}', {
      details: { field: "message" },
    });
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new AppError("INVALID_INPUT", 'the message must be a JSON object like {"subscribe": ["orders"]}', {
      details: { field: "message" },
    });
  const o = v as Record<string, unknown>;
  const out: { subscribe?: Channel[]; unsubscribe?: Channel[]; ping?: unknown } = {};
  for (const k of Object.keys(o)) {
    if (k === "ping") {
      const p = o.ping;
      if (!(typeof p === "number" || typeof p === "string") || String(p).length > 64)
        throw new AppError("INVALID_INPUT", "ping must be a number or a short string", {
          details: { field: "ping" },
        });
      out.ping = p;
      continue;
    }
    if (k !== "subscribe" && k !== "unsubscribe")
      throw new AppError(
        "INVALID_INPUT",
        `${k.slice(0, 40)} is not a known field: use subscribe, unsubscribe or ping`,
        {
          details: { field: k.slice(0, 40) },
        },
      );
    const list = o[k];
    if (!Array.isArray(list) || list.length > CHANNELS.length * 2)
      throw new AppError("INVALID_INPUT", `${k} must be a list of channels: ${CHANNELS.join(", ")}`, {
        details: { field: k },
      });
    for (const ch of list)
      if (typeof ch !== "string" || !(CHANNELS as readonly string[]).includes(ch))
        throw new AppError(
          "INVALID_INPUT",
          `${k}: ${String(ch).slice(0, 40)} is not a channel: use ${CHANNELS.join(", ")}`,
          { details: { field: k } },
        );
    out[k] = list as Channel[];
  }
  return out;
}

interface Client {
  ws: WebSocket;
  principal: Principal;
  token: string;
  channels: Set<Channel>;
}

export interface StreamStats {
  clients: number;
  published: number;
  framesSent: number;
  dropped: number;
  /** events discarded because no frame could go out for MAX_PENDING events */
  overflowed: number;
}

/** The fan-out: publish from anywhere, at any rate; clients get batched frames */
export class StreamHub {
  private readonly clients = new Set<Client>();
  private pending: StreamEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  readonly stats: StreamStats = { clients: 0, published: 0, framesSent: 0, dropped: 0, overflowed: 0 };
  readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_MESSAGE,
    // the frames are small JSON batches; compression would cost the event loop more than it saves
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  constructor(
    private readonly auth: AuthService,
    private readonly log: (e: unknown) => void = () => {},
  ) {
    this.recheck = setInterval(() => this.recheckTokens(), TOKEN_RECHECK_MS);
    this.recheck.unref();
  }

  /** Appends an event; nothing is sent here (the flush timer does it) */
  publish(channel: Channel, type: string, data: unknown, ts = Date.now()): void {
    if (this.clients.size === 0) return;
    this.stats.published++;
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.stats.overflowed++;
    }
    this.pending.push({ channel, type, ts, data });
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Sends one frame per distinct subscription set: a JSON array of events, serialised once */
  flush(): void {
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    if (events.length === 0) return;
    const frames = new Map<string, string | null>();
    for (const cl of this.clients) {
      if (cl.channels.size === 0) continue;
      const key = CHANNELS.filter((c) => cl.channels.has(c)).join(",");
      let frame = frames.get(key);
      if (frame === undefined) {
        const mine = events.filter((e) => cl.channels.has(e.channel));
        frame = mine.length === 0 ? null : JSON.stringify(mine);
        frames.set(key, frame);
      }
      if (frame === null) continue;
      if (cl.ws.bufferedAmount + frame.length > MAX_BUFFERED_BYTES) {
        this.drop(cl, 4008, "too slow: the client did not read its stream");
        continue;
      }
      cl.ws.send(frame);
      this.stats.framesSent++;
    }
  }

  private drop(cl: Client, code: number, reason: string): void {
    this.clients.delete(cl);
    this.stats.clients = this.clients.size;
    this.stats.dropped++;
    try {
      cl.ws.close(code, reason);
    } catch {
      // the socket is gone already
    }
    // a client that does not read does not read the close frame either
    setTimeout(() => cl.ws.terminate(), 1000).unref();
  }

  private recheckTokens(): void {
    for (const cl of this.clients) {
      try {
        this.auth.verify(cl.token);
      } catch {
        this.clients.delete(cl);
        this.stats.clients = this.clients.size;
        cl.ws.close(4001, "the token expired or was revoked: sign in again");
      }
    }
  }

  /** The `upgrade` handler of the HTTP server: authenticates, then hands the socket to ws */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (e) => this.log(e));
    const refuse = (status: number, code: string, message: string): void => {
      const body = JSON.stringify({ error: { code, message, details: {} } });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Not Found"}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const path = (req.url ?? "").split("?")[0];
    const token = tokenOf(req);
    let principal: Principal;
    try {
      principal = this.auth.verify(token);
    } catch {
      // the door comes before the path: an unknown path without a token is a 401 too, as over HTTP
      refuse(401, "AUTH_FAILED", "not signed in: send `Authorization: Bearer <token>`");
      return;
    }
    if (path !== STREAM_PATH) {
      refuse(404, "NOT_FOUND", `no stream at ${path}: use ${STREAM_PATH}`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      refuse(403, "FORBIDDEN", "cross-origin WebSocket connections are not allowed");
      return;
    }
    const verified = token as string;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, principal, verified));
  }

  private accept(ws: WebSocket, principal: Principal, token: string): void {
    const cl: Client = { ws, principal, token, channels: new Set() };
    this.clients.add(cl);
    this.stats.clients = this.clients.size;
    ws.on("error", (e) => {
      // a client breaking the protocol (too large, bad frame) is closed by ws with the right code; not a server fault
      if (!String((e as { code?: unknown }).code ?? "").startsWith("WS_ERR_")) this.log(e);
    });
    ws.on("close", () => {
      this.clients.delete(cl);
      this.stats.clients = this.clients.size;
    });
    ws.on("message", (data, isBinary) => {
      const reply = (v: unknown) => {
        if (ws.bufferedAmount < MAX_BUFFERED_BYTES) ws.send(JSON.stringify(v));
      };
      try {
        // a revoked token ends the stream at its next message, not only at the periodic check
        this.auth.verify(cl.token);
      } catch {
        this.clients.delete(cl);
        ws.close(4001, "the token expired or was revoked: sign in again");
        return;
      }
      try {
        if (isBinary) throw new AppError("INVALID_INPUT", "send text JSON messages, not binary");
        const m = parseClientMessage(data.toString());
        for (const ch of m.subscribe ?? []) cl.channels.add(ch);
        for (const ch of m.unsubscribe ?? []) cl.channels.delete(ch);
        reply(
          m.ping !== undefined
            ? { pong: m.ping }
            : { subscribed: CHANNELS.filter((c) => cl.channels.has(c)) },
        );
      } catch (e) {
        const err = isAppError(e) ? e : new AppError("INTERNAL", "internal error");
        if (!isAppError(e)) this.log(e);
        reply({ error: { code: err.code, message: err.message, details: err.details } });
      }
    });
    ws.send(JSON.stringify({ hello: { channels: CHANNELS, subscribed: [], as: principal.kind } }));
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.recheck !== undefined) clearInterval(this.recheck);
    for (const cl of this.clients) cl.ws.terminate();
    this.clients.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

function tokenOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer ([^\s]+)$/.exec(h);
  if (m?.[1] !== undefined) return m[1];
  const protos = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  const b = protos.find((p) => p.startsWith(BEARER_PROTOCOL));
  return b === undefined ? undefined : b.slice(BEARER_PROTOCOL.length);
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
