import { describe, expect, it } from "vitest";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-model-eval-cli-", ["binance_BTC-USDT_1d.csv"]);
const cli = (...args: string[]) => runKairosInProcess(args, { home });
/** `kairos [globals] model evaluate` on the imported daily BTC with more options */
const evaluate = (globals: string[], ...args: string[]) =>
  cli(...globals, "model", "evaluate", "--symbol", "BTC/USDT", "--timeframe", "1d", ...args);

describe("kairos model evaluate", () => {
  it("evaluates baselines and GBDT on bundled daily BTC, JSON only on stdout", async () => {
    const r = await evaluate(
      ["--json"],
      "--horizons",
      "1,7",
      "--folds",
      "3",
      "--models",
      "drift,ar,ridge,logistic,gbdt",
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      series: { bars: number };
      evaluation: {
        results: {
          model: string;
          horizon: number;
          beatsBaseline: boolean;
          role: string;
          metrics: { n: number };
        }[];
      };
    };
    expect(out.series.bars).toBe(1825);
    const models = new Set(out.evaluation.results.map((x) => x.model));
    expect([...models]).toEqual([
      "random-walk",
      "last-sign",
      "always-up",
      "drift",
      "ar",
      "ridge",
      "logistic",
      "gbdt",
    ]);
    for (const x of out.evaluation.results) {
      expect([1, 7]).toContain(x.horizon);
      expect(typeof x.beatsBaseline).toBe("boolean");
      if (x.role === "naive") expect(x.beatsBaseline).toBe(false);
      expect(x.metrics.n).toBeGreaterThan(300);
    }
  });

  it("prints the side-by-side table, and refuses a bad horizon with one line", async () => {
    const r = await evaluate([], "--horizons", "1", "--folds", "2", "--models", "ar");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/model\s+role\s+h\s+MAPE price/);
    expect(r.stdout).toMatch(/random-walk\s+naive\s+1\s+\d/);
    const bad = await evaluate([], "--horizons", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--horizons/);
  });
});
