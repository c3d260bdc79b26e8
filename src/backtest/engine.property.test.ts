// Properties of the engine over random bars, random decisions (targets and every order type) and random costs
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scripted, seriesOf } from "../../test/support/backtest-fixtures.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import type { Decision } from "../domain/decision.ts";
import type { OrderRequest } from "../domain/order.ts";
import { runEngine } from "./engine.ts";
import { defaultExecution, type ExecutionConfig } from "./types.ts";

const SYM = "BTC/USDT";

const barsArb = fc
  .integer({ min: 8, max: 60 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.double({ min: -0.06, max: 0.06, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -0.02, max: 0.02, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0, max: 0.03, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: n, maxLength: n }),
    ),
  );

const orderArb: fc.Arbitrary<OrderRequest> = fc
  .record({
    symbol: fc.constant(SYM),
    side: fc.constantFrom("buy" as const, "sell" as const),
    type: fc.constantFrom("market" as const, "limit" as const, "stop" as const, "stop-limit" as const),
    qty: fc.double({ min: 0.01, max: 80, noNaN: true }),
    rel: fc.double({ min: 0.9, max: 1.1, noNaN: true }),
    rel2: fc.double({ min: 0.9, max: 1.1, noNaN: true }),
    timeInForce: fc.constantFrom("gtc" as const, "ioc" as const, "fok" as const),
    reduceOnly: fc.boolean(),
  })
  .map((o) => ({
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: o.qty,
    // prices are relative to 100 and rescaled to the bar's close when the decision is made
    limitPrice: 100 * o.rel,
    stopPrice: 100 * o.rel2,
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
  }));

const decisionArb = fc.oneof(
  fc.constant(undefined),
  fc.record({ targets: fc.record({ [SYM]: fc.constantFrom(0, 0.25, 0.5, 1, -0.5, 2) }) }),
  fc.record({ orders: fc.array(orderArb, { minLength: 1, maxLength: 2 }) }),
);

const cfgArb: fc.Arbitrary<ExecutionConfig> = fc
  .record({
    fee: fc.double({ min: 0, max: 0.01, noNaN: true }),
    maker: fc.double({ min: 0, max: 0.01, noNaN: true }),
    slip: fc.double({ min: 0, max: 0.01, noNaN: true }),
    perp: fc.boolean(),
    leverage: fc.integer({ min: 1, max: 5 }),
    cap: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: undefined }),
    sl: fc.option(fc.double({ min: 0.01, max: 0.1, noNaN: true }), { nil: undefined }),
    tp: fc.option(fc.double({ min: 0.01, max: 0.2, noNaN: true }), { nil: undefined }),
    trail: fc.option(fc.double({ min: 0.01, max: 0.1, noNaN: true }), { nil: undefined }),
  })
  .map((r) =>
    defaultExecution({
      fee: r.fee,
      makerFee: r.maker,
      slippage: { kind: "fixed", rate: r.slip },
      market: r.perp ? "perp" : "spot",
      leverage: r.perp ? r.leverage : 1,
      fundingRate: 0.0001,
      ...(r.cap === undefined ? {} : { participationCap: r.cap }),
      exits: {
        ...(r.sl === undefined ? {} : { stopLoss: r.sl }),
        ...(r.tp === undefined ? {} : { takeProfit: r.tp }),
        ...(r.trail === undefined ? {} : { trailingStop: r.trail }),
      },
    }),
  );

function build(bars: [number[], number[], number[], number[]]) {
  const [ret, gap, wick, vol] = bars;
  const o: number[] = [];
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  let prev = 100;
  for (let i = 0; i < ret.length; i++) {
    const open = prev * (1 + gap[i]!);
    const close = open * (1 + ret[i]!);
    o.push(open);
    c.push(close);
    h.push(Math.max(open, close) * (1 + wick[i]!));
    l.push(Math.min(open, close) * (1 - wick[i]!));
    prev = close;
  }
  return seriesOf({ o, h, l, c, v: vol }, SYM, "4h");
}

/** Decisions scaled to the bar's close, so orders sit near the market */
function script(s: ReturnType<typeof build>, ds: (Decision | undefined)[]): Record<number, Decision> {
  const out: Record<number, Decision> = {};
  ds.forEach((d, i) => {
    if (d === undefined || i >= s.close.length) return;
    const k = s.close[i]! / 100;
    out[i] = {
      ...d,
      ...(d.orders === undefined
        ? {}
        : {
            orders: d.orders.map((o) => ({
              ...o,
              qty: o.qty / k,
              limitPrice: o.limitPrice! * k,
              stopPrice: o.stopPrice! * k,
            })),
          }),
    };
  });
  return out;
}

const caseArb = fc.tuple(barsArb, fc.array(decisionArb, { minLength: 60, maxLength: 60 }), cfgArb);

describe("engine properties", () => {
  it("equity = cash + marked positions; fees >= 0; fills inside their bar; spot cash never negative", () => {
    fc.assert(
      fc.property(caseArb, ([bars, ds, cfg]) => {
        const s = build(bars);
        const r = runEngine({ series: [s], strategy: scripted(script(s, ds)), config: cfg });
        for (let k = 0; k < r.equity.length; k++) {
          const marked = r.cash[k]! + r.positions[SYM]![k]! * s.close[k]!;
          expect(Math.abs(r.equity[k]! - marked)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(marked)));
          if (cfg.market === "spot") expect(r.cash[k]!).toBeGreaterThanOrEqual(-1e-9);
        }
        for (const f of r.fills) {
          expect(f.fee).toBeGreaterThanOrEqual(0);
          expect(f.qty).toBeGreaterThan(0);
          expect(f.price).toBeGreaterThanOrEqual(s.low[f.bar]! * (1 - 1e-12));
          expect(f.price).toBeLessThanOrEqual(s.high[f.bar]! * (1 + 1e-12));
        }
        expect(r.metrics.fees).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it("appending future bars never changes past fills, closed trades or equity", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0.3, max: 0.9, noNaN: true }), ([bars, ds, cfg], frac) => {
        const s = build(bars);
        const m = Math.max(2, Math.floor(s.ts.length * frac));
        const plan = script(s, ds);
        const full = runEngine({ series: [s], strategy: scripted(plan), config: cfg });
        const part = runEngine({ series: [sliceSeries(s, 0, m)], strategy: scripted(plan), config: cfg });
        expect(part.fills).toEqual(full.fills.filter((f) => f.bar < m));
        const closed = part.trades.filter((t) => t.exitReason !== "end-of-data");
        expect(closed).toEqual(full.trades.slice(0, closed.length));
        expect(Array.from(part.equity)).toEqual(Array.from(full.equity.subarray(0, m)));
      }),
      { numRuns: 200 },
    );
  });
});
