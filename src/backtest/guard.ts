/**
 * The guard around user strategy code: it hands over copies (the user cannot corrupt the engine's
 * arrays), copies and validates what comes back, and turns any throw into STRATEGY_FAILED naming
 * the bar and the message.
 */
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { Decision, ExitRules } from "../domain/decision.ts";
import type { OrderRequest } from "../domain/order.ts";
import { AppError } from "../errors.ts";
import type { PreparedData, Strategy, StrategyContext } from "../strategies/types.ts";

const copySeries = (s: CandleSeries): CandleSeries => ({
  exchange: s.exchange,
  symbol: s.symbol,
  timeframe: s.timeframe,
  ts: s.ts.slice(),
  open: s.open.slice(),
  high: s.high.slice(),
  low: s.low.slice(),
  close: s.close.slice(),
  volume: s.volume.slice(),
});

const iso = (ts: number): string => (Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts));
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function failed(name: string, where: string, e: unknown, details: Record<string, unknown> = {}): AppError {
  if (e instanceof AppError && e.code === "STRATEGY_FAILED") return e;
  return new AppError("STRATEGY_FAILED", `strategy ${name} failed ${where}: ${messageOf(e)}`, {
    cause: e,
    details,
  });
}

/** Wraps a strategy so every call into it is guarded */
export function guardStrategy(inner: Strategy, name: string = inner.id): Strategy {
  let own: Record<string, CandleSeries> = {};
  const warmup = inner.warmup;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new AppError(
      "STRATEGY_FAILED",
      `strategy ${name}: warmup must be an integer >= 0, got ${String(warmup)}`,
    );
  const guarded: Strategy = {
    id: String(inner.id),
    warmup,
    prepare(data: PreparedData): void {
      own = {};
      for (const [k, s] of Object.entries(data.series)) own[k] = copySeries(s);
      try {
        inner.prepare?.({ timeframe: data.timeframe, series: { ...own } });
      } catch (e) {
        throw failed(name, "in prepare", e);
      }
    },
    onBar(ctx: StrategyContext): Decision | undefined {
      const first = ctx.symbols[0]!;
      const view: StrategyContext = {
        bar: ctx.bar,
        ts: ctx.ts,
        timeframe: ctx.timeframe,
        symbols: [...ctx.symbols],
        warmingUp: ctx.warmingUp,
        equity: ctx.equity,
        cash: ctx.cash,
        // views of the guard's own copy, cut at the current bar
        series: (symbol) => {
          const s = own[symbol ?? first];
          return s === undefined ? ctx.series(symbol) : sliceSeries(s, 0, ctx.bar + 1);
        },
        higher: (tf, symbol) => copySeries(ctx.higher(tf, symbol)),
        position: (symbol) => ctx.position(symbol),
        target: (symbol) => ctx.target(symbol),
        // copies: the strategy cannot reach the venue's own records
        ...(ctx.openOrders === undefined
          ? {}
          : { openOrders: (symbol?: string) => ctx.openOrders!(symbol).map((o) => ({ ...o })) }),
      };
      let d: Decision | undefined;
      try {
        d = inner.onBar(view);
      } catch (e) {
        throw failed(name, `at bar ${ctx.bar} (${iso(ctx.ts)})`, e, { bar: ctx.bar, ts: ctx.ts });
      }
      try {
        return copyDecision(d);
      } catch (e) {
        throw failed(name, `at bar ${ctx.bar} (${iso(ctx.ts)})`, e, { bar: ctx.bar, ts: ctx.ts });
      }
    },
  };
  if (inner.higherTimeframes !== undefined)
    return { ...guarded, higherTimeframes: [...inner.higherTimeframes] };
  return guarded;
}

function num(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`${what} must be a finite number, got ${String(v)}`);
  return v;
}

