import { describe, expect, it } from "vitest";
import type { SweepReport } from "../../src/app/run-sweep.ts";
import { runEngine } from "../../src/backtest/engine.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { smaCross } from "../../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";

const home = tempHome("kairos-sweep-cli-");
const cli = (...args: string[]) => runKairosInProcess(args, { home });

const grid = ["--param", "fast=5..25:5", "--param", "slow=30..90:30"];
/** `sweep sma-cross` over the imported BTC/USDT daily series on the small grid */
const smaCrossDaily = ["sweep", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d", ...grid];

describe("kairos sweep", () => {
  it("ranks a grid as JSON with the same figures as the event engine, on 1 and 2 threads", async () => {
    expect((await cli("data", "import", "data/binance_BTC-USDT_1d.csv")).code).toBe(0);
    const one = await cli(
      "--json",
      ...smaCrossDaily,
      "--threads",
      "1",
      "--fee",
      "0.1%",
      "--slippage",
      "5bps",
    );
    expect(one.code).toBe(0);
    const r1 = JSON.parse(one.stdout) as SweepReport;
    expect(r1.combinations).toBe(15);
    expect(r1.rows).toHaveLength(15);
    expect(r1.swept).toEqual(["fast", "slow"]);
    for (let i = 1; i < r1.rows.length; i++)
      expect(r1.rows[i - 1]!.sharpe).toBeGreaterThanOrEqual(r1.rows[i]!.sharpe);
    const two = await cli(
      "--json",
      ...smaCrossDaily,
      "--threads",
      "2",
      "--fee",
      "0.1%",
      "--slippage",
      "5bps",
    );
    expect(two.code).toBe(0);
    const r2 = JSON.parse(two.stdout) as SweepReport;
    expect(r2.rows).toEqual(r1.rows);
    // the winner, re-run by the event engine over the same stored bars
    const best = r1.rows[0]!;
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const ev = runEngine({
      series: [s],
      strategy: smaCross.create(best.params as never),
      config: defaultExecution({ fee: 0.001, slippage: { kind: "fixed", rate: 0.0005 } }),
    });
    expect(best.totalReturn).toBeCloseTo(ev.metrics.totalReturn, 9);
    expect(best.sharpe).toBeCloseTo(ev.metrics.sharpe, 9);
    expect(best.maxDrawdown).toBeCloseTo(ev.metrics.maxDrawdown, 9);
  });

  it("models stops like the event engine (--stop-loss, --trailing-stop)", async () => {
    const r = await cli(
      "--json",
      ...smaCrossDaily,
      "--threads",
      "1",
      "--stop-loss",
      "4%",
      "--trailing-stop",
      "8%",
    );
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as SweepReport).rows;
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    for (const row of [rows[0]!, rows.at(-1)!]) {
      const ev = runEngine({
        series: [s],
        strategy: smaCross.create(row.params as never),
        config: defaultExecution({ exits: { stopLoss: 0.04, trailingStop: 0.08 } }),
      });
      expect(ev.trades.some((t) => t.exitReason === "stop-loss" || t.exitReason === "trailing-stop")).toBe(
        true,
      );
      expect(row.totalReturn).toBeCloseTo(ev.metrics.totalReturn, 9);
      expect(row.sharpe).toBeCloseTo(ev.metrics.sharpe, 9);
      expect(row.trades).toBe(ev.metrics.trades);
    }
  });

  it("prints a table sorted by the chosen metric, --top rows", async () => {
    const r = await cli(...smaCrossDaily, "--threads", "1", "--sort", "maxDrawdown", "--top", "3");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^#\s+fast\s+slow\s+sharpe\s+return\s+max DD\s+trades/);
    // the 3 ranked rows, then buy-and-hold on the same bars and costs, then the line saying what B&H is
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(/^B&H\s+-\s+-\s+/);
    expect(lines[5]).toMatch(/^B&H = buy-and-hold over the same bars and costs/);
    const dd = lines.slice(1, 4).map((l) => Number(l.trim().split(/\s+/)[5]!.replace("%", "")));
    expect([...dd].sort((a, b) => a - b)).toEqual(dd);
    expect(r.stderr).toMatch(/BTC\/USDT \(\d+ bars\): 15 combinations/);
  });

  it("sweeps several symbols and ranks them together", async () => {
    expect((await cli("data", "import", "data/binance_ETH-USDT_1d.csv")).code).toBe(0);
    const r = await cli(
      "--json",
      "sweep",
      "sma-cross",
      "--symbol",
      "BTC/USDT,ETH/USDT",
      "--timeframe",
      "1d",
      ...grid,
      "--threads",
      "2",
    );
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as SweepReport;
    expect(rep.combinations).toBe(30);
    expect(rep.series.map((x) => x.symbol)).toEqual(["BTC/USDT", "ETH/USDT"]);
    expect(new Set(rep.rows.map((x) => x.symbol))).toEqual(new Set(["BTC/USDT", "ETH/USDT"]));
    const one = JSON.parse(
      (
        await cli(
          "--json",
          "sweep",
          "sma-cross",
          "--symbol",
          "ETH/USDT",
          "--timeframe",
          "1d",
          ...grid,
          "--threads",
          "1",
        )
      ).stdout,
    ) as SweepReport;
    const eth = rep.rows.filter((x) => x.symbol === "ETH/USDT");
    expect(eth).toEqual(one.rows);
  });

  it("refuses bad input with one clear line and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["sweep", "nope", "--symbol", "BTC/USDT", "--timeframe", "1d", "--param", "fast=1..3"],
        /unknown family "nope": use one of/,
      ],
      [
        ["sweep", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d", "--param", "fast=9..3"],
        /range 9..3 is empty/,
      ],
      [
        ["sweep", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d", "--param", "speed=1..3"],
        /has no such parameter; it has fast, slow, short/,
      ],
      [
        [
          "sweep",
          "sma-cross",
          "--symbol",
          "BTC/USDT",
          "--timeframe",
          "1d",
          "--param",
          "fast=50..60",
          "--param",
          "slow=10..20",
        ],
        /no valid parameter combination/,
      ],
      [
        [
          "sweep",
          "sma-cross",
          "--symbol",
          "BTC/USDT",
          "--timeframe",
          "1d",
          "--param",
          "fast=5",
          "--sort",
          "alpha",
        ],
        /--sort alpha: use one of/,
      ],
      [
        [
          "sweep",
          "sma-cross",
          "--symbol",
          "BTC/USDT",
          "--timeframe",
          "1d",
          "--param",
          "fast=5",
          "--fee",
          "-1",
        ],
        /--fee/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n")[0]).toMatch(re);
    }
  });
});
