import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { allocSeries, type CandleSeries } from "../../domain/candle-series.ts";
import type { ExitRules } from "../../domain/decision.ts";
import { FAMILIES } from "../../strategies/registry.ts";
import { runEngine } from "../engine.ts";
import type { BacktestResult } from "../types.ts";
import { defaultExecution } from "../types.ts";
import { sweepDetail } from "./detail.ts";
import { expandGrid, parseParamAxis } from "./grid.ts";
import { prepareSweep, RESULT_STRIDE, runSweepRange, type SweepRow, simConfigOf, sweep } from "./sweep.ts";

const near = (a: number, b: number, tol = 1e-9): boolean =>
  a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

/** A random OHLC walk: gaps between close and next open, wicks, flat stretches (ties between lines) */
const seriesArb = fc
  .record({
    n: fc.integer({ min: 20, max: 260 }),
    seed: fc.array(fc.double({ min: -0.04, max: 0.04, noNaN: true }), { minLength: 260, maxLength: 260 }),
    gap: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    flatEvery: fc.integer({ min: 0, max: 7 }),
  })
  .map(({ n, seed, gap, flatEvery }): CandleSeries => {
    const s = {
      exchange: "test",
      symbol: "T/USD",
      timeframe: "1h" as const,
      ts: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n).fill(1),
    };
    let c = 100;
    for (let i = 0; i < n; i++) {
      const r = seed[i]!;
      const flat = flatEvery > 0 && i % (flatEvery + 3) < flatEvery;
      const o = flat ? c : c * (1 + gap * Math.sign(r) * Math.abs(seed[(i * 7) % 260]!) * 10);
      const cl = flat ? c : o * (1 + r);
      s.ts[i] = 1_600_000_000_000 + i * 3_600_000;
      s.open[i] = o;
      s.close[i] = cl;
      s.high[i] = Math.max(o, cl) * (1 + Math.abs(seed[(i * 13) % 260]!) / 4);
      s.low[i] = Math.min(o, cl) * (1 - Math.abs(seed[(i * 17) % 260]!) / 4);
      c = cl;
    }
    return s;
  });

const paramsArb: Record<string, fc.Arbitrary<Record<string, number | boolean>>> = {
  "sma-cross": fc
    .tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 30 }))
    .map(([f, d]) => ({ fast: f, slow: f + d, short: false })),
  "ema-cross": fc
    .tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 30 }))
    .map(([f, d]) => ({ fast: f, slow: f + d, short: false })),
  "rsi-reversion": fc
    .tuple(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 10, max: 45 }), fc.integer({ min: 1, max: 40 }))
    .map(([period, lower, d]) => ({ period, lower, upper: lower + d })),
  "donchian-breakout": fc
    .tuple(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 30 }))
    .map(([entry, exit]) => ({ entry, exit })),
};

const costArb = fc.record({
  fee: fc.constantFrom(0, 0.001, 0.0025),
  makerFee: fc.constantFrom(undefined, 0.0002),
  slippage: fc.constantFrom(0, 0.0005, 0.003),
  fraction: fc.constantFrom(1, 0.5),
  stopLoss: fc.constantFrom(undefined, undefined, 0.01, 0.03),
  takeProfit: fc.constantFrom(undefined, undefined, 0.02, 0.06),
  trailingStop: fc.constantFrom(undefined, undefined, 0.015, 0.04),
  cooldownBars: fc.constantFrom(0, 0, 3),
});

function expectSameRun(ev: BacktestResult, row: SweepRow, where: string): void {
  const m = ev.metrics;
  for (const [k, a, b] of [
    ["totalReturn", m.totalReturn, row.totalReturn],
    ["sharpe", m.sharpe, row.sharpe],
    ["maxDrawdown", m.maxDrawdown, row.maxDrawdown],
    ["finalEquity", m.finalEquity, row.finalEquity],
    ["trades", m.trades, row.trades],
  ] as const)
    if (!near(a, b)) throw new Error(`${where}: ${k} event ${a} vs sweep ${b}`);
}