/** A validated deep copy of a decision; throws on anything malformed */
export function copyDecision(d: unknown): Decision | undefined {
  if (d === undefined || d === null) return undefined;
  if (typeof d !== "object") throw new Error(`onBar must return an object or nothing, got ${typeof d}`);
  const src = d as Record<string, unknown>;
  const out: Decision = {};
  if (src.targets !== undefined) {
    const t: Record<string, number> = {};
    for (const [k, v] of Object.entries(src.targets as object)) t[k] = num(v, `targets["${k}"]`);
    out.targets = t;
  }
  if (src.orders !== undefined) {
    if (!Array.isArray(src.orders)) throw new Error("orders must be an array");
    out.orders = src.orders.map((o: Record<string, unknown>, i: number) => copyOrder(o, i));
  }
  if (src.exits !== undefined) {
    const e: Record<string, ExitRules> = {};
    for (const [k, v] of Object.entries(src.exits as Record<string, Record<string, unknown>>)) {
      const r: ExitRules = {};
      if (v.stopLoss !== undefined) r.stopLoss = num(v.stopLoss, `exits.${k}.stopLoss`);
      if (v.takeProfit !== undefined) r.takeProfit = num(v.takeProfit, `exits.${k}.takeProfit`);
      if (v.trailingStop !== undefined) r.trailingStop = num(v.trailingStop, `exits.${k}.trailingStop`);
      e[k] = r;
    }
    out.exits = e;
  }
  if (src.reason !== undefined) out.reason = String(src.reason);
  if (src.values !== undefined) {
    const v: Record<string, number> = {};
    for (const [k, x] of Object.entries(src.values as object)) v[k] = typeof x === "number" ? x : Number.NaN;
    out.values = v;
  }
  return out;
}

const TYPES = new Set(["market", "limit", "stop", "stop-limit"]);
const TIFS = new Set(["gtc", "ioc", "fok"]);

function copyOrder(o: Record<string, unknown>, i: number): OrderRequest {
  const w = `orders[${i}]`;
  if (typeof o !== "object" || o === null) throw new Error(`${w} must be an object`);
  if (typeof o.symbol !== "string") throw new Error(`${w}.symbol must be a string`);
  if (o.side !== "buy" && o.side !== "sell") throw new Error(`${w}.side must be "buy" or "sell"`);
  if (typeof o.type !== "string" || !TYPES.has(o.type))
    throw new Error(`${w}.type must be market, limit, stop or stop-limit`);
  const r: OrderRequest = {
    symbol: o.symbol,
    side: o.side,
    type: o.type as OrderRequest["type"],
    qty: num(o.qty, `${w}.qty`),
  };
  if (o.limitPrice !== undefined) r.limitPrice = num(o.limitPrice, `${w}.limitPrice`);
  if (o.stopPrice !== undefined) r.stopPrice = num(o.stopPrice, `${w}.stopPrice`);
  if (o.timeInForce !== undefined) {
    if (typeof o.timeInForce !== "string" || !TIFS.has(o.timeInForce))
      throw new Error(`${w}.timeInForce must be gtc, ioc or fok`);
    r.timeInForce = o.timeInForce as OrderRequest["timeInForce"] & string;
  }
  if (o.expireAfterBars !== undefined) r.expireAfterBars = num(o.expireAfterBars, `${w}.expireAfterBars`);
  if (o.reduceOnly !== undefined) r.reduceOnly = o.reduceOnly === true;
  if (o.tag !== undefined) r.tag = String(o.tag);
  return r;
}

/**
 * Turns a user's module into a strategy factory. The module exports `createStrategy(params)`, or a
 * `strategy` object, or either as its default export.
 */
export function strategyFactoryFromModule(
  mod: unknown,
  name: string,
): (params: Record<string, unknown>) => Strategy {
  const m = (mod ?? {}) as Record<string, unknown>;
  const def = m.default as Record<string, unknown> | ((p: unknown) => unknown) | undefined;
  const create =
    typeof m.createStrategy === "function"
      ? (m.createStrategy as (p: unknown) => unknown)
      : typeof def === "function"
        ? def
        : undefined;
  const obj = (m.strategy ?? (typeof def === "object" ? def : undefined)) as
    | Record<string, unknown>
    | undefined;
  if (create === undefined && (obj === undefined || typeof obj.onBar !== "function"))
    throw new AppError(
      "STRATEGY_FAILED",
      `${name}: export createStrategy(params) or a strategy object with onBar(ctx) (see src/backtest/README.md)`,
    );
  return (params) => {
    let s: unknown;
    try {
      s = create !== undefined ? create(params) : obj;
    } catch (e) {
      throw failed(name, "while being created", e);
    }
    const st = s as Partial<Strategy> | undefined;
    if (st === undefined || typeof st.onBar !== "function")
      throw new AppError("STRATEGY_FAILED", `${name}: createStrategy must return an object with onBar(ctx)`);
    const inner: Strategy = {
      id: typeof st.id === "string" ? st.id : name,
      warmup: st.warmup ?? 0,
      onBar: st.onBar.bind(st),
      ...(typeof st.prepare === "function" ? { prepare: st.prepare.bind(st) } : {}),
      ...(st.higherTimeframes !== undefined ? { higherTimeframes: st.higherTimeframes } : {}),
    };
    return guardStrategy(inner, name);
  };
}
