// A WebSocket client of the API's streams (the `ws` package: Node 20 has no global WebSocket)
import { WebSocket } from "ws";
import type { Api } from "./support.ts";

export interface StreamClient {
  ws: WebSocket;
  /** every event received, in order */
  events: { channel: string; type: string; ts: number; data: Record<string, unknown> }[];
  /** every other message (hello, subscribed, pong, error) */
  replies: Record<string, unknown>[];
  send(v: unknown): void;
  /** resolves with the next reply that is not an event */
  nextReply(): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

export function wsUrl(api: Api, path = "/v1/stream"): string {
  return `${api.url.replace(/^http/, "ws")}${path}`;
}

/** Opens a stream with the token in the Authorization header (or as a subprotocol) */
export function openStream(
  api: Api,
  token: string | undefined,
  opts: { via?: "header" | "protocol"; path?: string; headers?: Record<string, string> } = {},
): Promise<StreamClient> {
  const via = opts.via ?? "header";
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (token !== undefined && via === "header") headers.authorization = `Bearer ${token}`;
  const protocols = token !== undefined && via === "protocol" ? ["kairos.v1", `kairos.bearer.${token}`] : [];
  const ws = new WebSocket(wsUrl(api, opts.path), protocols, { headers });
  const c: StreamClient = {
    ws,
    events: [],
    replies: [],
    send: (v) => ws.send(typeof v === "string" ? v : JSON.stringify(v)),
    nextReply: () => new Promise((resolve) => waiting.push(resolve)),
    closed: new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
    ),
  };
  const waiting: ((r: Record<string, unknown>) => void)[] = [];
  ws.on("message", (data) => {
    const v = JSON.parse(String(data)) as unknown;
    if (Array.isArray(v)) c.events.push(...(v as StreamClient["events"]));
    else {
      c.replies.push(v as Record<string, unknown>);
      waiting.shift()?.(v as Record<string, unknown>);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(c));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/** The HTTP status a refused upgrade answered with */
export async function refusedWith(
  api: Api,
  token: string | undefined,
  opts: Parameters<typeof openStream>[2] = {},
): Promise<number> {
  try {
    const c = await openStream(api, token, opts);
    c.ws.close();
    return 101;
  } catch (e) {
    const m = /HTTP (\d+)/.exec(String(e));
    if (m === null) throw e;
    return Number(m[1]);
  }
}

/** Waits until `pred` holds, checking every 20 ms (never a fixed sleep) */
export async function until(pred: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