describe("sweep engine agrees with the event engine", () => {
  for (const name of Object.keys(paramsArb)) {
    it(`${name}: same equity, trades and metrics to 1e-9 on random data and parameters`, () => {
      const family = FAMILIES[name]!;
      const exitsSeen = new Set<string>();
      fc.assert(
        fc.property(seriesArb, paramsArb[name]!, costArb, (s, p, cost) => {
          const exits: ExitRules = {};
          if (cost.stopLoss !== undefined) exits.stopLoss = cost.stopLoss;
          if (cost.takeProfit !== undefined) exits.takeProfit = cost.takeProfit;
          if (cost.trailingStop !== undefined) exits.trailingStop = cost.trailingStop;
          const exec = defaultExecution({
            fee: cost.fee,
            ...(cost.makerFee === undefined ? {} : { makerFee: cost.makerFee }),
            slippage: { kind: "fixed", rate: cost.slippage },
            sizing: { kind: "fixed-fraction", fraction: cost.fraction },
            exits,
            cooldownBars: cost.cooldownBars,
          });
          const sim = simConfigOf(exec, s.timeframe);
          const ev = runEngine({ series: [s], strategy: family.create(p), config: exec });
          const [fast] = sweep(s, family, [p], sim);
          const [general] = sweep(s, family, [p], sim, { general: true });
          expectSameRun(ev, fast!, "fast path");
          expectSameRun(ev, general!, "general path");
          const d = sweepDetail(s, family, p, sim);
          for (let i = 0; i < s.close.length; i++)
            if (!near(d.equity[i]!, ev.equity[i]!))
              throw new Error(`equity at bar ${i}: ${d.equity[i]} vs ${ev.equity[i]}`);
          expect(d.trades.length).toBe(ev.trades.length);
          for (const t of ev.trades) exitsSeen.add(t.exitReason);
          d.trades.forEach((t, k) => {
            const e = ev.trades[k]!;
            const why = (r: string): string =>
              ["stop-loss", "take-profit", "trailing-stop", "end-of-data"].includes(r) ? r : "signal";
            expect([t.entryTs, t.exitTs, t.bars, t.side, why(t.exitReason)]).toEqual([
              e.entryTs,
              e.exitTs,
              e.bars,
              e.side,
              why(e.exitReason),
            ]);
            for (const f of [
              "entryPrice",
              "exitPrice",
              "qty",
              "fees",
              "pnl",
              "returnPct",
              "mae",
              "mfe",
            ] as const)
              if (!near(t[f], e[f])) throw new Error(`trade ${k} ${f}: ${t[f]} vs ${e[f]}`);
          });
          for (const f of [
            "sharpe",
            "sortino",
            "maxDrawdown",
            "winRate",
            "exposure",
            "turnover",
            "fees",
          ] as const)
            if (!near(d.metrics[f], ev.metrics[f]))
              throw new Error(`metric ${f}: ${d.metrics[f]} vs ${ev.metrics[f]}`);
        }),
        { numRuns: 40, seed: 5 },
      );
      // the runs exercised the stops, not only signal exits
      for (const r of ["stop-loss", "take-profit", "trailing-stop"]) expect(exitsSeen).toContain(r);
    });
  }

  it("every family on bundled BTC/USDT 1h (10,000 bars): event engine = fast path = general path", () => {
    const full = loadBundledSeries("binance", "BTC/USDT", "1h");
    const s = {
      ...full,
      ...Object.fromEntries(
        (["ts", "open", "high", "low", "close", "volume"] as const).map((k) => [
          k,
          full[k].subarray(0, 10_000),
        ]),
      ),
    } as CandleSeries;
    const exec = defaultExecution({ fee: 0.001, slippage: { kind: "fixed", rate: 0.0005 } });
    const sim = simConfigOf(exec, "1h");
    const cases: [string, Record<string, number | boolean>][] = [
      ["sma-cross", { fast: 10, slow: 50, short: false }],
      ["ema-cross", { fast: 12, slow: 26, short: false }],
      ["rsi-reversion", { period: 14, lower: 30, upper: 70 }],
      ["donchian-breakout", { entry: 20, exit: 10 }],
    ];
    for (const [name, p] of cases) {
      const family = FAMILIES[name]!;
      const ev = runEngine({ series: [s], strategy: family.create(p), config: exec });
      expectSameRun(ev, sweep(s, family, [p], sim)[0]!, `${name} fast`);
      expectSameRun(ev, sweep(s, family, [p], sim, { general: true })[0]!, `${name} general`);
      expect(ev.metrics.trades).toBeGreaterThan(20);
    }
  });

  it("fast (tiled, per-trade) path = general per-bar path on every combination of a bundled grid", () => {
    const s = loadBundledSeries("binance", "ETH/USDT", "1h");
    const sim = simConfigOf(defaultExecution({ slippage: { kind: "fixed", rate: 0.0005 } }), "1h");
    for (const [name, axes] of [
      ["sma-cross", ["fast=2..40:3", "slow=5..200:15"]],
      ["ema-cross", ["fast=3..30:9", "slow=20..120:25"]],
    ] as const) {
      const family = FAMILIES[name]!;
      const params = expandGrid(family, axes.map(parseParamAxis));
      const a = sweep(s, family, params, sim);
      const b = sweep(s, family, params, sim, { general: true });
      a.forEach((r, j) => {
        expectSameRun({ metrics: b[j]! } as never, r, `${name} ${JSON.stringify(r.params)}`);
      });
    }
  });

  it("results do not depend on how the combinations are split into ranges", () => {
    const s = loadBundledSeries("binance", "ETH/USDT", "1h");
    const family = FAMILIES["sma-cross"]!;
    const params = expandGrid(family, ["fast=5..20:5", "slow=30..90:30"].map(parseParamAxis));
    const sim = simConfigOf(defaultExecution(), "1h");
    const ctx = prepareSweep(s, family, params, sim);
    const whole = new Float64Array(params.length * RESULT_STRIDE);
    runSweepRange(ctx, 0, params.length, whole);
    const parts = new Float64Array(params.length * RESULT_STRIDE);
    for (let j = params.length - 1; j >= 0; j--) runSweepRange(ctx, j, j + 1, parts);
    expect(Array.from(parts)).toEqual(Array.from(whole));
    const combs = new Float64Array(params.length * RESULT_STRIDE);
    for (let i = 0; i < 3; i++) runSweepRange(ctx, i, params.length, combs, { step: 3 });
    expect(Array.from(combs)).toEqual(Array.from(whole));
  });

  it("refuses execution features the sweep does not model, naming the way out", () => {
    expect(() => simConfigOf(defaultExecution({ market: "perp", leverage: 2 }), "1h")).toThrow(
      /market perp.*kairos backtest/,
    );
    expect(() => simConfigOf(defaultExecution({ maxDrawdownStop: 0.2 }), "1h")).toThrow(/drawdown stop/);
  });
});

