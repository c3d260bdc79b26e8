// Binance's push streams for CcxtBroker: the user-data stream (a listenKey from POST
// userDataStream; /ws/<listenKey> pushes executionReport and outboundAccountPosition) and the
// combined kline streams (closed candles at the close). The broker lends them its markets, its
// reads and its error wording (signatures and secrets kept out) through BinanceStreamHost.
import { WebSocket } from "ws";
import { AppError } from "../../errors.ts";
import type { BrokerEvent, CandleEvent, DecimalString, VenueOrderStatus } from "../../ports/broker.ts";

/** ccxt's implicit binance endpoints for the listenKey */
export interface BinanceStreamApi {
  publicPostUserDataStream(): Promise<{ listenKey?: string }>;
  publicPutUserDataStream(p: { listenKey: string }): Promise<unknown>;
  publicDeleteUserDataStream(p: { listenKey: string }): Promise<unknown>;
}

/** What the streams need of the broker */
export interface BinanceStreamHost {
  readonly venue: string;
  readonly api: BinanceStreamApi;
  loadMarkets(): Promise<void>;
  /** a market's symbol from Binance's id (BTCUSDT -> BTC/USDT); undefined when unknown */
  symbolOf(id: string): string | undefined;
  /** Binance's id of a market (BTC/USDT -> BTCUSDT) */
  idOf(symbol: string): string;
  read<T>(doing: string, fn: () => Promise<T>): Promise<T>;
  /** an error in the broker's words (signatures, listenKeys and the secret kept out) */
  describe(err: unknown, doing: string): string;
}

// Binance: POST userDataStream gives a listenKey; /ws/<listenKey> pushes executionReport and
// outboundAccountPosition; the key is kept alive every 30 minutes
export async function openUserDataStream(
  host: BinanceStreamHost,
  base: string,
  onEvent: (e: BrokerEvent) => void,
): Promise<() => Promise<void>> {
  await host.loadMarkets();
  const ex = host.api;
  const got = await host.read("opening the user-data stream", () => ex.publicPostUserDataStream());
  const listenKey = String(got.listenKey ?? "");
  if (listenKey === "")
    throw new AppError("EXCHANGE_ERROR", `${host.venue} sent no listenKey for the user-data stream`);
  const ws = new WebSocket(`${base}/${listenKey}`);
  let stopped = false;
  const keepAlive = setInterval(() => {
    ex.publicPutUserDataStream({ listenKey }).catch((err: unknown) =>
      onEvent({
        kind: "disconnected",
        reason: host.describe(err, "keeping the user-data stream alive"),
      }),
    );
  }, 30 * 60_000);
  ws.on("message", (raw) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(String(raw)) as Record<string, unknown>;
    } catch {
      return; // a frame that is not JSON carries nothing the lifecycle could use
    }
    for (const e of binanceEvents(host, msg)) onEvent(e);
  });
  ws.on("close", () => {
    clearInterval(keepAlive);
    if (!stopped) onEvent({ kind: "disconnected", reason: "the user-data stream closed" });
  });
  ws.on("error", (err) => {
    if (!stopped) onEvent({ kind: "disconnected", reason: `user-data stream error: ${err.message}` });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", (err) =>
      reject(new AppError("EXCHANGE_UNAVAILABLE", `${host.venue} user-data stream: ${err.message}`)),
    );
  });
  return async () => {
    stopped = true;
    clearInterval(keepAlive);
    ws.close();
    await ex.publicDeleteUserDataStream({ listenKey }).catch(() => undefined);
  };
}

