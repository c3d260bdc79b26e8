// Binance's WebSocket streams: the user-data stream at /ws/<listenKey> (executionReport,
// outboundAccountPosition) and kline streams at /ws/<symbol>@kline_<interval>. Stream faults
// (drop, duplicate, reorder, disconnect) are drawn per event from the seeded plan
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { FaultPlan } from "./faults.ts";
import type { Ledger, LedgerEvent } from "./ledger.ts";
import { formatUnits } from "./units.ts";

const f = formatUnits;

interface Sub {
  ws: WebSocket;
  /** "user" or "btcusdt@kline_1h" */
  topic: string;
  /** an event held back to be sent after the next one (reorder fault) */
  held: string | undefined;
}

export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly subs = new Set<Sub>();
  readonly listenKeys = new Set<string>();
  private nextKey = 1;

  constructor(
    private readonly ledger: Ledger,
    private readonly faults: FaultPlan,
    private readonly now: () => number,
  ) {
    ledger.onEvent((e) => this.onLedger(e));
  }

  newListenKey(): string {
    const k = `simlistenkey${String(this.nextKey++).padStart(4, "0")}${"x".repeat(44)}`.slice(0, 60);
    this.listenKeys.add(k);
    return k;
  }

  /** Takes over an HTTP upgrade to /ws/<stream>; unknown paths are refused */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const m = /^\/ws\/(.+)$/.exec(path);
    const name = m?.[1] ?? "";
    const topic = this.listenKeys.has(name)
      ? "user"
      : /^[a-z0-9]+@kline_[0-9]+[smhdwM]$/.test(name)
        ? name
        : undefined;
    if (topic === undefined) {
      socket.write("HTTP/1.1 404 Not Found\r\n\r\n");
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Sub = { ws, topic, held: undefined };
      this.subs.add(sub);
      ws.on("close", () => this.subs.delete(sub));
      ws.on("error", () => this.subs.delete(sub));
    });
  }

  /** Pushes a closed (or updating) candle to the kline subscribers of its stream */
  kline(stream: string, payload: unknown): void {
    for (const s of this.subs) if (s.topic === stream) this.send(s, JSON.stringify(payload));
  }

  close(): void {
    for (const s of this.subs) s.ws.terminate();
    this.wss.close();
  }

  private onLedger(e: LedgerEvent): void {
    const msgs = userMessages(this.ledger, e, this.now());
    for (const s of this.subs) if (s.topic === "user") for (const m of msgs) this.send(s, m);
  }

  private send(s: Sub, msg: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    const fault = this.faults.stream();
    if (fault === "drop") return;
    if (fault === "disconnect") {
      s.ws.terminate();
      return;
    }
    if (fault === "reorder" && s.held === undefined) {
      s.held = msg;
      return;
    }
    s.ws.send(msg);
    if (s.held !== undefined) {
      s.ws.send(s.held);
      s.held = undefined;
    }
    if (fault === "duplicate") s.ws.send(msg);
  }
}

/** executionReport / outboundAccountPosition payloads for one ledger change */
function userMessages(ledger: Ledger, e: LedgerEvent, now: number): string[] {
  if (e.kind === "balances")
    return [
      JSON.stringify({
        e: "outboundAccountPosition",
        E: now,
        u: e.time,
        B: e.assets.map((a) => {
          const b = ledger.balance(a);
          return { a, f: f(b.free), l: f(b.locked) };
        }),
      }),
    ];
  const o = e.order;
  const t = e.kind === "trade" ? e.trade : undefined;
  return [
    JSON.stringify({
      e: "executionReport",
      E: now,
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: f(o.origQty),
      p: f(o.price),
      P: "0.00000000",
      F: "0.00000000",
      g: -1,
      C: e.kind === "order" && e.execType === "CANCELED" ? o.clientOrderId : "",
      x: e.kind === "trade" ? "TRADE" : e.execType,
      X: o.status,
      r: "NONE",
      i: o.orderId,
      l: t === undefined ? "0.00000000" : f(t.qty),
      z: f(o.executedQty),
      L: t === undefined ? "0.00000000" : f(t.price),
      n: t === undefined ? "0" : f(t.commission),
      N: t === undefined ? null : t.commissionAsset,
      T: t?.time ?? o.updateTime,
      t: t?.id ?? -1,
      w: o.status === "NEW" || o.status === "PARTIALLY_FILLED",
      m: t?.isMaker ?? false,
      O: o.time,
      Z: f(o.cumQuote),
      Y: t === undefined ? "0.00000000" : f(t.quoteQty),
      Q: "0.00000000",
      W: o.time,
      V: "NONE",
    }),
  ];
}
