// The market clock drives the replay: whenever it passes a bar's close, that bar of every market is
// handed to the venue, whose fills land in the ledger (split into parts when the seed says so) and
// whose closed candles go out on the kline streams
import { timeframeMs } from "../../domain/timeframe.ts";
import type { FaultPlan } from "./faults.ts";
import type { Ledger, SimOrder } from "./ledger.ts";
import type { SimMarket } from "./markets.ts";
import type { Matcher, MatchFill } from "./matcher.ts";
import { feeOn, type SimFees } from "./orders.ts";
import type { Streams } from "./streams.ts";
import { floorTo, formatUnits, mulUnits, SCALE, toNumber, unitsOf } from "./units.ts";

/** a replayed price as Binance writes it, 8 decimals */
const px = (x: number): string => formatUnits(unitsOf(x));

interface Cursor {
  market: SimMarket;
  matcher: Matcher;
  /** next bar index of the finest series to close */
  next: number;
  tfMs: number;
  /** per replayed timeframe, the next bar to announce on its kline stream */
  klineNext: number[];
  /** market orders handed to the venue and not yet through their bar */
  markets: Set<SimOrder>;
}

export class Replay {
  private readonly cursors: Cursor[] = [];
  // every create looks its market up (reference price, ended, submit): by key, not a scan of the
  // markets; the first cursor of a key wins, as the scans it replaces found it
  private readonly byId = new Map<string, Cursor>();
  private readonly byMarket = new Map<SimMarket, Cursor>();
  /**
   * the earliest market time at which a bar closes or a candle is due on a kline stream; the
   * exchange syncs on every request, and before this time `advance` has nothing to do
   */
  private nextDue = Number.NEGATIVE_INFINITY;

  constructor(
    markets: Iterable<SimMarket>,
    makeMatcher: (m: SimMarket) => Matcher,
    private readonly ledger: Ledger,
    private readonly fees: SimFees,
    private readonly faults: FaultPlan,
    private readonly streams: Streams,
    start: number,
  ) {
    for (const m of markets) {
      const s = m.series[0]!;
      const tfMs = timeframeMs(s.timeframe);
      // bars that closed before the start are history: never matched
      let next = 0;
      while (next < s.ts.length && s.ts[next]! + tfMs <= start) next++;
      const klineNext = m.series.map((x) => {
        const ms = timeframeMs(x.timeframe);
        let k = 0;
        while (k < x.ts.length && x.ts[k]! + ms <= start) k++;
        return k;
      });
      const c: Cursor = { market: m, matcher: makeMatcher(m), next, tfMs, klineNext, markets: new Set() };
      this.cursors.push(c);
      if (!this.byId.has(m.id)) this.byId.set(m.id, c);
      if (!this.byMarket.has(m)) this.byMarket.set(m, c);
    }
  }

  matcherOf(symbolId: string): Matcher | undefined {
    return this.byId.get(symbolId)?.matcher;
  }

  /** Hands an accepted order to its market's venue */
  submit(o: SimOrder): void {
    const c = this.byId.get(o.symbol)!;
    if (o.type === "MARKET") c.markets.add(o);
    c.matcher.submit({
      id: o.orderId,
      side: o.side === "BUY" ? "buy" : "sell",
      type: o.type === "MARKET" ? "market" : "limit",
      qty: toNumber(o.origQty),
      ...(o.type === "LIMIT" ? { limitPrice: toNumber(o.price) } : {}),
      timeInForce: o.timeInForce === "GTC" ? "gtc" : o.timeInForce === "IOC" ? "ioc" : "fok",
    });
  }

  /** True once every bar of the market's series has closed */
  ended(m: SimMarket): boolean {
    const c = this.byMarket.get(m)!;
    return c.next >= m.series[0]!.ts.length;
  }

  /** The price market-order checks use: the open of the bar in progress, else the last close */
  refPrice(m: SimMarket, now: number): bigint {
    const c = this.byMarket.get(m)!;
    const s = m.series[0]!;
    const i = Math.min(c.next, s.ts.length - 1);
    return unitsOf(s.ts[i]! <= now ? s.open[i]! : s.close[Math.max(0, i - 1)]!);
  }

  /** True when `advance(now)` would close a bar or announce a candle */
  due(now: number): boolean {
    return now >= this.nextDue;
  }

