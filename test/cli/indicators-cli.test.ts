// kairos indicators list/compute through the real CLI, a real SQLite home and the bundled data
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CASES } from "../golden/indicators/cases.ts";
import { bundledHome, ROOT, runKairos } from "../support/cli.ts";

const home = bundledHome("kairos-cli-ind-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);

const kairos = (...args: string[]) => runKairos(args, { home });

/** The TA-Lib reference for one golden case on BTC/USDT 1d */
function golden(indicator: string, output: string, params: Record<string, number>): Float64Array {
  const j = CASES.findIndex(
    (c) =>
      c.indicator === indicator && c.output === output && JSON.stringify(c.params) === JSON.stringify(params),
  );
  const raw = gunzipSync(readFileSync(join(ROOT, "test/golden/indicators/btc-1d.f64.gz")));
  const all = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const n = all.length / CASES.length;
  return all.slice(j * n, (j + 1) * n);
}

describe("kairos indicators (CLI)", () => {
  it("lists 40+ indicators with categories, outputs, parameter defaults and bounds", () => {
    const r = kairos("indicators", "list", "--json");
    expect(r.code, r.stderr).toBe(0);
    const { indicators } = JSON.parse(r.stdout) as {
      indicators: {
        name: string;
        category: string;
        outputs: string[];
        warmup: number;
        params: Record<string, { default?: unknown; minimum?: number }>;
      }[];
    };
    expect(indicators.length).toBeGreaterThanOrEqual(40);
    const rsi = indicators.find((i) => i.name === "rsi")!;
    expect(rsi.params.period).toMatchObject({ default: 14, minimum: 2 });
    expect(rsi.warmup).toBe(14);
    expect(new Set(indicators.map((i) => i.category))).toEqual(
      new Set(["trend", "momentum", "volatility", "volume", "statistics"]),
    );
    const human = kairos("indicators", "list");
    expect(human.stdout).toContain("stoch-rsi");
  });

  it("computes RSI(14) on stored BTC/USDT 1d equal to TA-Lib's for the latest bars", () => {
    const r = kairos(
      "indicators",
      "compute",
      "rsi",
      "--period",
      "14",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--last",
      "5",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { bars: number; rows: { values: { value: number } }[] };
    const ref = golden("rsi", "value", { period: 14 });
    expect(res.rows).toHaveLength(5);
    for (const [k, row] of res.rows.entries())
      expect(row.values.value).toBeCloseTo(ref[res.bars - 5 + k]!, 9);
  });

  it("takes kebab-case parameters and a benchmark, and prints a table without --json", () => {
    const st = kairos(
      "indicators",
      "compute",
      "stochastic",
      "--k-period",
      "5",
      "--k-smooth",
      "1",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--last",
      "1",
      "--json",
    );
    expect(st.code, st.stderr).toBe(0);
    const ref = golden("stochastic", "k", { kPeriod: 5, kSmooth: 1, dPeriod: 3 });
    expect((JSON.parse(st.stdout) as { rows: { values: { k: number } }[] }).rows[0]!.values.k).toBeCloseTo(
      ref[ref.length - 1]!,
      9,
    );
    const b = kairos(
      "indicators",
      "compute",
      "beta",
      "--symbol",
      "BTC/USDT",
      "--against",
      "ETH/USDT",
      "--timeframe",
      "1d",
    );
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/beta\(period=5\) on binance BTC\/USDT 1d/);
    expect(b.stdout.trim().split("\n")).toHaveLength(12);
  });

  it("rejects a bad parameter with exit code 2 and one line naming it", () => {
    const r = kairos(
      "indicators",
      "compute",
      "macd",
      "--fast",
      "30",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/macd: parameter "fast"/);
    expect(r.stdout).toBe("");
    const u = kairos("indicators", "compute", "nope", "--symbol", "BTC/USDT", "--timeframe", "1d");
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("unknown indicator");
  });
});