// Binance's combined streams: /stream?streams=<id>@kline_<tf>/... (up to 1024 a connection, 200
// here), each frame {"stream","data":{"e":"kline","k":{"t","o","h","l","c","v","x"}}}; only
// closed candles (x = true) go out
export async function openKlineStreams(
  host: BinanceStreamHost,
  base: string,
  symbols: readonly string[],
  timeframe: string,
  onEvent: (e: CandleEvent) => void,
): Promise<() => Promise<void>> {
  await host.loadMarkets();
  const root = base.replace(/\/ws\/?$/, "");
  const names = symbols.map((s) => `${host.idOf(s).toLowerCase()}@kline_${timeframe}`);
  const sockets: WebSocket[] = [];
  let stopped = false;
  const onMessage = (raw: unknown): void => {
    if (stopped) return; // frames still in flight while the close handshake runs
    let msg: { data?: { e?: unknown; s?: unknown; k?: Record<string, unknown> } };
    try {
      msg = JSON.parse(String(raw)) as typeof msg;
    } catch {
      return; // a frame that is not JSON carries no candle
    }
    const k = msg.data?.k;
    if (msg.data?.e !== "kline" || k === undefined || k.x !== true) return;
    const symbol = host.symbolOf(String(k.s ?? msg.data.s));
    if (symbol === undefined) return;
    const num = (x: unknown): number => Number(x);
    const bar = {
      kind: "candle" as const,
      symbol,
      ts: num(k.t),
      open: num(k.o),
      high: num(k.h),
      low: num(k.l),
      close: num(k.c),
      volume: num(k.v),
    };
    if ([bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite)) onEvent(bar);
  };
  try {
    for (let i = 0; i < names.length; i += 200) {
      const ws = new WebSocket(`${root}/stream?streams=${names.slice(i, i + 200).join("/")}`);
      sockets.push(ws);
      ws.on("message", onMessage);
      ws.on("close", () => {
        if (!stopped) onEvent({ kind: "disconnected", reason: "a kline stream closed" });
      });
      ws.on("error", (err) => {
        if (!stopped) onEvent({ kind: "disconnected", reason: `kline stream error: ${err.message}` });
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", (err) =>
          reject(new AppError("EXCHANGE_UNAVAILABLE", `${host.venue} kline stream: ${err.message}`)),
        );
      });
    }
  } catch (err) {
    stopped = true;
    for (const ws of sockets) ws.terminate();
    throw err;
  }
  return async () => {
    stopped = true;
    for (const ws of sockets) ws.close();
  };
}

/*
 * {"e":"executionReport","s":"BTCUSDT","c":"k-1","S":"BUY","o":"LIMIT","q":"0.01000000","p":"20000.00000000",
 *  "C":"","x":"TRADE","X":"FILLED","i":1,"l":"0.01000000","z":"0.01000000","L":"20000.00000000",
 *  "n":"0.20000000","N":"USDT","T":1700000000000,"t":7,"m":false,"O":1699999990000}
 * {"e":"outboundAccountPosition","B":[{"a":"USDT","f":"9799.80000000","l":"0.00000000"}]}
 */
export function binanceEvents(
  host: Pick<BinanceStreamHost, "venue" | "symbolOf">,
  m: Record<string, unknown>,
): BrokerEvent[] {
  const str = (k: string): string => String(m[k] ?? "");
  if (m.e === "outboundAccountPosition") {
    const rows = (m.B ?? []) as { a: string; f: string; l: string }[];
    return [
      { kind: "balances", balances: rows.map((b) => ({ asset: b.a, free: trim(b.f), locked: trim(b.l) })) },
    ];
  }
  if (m.e !== "executionReport") return [];
  const symbol = host.symbolOf(str("s")) ?? str("s");
  const exec = str("x");
  const cid = exec === "CANCELED" && str("C") !== "" ? str("C") : str("c");
  const status: VenueOrderStatus =
    (
      { FILLED: "filled", CANCELED: "cancelled", REJECTED: "rejected", EXPIRED: "expired" } as Record<
        string,
        VenueOrderStatus
      >
    )[str("X")] ?? "open";
  const side = str("S") === "SELL" ? "sell" : "buy";
  const type = str("o") === "LIMIT" ? "limit" : "market";
  const out: BrokerEvent[] = [];
  if (exec === "TRADE")
    out.push({
      kind: "fill",
      fill: {
        venue: host.venue,
        tradeId: str("t"),
        venueOrderId: str("i"),
        clientOrderId: cid,
        symbol,
        side,
        quantity: trim(str("l")),
        price: trim(str("L")),
        fee: trim(str("n") || "0"),
        feeCurrency: str("N"),
        liquidity: m.m === true ? "maker" : "taker",
        ts: Number(m.T),
      },
    });
  out.push({
    kind: "order",
    order: {
      clientOrderId: cid,
      venueOrderId: str("i"),
      symbol,
      side,
      type,
      status,
      quantity: trim(str("q")),
      ...(type === "limit" ? { price: trim(str("p")) } : {}),
      filledQuantity: trim(str("z")),
      createdAt: Number(m.O),
      updatedAt: Number(m.T),
    },
  });
  return out;
}

/** "0.01000000" -> "0.01", "5.00000000" -> "5": the form ccxt's numbers take */
const trim = (d: string): DecimalString => (d.includes(".") ? d.replace(/0+$/, "").replace(/\.$/, "") : d);