  /** Closes, in time order, every bar whose close is at or before `now` */
  advance(now: number): void {
    if (now < this.nextDue) return;
    for (;;) {
      let bestClose = Number.POSITIVE_INFINITY;
      for (const c of this.cursors) {
        const s = c.market.series[0]!;
        if (c.next >= s.ts.length) continue;
        const close = s.ts[c.next]! + c.tfMs;
        if (close <= now && close < bestClose) bestClose = close;
      }
      if (bestClose === Number.POSITIVE_INFINITY) break;
      // every market whose bar closes at this instant is matched together, so that, as in the
      // backtest, sells free cash before buys spend it
      const closing = this.cursors.filter((c) => {
        const s = c.market.series[0]!;
        return c.next < s.ts.length && s.ts[c.next]! + c.tfMs === bestClose;
      });
      const outcomes = closing.map((c) => ({ c, out: c.matcher.closeBar(c.next) }));
      for (const side of ["SELL", "BUY"] as const)
        for (const { c, out } of outcomes) for (const f of out.fills) this.applyFill(c, f, side, bestClose);
      for (const { c, out } of outcomes) this.finish(c, out.expired, bestClose);
      for (const c of closing) c.next++;
    }
    for (const c of this.cursors) this.announceKlines(c, now);
    // only this method moves the cursors, so what is due next is known until it runs again
    let due = Number.POSITIVE_INFINITY;
    for (const c of this.cursors) {
      const s = c.market.series[0]!;
      if (c.next < s.ts.length) due = Math.min(due, s.ts[c.next]! + c.tfMs);
      c.market.series.forEach((x, j) => {
        const k = c.klineNext[j]!;
        if (k < x.ts.length) due = Math.min(due, x.ts[k]! + timeframeMs(x.timeframe));
      });
    }
    this.nextDue = due;
  }

  private applyFill(c: Cursor, fill: MatchFill, side: "BUY" | "SELL", closeTime: number): void {
    const o = this.ledger.order(fill.id);
    if (o === undefined || o.side !== side || !this.ledger.isOpen(o)) return;
    const m = c.market;
    const price = unitsOf(fill.price);
    let qty = floorTo(unitsOf(fill.qty), m.stepSize);
    const left = o.origQty - o.executedQty;
    if (qty > left) qty = left;
    const ppm = fill.maker ? this.fees.makerPpm : this.fees.takerPpm;
    if (o.side === "BUY") {
      // the spot cash cap of the backtest: never pay more than the order's reserve plus free quote
      const have = o.lockLeft + this.ledger.balance(o.quote).free;
      const perUnit = price + feeOn(price, ppm);
      const most = floorTo((have * SCALE) / perUnit, m.stepSize);
      if (qty > most) qty = most;
    } else {
      const have = o.lockLeft + this.ledger.balance(o.base).free;
      if (qty > have) qty = floorTo(have, m.stepSize);
    }
    if (qty <= 0n) return;
    const parts = Number(qty / m.stepSize) >= 2 ? this.faults.parts() : 1;
    let done = 0n;
    for (let k = 0; k < parts; k++) {
      const q = k === parts - 1 ? qty - done : floorTo(qty / BigInt(parts), m.stepSize);
      if (q <= 0n) continue;
      done += q;
      this.ledger.fill(o, q, price, feeOn(mulUnits(price, q), ppm), fill.maker, closeTime);
    }
  }

  /**
   * Orders the venue is done with but the ledger still holds open (the rest a balance cap kept
   * back, an IOC/FOK remainder, a market order its bar could not fill) end expired, like Binance's
   */
  private finish(c: Cursor, finished: readonly number[], closeTime: number): void {
    for (const id of finished) {
      const o = this.ledger.order(id);
      if (o === undefined || !this.ledger.isOpen(o)) continue;
      c.matcher.cancel(o.orderId);
      this.ledger.close(o, "EXPIRED", closeTime);
    }
    for (const o of c.markets) {
      if (o.time >= closeTime) continue;
      c.markets.delete(o);
      if (!this.ledger.isOpen(o)) continue;
      c.matcher.cancel(o.orderId);
      this.ledger.close(o, "EXPIRED", closeTime);
    }
  }

  private announceKlines(c: Cursor, now: number): void {
    c.market.series.forEach((s, j) => {
      const ms = timeframeMs(s.timeframe);
      for (let k = c.klineNext[j]!; k < s.ts.length && s.ts[k]! + ms <= now; k++) {
        const stream = `${c.market.id.toLowerCase()}@kline_${s.timeframe}`;
        this.streams.kline(stream, {
          e: "kline",
          E: s.ts[k]! + ms,
          s: c.market.id,
          k: {
            t: s.ts[k]!,
            T: s.ts[k]! + ms - 1,
            s: c.market.id,
            i: s.timeframe,
            o: px(s.open[k]!),
            c: px(s.close[k]!),
            h: px(s.high[k]!),
            l: px(s.low[k]!),
            v: px(s.volume[k]!),
            x: true,
          },
        });
        c.klineNext[j] = k + 1;
      }
    });
  }
}
