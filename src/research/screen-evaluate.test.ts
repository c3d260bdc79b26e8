import { describe, expect, it } from "vitest";
import type { CandleSeries } from "../domain/candle-series.ts";
import { createRng } from "../domain/random.ts";
import { macdFamily } from "../strategies/macd/strategy.ts";
import { prepareScreenData } from "./screen-data.ts";
import { allocScratch, evaluateVariant, screenLayout } from "./screen-evaluate.ts";
import { simulateExposure } from "./simulate.ts";
import { moments, sharpePerBar } from "./stats.ts";
import { defaultValidationConfig } from "./validation-config.ts";

const HOUR = 3_600_000;
function walk(seed: number, symbol: string, n: number, start: number): CandleSeries {
  const r = createRng(seed);
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  let c = 100;
  for (let i = 0; i < n; i++) {
    open[i] = c;
    c *= Math.exp(0.01 * r.normal());
    close[i] = c;
  }
  const high = close.map((x, i) => Math.max(x, open[i]!) * 1.001);
  const low = close.map((x, i) => Math.min(x, open[i]!) * 0.999);
  return {
    exchange: "t",
    symbol,
    timeframe: "1h",
    ts: close.map((_, i) => start + i * HOUR),
    open,
    high,
    low,
    close,
    volume: close,
  };
}

describe("evaluateVariant", () => {
  it("reduces a variant's curve to the same figures computed directly, for a symbol listed late", () => {
    const a = walk(1, "A/USDT", 1200, 0);
    const b = walk(2, "B/USDT", 700, 500 * HOUR); // joins at clock bar 500
    const c = defaultValidationConfig();
    const data = prepareScreenData([a, b]);
    const layout = screenLayout(data.clock.length, c);
    expect(layout.oosStart).toBe(200);
    const p = { fast: 8, slow: 21, signal: 5 };
    const st = evaluateVariant(
      data,
      layout,
      macdFamily,
      { family: "macd", params: p, symbol: "B/USDT" },
      c,
      allocScratch(1200),
    );
    // direct: simulate B on its own bars; OOS = its bars at clock >= 200, i.e. all 700
    const sim = simulateExposure(b.open, b.close, macdFamily.exposures(b, p), {
      fee: c.fee,
      slippage: c.slippage,
    });
    const m = moments(sim.returns);
    expect(st.oos.bars).toBe(700);
    expect(st.oos.sharpe).toBeCloseTo(m.mean / m.sd, 12);
    expect(st.oos.skew).toBeCloseTo(m.skew, 10);
    // walk-forward fold 5 tests clock bars [1000, 1200) = B's own bars [500, 700)
    expect(st.wfAnchored[4]![1]).toBeCloseTo(sharpePerBar(sim.returns, 500, 700), 12);
    // PBO block 15 (bars 1125..1200) holds B's returns 625..700
    let s = 0;
    for (let i = 625; i < 700; i++) s += sim.returns[i]!;
    expect(st.blockSum[15]).toBeCloseTo(s, 12);
    expect(st.cpcv).toHaveLength(15);
    expect(st.oos.trades).toBe(sim.trades.count);
    expect(st.tradeDurations.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(700);
  });
});
