// `kairos backtest` end to end: a real home folder, a real SQLite store, the real CLI process
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEngine } from "../../src/backtest/engine.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { smaCross } from "../../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, spawnKairos } from "../support/cli.ts";

const home = bundledHome("kairos-bt-", ["binance_BTC-USDT_1h.csv"]);
const kairos = (...args: string[]) => spawnKairos(args, { home });

describe("kairos backtest", () => {
  it("sma-cross --json prints metrics and trades equal to the engine on the bundled file; writes report and CSV", async () => {
    const report = join(home, "out.html");
    const csv = join(home, "trades.csv");
    const r = await kairos(
      "backtest",
      "sma-cross",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--fast",
      "20",
      "--slow",
      "50",
      "--fee",
      "0.001",
      "--json",
      "--report",
      report,
      "--trades-csv",
      csv,
    );
    expect(r.stderr).not.toMatch(/kairos:/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const s = loadBundledSeries("binance", "BTC/USDT", "1h");
    const p = smaCross.params.parse({ fast: 20, slow: 50 });
    const ref = runEngine({
      series: [s],
      strategy: smaCross.create(p),
      config: defaultExecution({ fee: 0.001 }),
      start: 49,
    });
    expect(out.metrics.finalEquity).toBe(ref.metrics.finalEquity);
    expect(out.metrics.sharpe).toBe(ref.metrics.sharpe);
    expect(out.trades.length).toBe(ref.trades.length);
    expect(out.metrics.trades).toBe(out.trades.length);
    expect(out.trades[0]).toMatchObject({ symbol: "BTC/USDT", side: "long", entryReason: "signal" });
    expect(out.params).toEqual({ fast: 20, slow: 50, short: false });
    expect(out.warmupBars).toBe(49);
    expect(out.benchmark).toBe("BTC/USDT");
    expect(out.analysis.byWeekday.length).toBe(7);
    const html = readFileSync(report, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain("LightweightCharts");
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    expect(lines.length).toBe(out.trades.length + 1);
  });

  it("--from/--to load warm-up bars before --from; --fee takes percentages", async () => {
    const r = await kairos(
      "backtest",
      "ema-cross",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--from",
      "2021-01-01",
      "--to",
      "2021-07-01",
      "--fee",
      "0.1%",
      "--json",
    );
    const x = JSON.parse(r.stdout);
    expect(x.from).toBe("2021-01-01T00:00:00.000Z");
    expect(x.to).toBe("2021-06-30T23:00:00.000Z");
    expect(x.warmupBars).toBe(25);
    expect(x.config.fee).toBeCloseTo(0.001, 15);
  });

  it("runs a user strategy file; a throwing one fails with STRATEGY_FAILED and the bar", async () => {
    const good = join(home, "my-strategy.ts");
    writeFileSync(
      good,
      `export function createStrategy(params: { level?: number }) {
  return {
    id: "above-level",
    warmup: 0,
    onBar(ctx: { bar: number; series(): { close: Float64Array } }) {
      const c = ctx.series().close;
      return { targets: { "BTC/USDT": c[ctx.bar]! > (params.level ?? 30000) ? 1 : 0 } };
    },
  };
}
`,
    );
    const ok = await kairos(
      "backtest",
      good,
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--level",
      "40000",
      "--json",
    );
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.strategy).toBe("above-level");
    expect(out.params).toEqual({ level: 40000 });
    expect(out.trades.length).toBeGreaterThan(5);
    const bad = join(home, "bad-strategy.ts");
    writeFileSync(
      bad,
      `export const strategy = { id: "bad", warmup: 0, onBar(ctx: { bar: number }) { if (ctx.bar === 100) throw new Error("boom"); return undefined; } };\n`,
    );
    const r = await kairos("backtest", bad, "--symbol", "BTC/USDT", "--timeframe", "1h");
    expect(r.code).toBe(11);
    expect(r.stderr).toMatch(
      /strategy .*bad-strategy\.ts failed at bar 100 \(2020-09-24T04:00:00\.000Z\): boom \[STRATEGY_FAILED\]/,
    );
  });

  it("bad input gives one clear line and exit code 2", async () => {
    const a = await kairos("backtest", "sma-cross", "--symbol", "BTC/USDT", "--fast", "60", "--slow", "50");
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toBe("kairos: sma-cross --fast: fast must be below slow [INVALID_INPUT]");
  });
});
