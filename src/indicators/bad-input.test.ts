// Invalid parameters raise INVALID_INPUT naming the parameter; caller outputs that are too short too
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import * as I from "./index.ts";

const x = Float64Array.from({ length: 50 }, (_v, i) => 100 + Math.sin(i));

function rejects(fn: () => unknown, param: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("INVALID_INPUT");
  expect((err as AppError).message).toContain(param);
  expect((err as AppError).message).not.toContain("\n");
}

describe("bad parameters", () => {
  it.each([
    ["sma period 0", () => I.sma(x, 0), "period"],
    ["ema period 1.5", () => I.ema(x, 1.5), "period"],
    ["rsi period 1", () => I.rsi(x, 1), "period"],
    ["atr period -3", () => I.atr(x, x, x, -3), "period"],
    ["stddev period NaN", () => I.stddev(x, Number.NaN), "period"],
    ["macd fast >= slow", () => I.macd(x, 26, 12, 9), "fast"],
    ["macd signal 0", () => I.macd(x, 12, 26, 0), "signal"],
    ["bollinger k -1", () => I.bollinger(x, 20, -1), "k"],
    ["stochastic dPeriod 0", () => I.stochastic(x, x, x, 14, 3, 0), "dPeriod"],
    ["ultimate p2 >= p3", () => I.ultimateOscillator(x, x, x, 7, 28, 14), "p2"],
    ["awesome fast >= slow", () => I.awesomeOscillator(x, x, 34, 5), "fast"],
    ["psar acceleration 2", () => I.psar(x, x, 2, 0.2), "acceleration"],
    ["supertrend multiplier NaN", () => I.supertrend(x, x, x, 10, Number.NaN), "multiplier"],
    ["ichimoku kijun 0", () => I.ichimoku(x, x, 9, 0, 52), "kijun"],
    [
      "realized volatility period 1",
      () => I.realizedVolatility({ open: x, high: x, low: x, close: x }, "parkinson", 1),
      "period",
    ],
    [
      "registry rsi period 1",
      () =>
        I.getIndicator("rsi").batch({ ts: x, open: x, high: x, low: x, close: x, volume: x }, { period: 1 }),
      '"period"',
    ],
    ["registry macd fast 30", () => I.getIndicator("macd").parse({ fast: 30 }), '"fast"'],
    ["registry unknown parameter", () => I.getIndicator("sma").parse({ perod: 3 }), "perod"],
    ["registry unknown indicator", () => I.getIndicator("nope"), "nope"],
    [
      "beta without a benchmark",
      () => I.getIndicator("beta").batch({ ts: x, open: x, high: x, low: x, close: x, volume: x }),
      "benchmark",
    ],
  ])("%s", (_name, fn, param) => rejects(fn, param));

  it("rejects a caller output shorter than the input, and mismatched input lengths", () => {
    rejects(() => I.sma(x, 5, new Float64Array(10)), "out");
    rejects(() => I.atr(x, x.subarray(1), x, 14), "length");
  });

  it("writes into caller-provided outputs without allocating new ones", () => {
    const out = new Float64Array(x.length);
    expect(I.rsi(x, 14, out)).toBe(out);
    const m = { macd: new Float64Array(50), signal: new Float64Array(50), hist: new Float64Array(50) };
    expect(I.macd(x, 12, 26, 9, m)).toBe(m);
    const given = { value: new Float64Array(50) };
    expect(
      I.getIndicator("ema").batch({ ts: x, open: x, high: x, low: x, close: x, volume: x }, {}, given).value,
    ).toBe(given.value);
  });
});
