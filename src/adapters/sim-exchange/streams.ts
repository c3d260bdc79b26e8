// Binance's WebSocket streams: the user-data stream at /ws/<listenKey> (executionReport,
// outboundAccountPosition) and kline streams at /ws/<symbol>@kline_<interval>, or several on one
// connection at /stream?streams=<a>/<b> (each payload wrapped as {"stream","data"}). Stream faults
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
  /** "user" or "btcusdt@kline_1h"; a combined connection holds several kline streams */
  topics: ReadonlySet<string>;
  /** a combined-stream connection: payloads go out as {"stream": name, "data": payload} */
  combined: boolean;
  /** an event held back to be sent after the next one (reorder fault) */
  held: string | undefined;
  /** the upgraded connection, corked while a burst is written (`burst`) */
  socket: Duplex;
}

export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly subs = new Set<Sub>();
  readonly listenKeys = new Set<string>();
  private nextKey = 1;
  /** depth of `burst` calls under way (a close): its frames stay corked even when a fault cuts a connection */
  private bursting = 0;

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

  /** Takes over an HTTP upgrade to /ws/<stream> or /stream?streams=<a>/<b>; unknown paths are refused */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const kline = /^[a-z0-9]+@kline_[0-9]+[smhdwM]$/;
    let topics: string[] | undefined;
    let combined = false;
    const m = /^\/ws\/(.+)$/.exec(u.pathname);
    if (m !== null) {
      const name = m[1] ?? "";
      topics = this.listenKeys.has(name) ? ["user"] : kline.test(name) ? [name] : undefined;
    } else if (u.pathname === "/stream") {
      // Binance allows up to 1024 streams on one connection
      const names = (u.searchParams.get("streams") ?? "").split("/").filter((x) => x !== "");
      combined = true;
      topics =
        names.length > 0 && names.length <= 1024 && names.every((x) => kline.test(x)) ? names : undefined;
    }
    if (topics === undefined) {
      socket.write("HTTP/1.1 404 Not Found\r\n\r\n");
      socket.destroy();
      return;
    }
    const set = new Set(topics);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Sub = { ws, topics: set, combined, held: undefined, socket };
      this.subs.add(sub);
      ws.on("close", () => this.subs.delete(sub));
      ws.on("error", () => this.subs.delete(sub));
    });
  }

  /** Pushes a closed (or updating) candle to the kline subscribers of its stream */
  kline(stream: string, payload: unknown): void {
    let raw: string | undefined;
    let wrapped: string | undefined;
    for (const s of this.subs)
      if (s.topics.has(stream))
        this.send(
          s,
          s.combined
            ? (wrapped ??= JSON.stringify({ stream, data: payload }))
            : (raw ??= JSON.stringify(payload)),
        );
  }

  /**
   * Runs `fn` with every connection corked, so that a bar's close (a fill, its report and balances
   * per order, then a candle per market: hundreds of small frames) leaves in one write per
   * connection instead of a system call per frame, as an exchange's gateway batches a burst
   */
  burst<T>(fn: () => T): T {
    this.bursting++;
    try {
      return this.corked([...this.subs], fn);
    } finally {
      this.bursting--;
    }
  }

  /**
   * Runs `fn` (one request) with the user-data connections corked: the reports it causes (an
   * order's executionReport, then its balances) leave in one write instead of a system call each,
   * still before the request's reply is written
   */
  userBurst<T>(fn: () => T): T {
    return this.corked(
      [...this.subs].filter((s) => s.topics.has("user")),
      fn,
    );
  }

  /** Runs `fn` with these connections corked, uncorking them after whatever it does */
  private corked<T>(subs: readonly Sub[], fn: () => T): T {
    if (subs.length === 0) return fn();
    for (const s of subs) s.socket.cork();
    try {
      return fn();
    } finally {
      for (const s of subs) s.socket.uncork();
    }
  }

  close(): void {
    for (const s of this.subs) s.ws.terminate();
    this.wss.close();
  }

  private onLedger(e: LedgerEvent): void {
    // built once a user-data connection wants them: with none open (a REST-only client) they are not
    let msgs: string[] | undefined;
    for (const s of this.subs)
      if (s.topics.has("user"))
        for (const m of (msgs ??= userMessages(this.ledger, e, this.now()))) this.send(s, m);
  }

  private send(s: Sub, msg: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    const fault = this.faults.stream();
    if (fault === "drop") return;
    if (fault === "disconnect") {
      // outside a close, the frames a request corked (userBurst) went out one write each before it
      // was corked: written now, the cut loses what it always lost and no more
      if (this.bursting === 0) while (s.socket.writableCorked > 0) s.socket.uncork();
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
