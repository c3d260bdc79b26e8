import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { readGoldenJson } from "../../test/support/golden.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { createRng } from "../domain/random.ts";
import { rsi } from "../indicators/rsi.ts";
import { sma } from "../indicators/sma.ts";
import { type ExplainMember, explainSignal } from "./explain-signal.ts";
import { conditionText, explanationParagraph } from "./paragraph.ts";
import type { SignalExplanation } from "./types.ts";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "../../test/golden/explain-signals.json");

/** Long while SMA fast > SMA slow, the rule the sma-cross describer assumes */
const smaCross = (fast: number, slow: number) => (s: CandleSeries) => {
  const f = sma(s.close, fast);
  const sl = sma(s.close, slow);
  return Float64Array.from(f, (v, t) => (v > sl[t]! ? 1 : 0));
};
/** Long from RSI below `lower` until it rises above `upper` */
const rsiBands = (period: number, lower: number, upper: number) => (s: CandleSeries) => {
  const r = rsi(s.close, period);
  const out = new Float64Array(r.length);
  let e = 0;
  for (let t = 0; t < r.length; t++) {
    if (r[t]! < lower) e = 1;
    else if (r[t]! > upper) e = 0;
    out[t] = e;
  }
  return out;
};

function member(
  id: string,
  family: string,
  params: Record<string, number>,
  weight: number,
  fn: (s: CandleSeries) => Float64Array,
  s: CandleSeries,
): ExplainMember {
  return { id, family, params, weight, exposure: fn(s), exposures: fn };
}

function synthetic(seed: number, n: number): CandleSeries {
  const rng = createRng(seed);
  const close = new Float64Array(n);
  let p = 1000;
  for (let t = 0; t < n; t++) close[t] = p *= Math.exp(0.0005 + 0.02 * rng.normal());
  const open = Float64Array.from(close, (c, t) => (t === 0 ? c : close[t - 1]!));
  return {
    exchange: "test",
    symbol: "SYN/USD",
    timeframe: "1d",
    ts: Float64Array.from({ length: n }, (_, t) => Date.UTC(2024, 0, 1) + t * 86_400_000),
    open,
    high: Float64Array.from(close, (c, t) => Math.max(c, open[t]!) * 1.01),
    low: Float64Array.from(close, (c, t) => Math.min(c, open[t]!) * 0.99),
    close,
    volume: new Float64Array(n).fill(1),
  };
}

function cases(): Record<string, SignalExplanation> {
  const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
  const btc = loadBundledSeries("binance", "BTC/USDT", "1d");
  const syn = synthetic(42, 400);
  const build = (s: CandleSeries) => {
    const ms = [
      member("a", "sma-cross", { fast: 10, slow: 40 }, 0.3, smaCross(10, 40), s),
      member("b", "sma-cross", { fast: 20, slow: 100 }, 0.2, smaCross(20, 100), s),
      member("c", "rsi-reversion", { period: 14, lower: 30, upper: 70 }, 0.15, rsiBands(14, 30, 70), s),
      member("d", "sma-cross", { fast: 5, slow: 20 }, 0.05, smaCross(5, 20), s),
    ];
    const n = s.close.length;
    const exposure = ms.reduce((p, m) => p + m.weight * m.exposure[n - 1]!, 0);
    return explainSignal({
      series: s,
      btc,
      members: ms,
      exposure,
      ensembleDrawdown: 0.0421,
      ensembleMaxDrawdown: 0.1834,
      maxVotes: 3,
    });
  };
  return { eth: build(eth), synthetic: build(syn) };
}

/** Every number in a record, in document order */
function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === "number") out.push(v);
  else if (Array.isArray(v)) for (const x of v) numbersOf(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) numbersOf(x, out);
  return out;
}
function stringsOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) stringsOf(x, out);
  return out;
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("explainSignal", () => {
  const got = cases();

  it("matches the golden structured explanations field by field", () => {
    const golden = readGoldenJson<Record<string, SignalExplanation>>(GOLDEN, got);
    for (const key of Object.keys(golden)) {
      const g = golden[key]!;
      const e = got[key]!;
      for (const field of Object.keys(g) as (keyof SignalExplanation)[])
        expect({ key, field, value: e[field] }).toEqual({ key, field, value: g[field] });
    }
  });

  it("states the bar's date and close from the data itself", () => {
    const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
    const n = eth.close.length;
    expect(got.eth!.barTime).toBe(`${new Date(eth.ts[n - 1]!).toISOString().slice(0, 10)} 00:00 UTC`);
    expect(got.eth!.close).toBeCloseTo(eth.close[n - 1]!, 6);
    expect(got.eth!.votes.map((v) => v.weightPct)).toEqual([30, 20, 15]);
    expect(got.eth!.otherMembers).toEqual({ count: 1, weightPct: 5 });
  });

  it("counts the bars since the SMA cross independently", () => {
    const s = synthetic(42, 400);
    const f = sma(s.close, 10);
    const sl = sma(s.close, 40);
    let k = 0;
    const n = s.close.length;
    const side = Math.sign(f[n - 1]! - sl[n - 1]!);
    while (Math.sign(f[n - 2 - k]! - sl[n - 2 - k]!) === side) k++;
    const c = got.synthetic!.conditions.find((x) => x.values[0] === 10 && x.values[1] === 40)!;
    expect(c.values[2]).toBe(k);
  });

  it("finds the flip of an SMA cross where the algebra puts it", () => {
    // next close p makes SMA fast = SMA slow: (Sf + p)/f = (Ss + p)/s with Sf, Ss the sums of the last f-1, s-1 closes
    const s = synthetic(42, 400);
    const n = s.close.length;
    const sum = (k: number) => s.close.subarray(n - k, n).reduce((p, v) => p + v, 0);
    const flips = [
      [10, 40],
      [20, 100],
      [5, 20],
    ].map(([fa, sl]) => (sl! * sum(fa! - 1) - fa! * sum(sl! - 1)) / (fa! - sl!));
    const last = s.close[n - 1]!;
    const rec = got.synthetic!.flip!;
    const candidates = flips.filter((p) => p > last * 0.5 && p < last * 1.5);
    const nearest = candidates.reduce((a, b) => (Math.abs(b - last) < Math.abs(a - last) ? b : a));
    if (rec.family === "sma-cross")
      expect(rec.price).toBeCloseTo(nearest, Math.max(0, 4 - Math.floor(Math.log10(nearest))));
    expect(Math.abs(rec.distancePct)).toBeLessThanOrEqual(Math.abs((nearest / last - 1) * 100) + 0.01);
  });

  it("writes a paragraph holding every number of the record and no other", () => {
    const empty = explainSignal({
      series: synthetic(42, 400),
      members: [],
      exposure: 0,
      ensembleDrawdown: 0.2,
      ensembleMaxDrawdown: 0.3,
    });
    expect(empty.votes).toEqual([]);
    expect(explanationParagraph(empty)).toMatch(/no weighted member votes on this symbol/);
    for (const e of [...Object.values(got), empty]) {
      const text = explanationParagraph(e);
      let stripped = text;
      for (const str of stringsOf(e)) if (/\d/.test(str)) stripped = stripped.split(str).join(" ");
      const said = (stripped.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
      expect(sorted(said)).toEqual(sorted(numbersOf(e)));
      expect(text).toContain(e.barTime);
      for (const c of e.conditions) {
        expect(c.template).not.toMatch(/\d/);
        expect(text).toContain(conditionText(c));
      }
    }
  });
});