describe("fast path = general path on long random walks (drawdown block skips, tile seams)", () => {
  it("holds for sma-cross on up to 6,000 bars", () => {
    const family = FAMILIES["sma-cross"]!;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 300, max: 6000 }),
        fc.constantFrom(0, 0.001),
        (seed, n, fee) => {
          let x = seed;
          const rnd = (): number => {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            return x / 2 ** 32;
          };
          const s = allocSeries({ exchange: "t", symbol: "T/USD", timeframe: "1h" }, n);
          let c = 50;
          for (let i = 0; i < n; i++) {
            const o = c;
            c = o * (1 + (rnd() - 0.5) * 0.06);
            s.open[i] = o;
            s.close[i] = c;
            s.high[i] = Math.max(o, c) * 1.01;
            s.low[i] = Math.min(o, c) * 0.99;
            s.ts[i] = i * 3_600_000;
          }
          const sim = simConfigOf(defaultExecution({ fee }), "1h");
          const params = expandGrid(family, ["fast=2..30:7", "slow=10..300:40"].map(parseParamAxis));
          const a = sweep(s, family, params, sim);
          const b = sweep(s, family, params, sim, { general: true });
          a.forEach((r, j) => {
            const g = b[j]!;
            for (const k of ["totalReturn", "sharpe", "maxDrawdown", "trades", "finalEquity"] as const)
              if (!near(r[k], g[k])) throw new Error(`${JSON.stringify(r.params)} ${k}: ${r[k]} vs ${g[k]}`);
            // drawdown takes no shortcut at all: bit-identical
            expect(r.maxDrawdown).toBe(g.maxDrawdown);
          });
        },
      ),
      { numRuns: 25, seed: 11 },
    );
  });
});

describe("every registered family runs in the sweep", () => {
  it("gives the event engine's figures with its default parameters on bundled BTC/USDT 1d", () => {
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const exec = defaultExecution({ slippage: { kind: "fixed", rate: 0.0005 } });
    const sim = simConfigOf(exec, "1d");
    for (const [name, family] of Object.entries(FAMILIES)) {
      const p = family.params.parse({}) as Record<string, number | boolean>;
      const ev = runEngine({ series: [s], strategy: family.create(p), config: exec });
      expectSameRun(ev, sweep(s, family, [p], sim)[0]!, name);
    }
  });
});
