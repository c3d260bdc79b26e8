// Where a number should not be trusted, the CLI says so: a model no better than its naive baseline, a
// model applied to another market, an indicator whose warm-up would blank every row, a sweep without its
// buy-and-hold yardstick, a series whose newest bar is old. Real home, real SQLite, the real CLI.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verdictVsNaive } from "../../src/app/train-model.ts";
import { ema } from "../../src/indicators/ema.ts";
import { rsi } from "../../src/indicators/rsi.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-trust-", [
  "binance_FET-USDT_1h.csv",
  "binance_NEAR-USDT_1h.csv",
  "binance_BTC-USDT_1d.csv",
  "binance_ETH-USDT_1d.csv",
]);
const cli = (...args: string[]) => runKairosInProcess(args, { home });
const STALE = /warning: binance .*: newest bar .* days old \(more than two 1[dh] bars\)/;

describe("trust warnings", () => {
  it("model train prints its test metric beside the naive baseline with a verdict", async () => {
    // the issue's numbers: a log-loss of 0.6959 against naive 0.6927 is worse, and says so
    expect(verdictVsNaive({ logLoss: 0.6959, naiveLogLoss: 0.6927, vsNaiveP: 0.9 }, "sign").text).toMatch(
      /^WORSE than the naive base rate \(test log-loss 0\.46% higher, Diebold-Mariano p = 0\.900\): no edge/,
    );
    expect(verdictVsNaive({ logLoss: 0.69, naiveLogLoss: 0.6927, vsNaiveP: 0.2 }, "sign")).toMatchObject({
      beats: false,
      text: expect.stringMatching(/^not significantly better than the naive base rate/),
    });
    expect(verdictVsNaive({ rmse: 0.9, naiveRmse: 1, vsNaiveP: 0.001 }, "logret").beats).toBe(true);

    const r = await cli(
      "--json",
      "model",
      "train",
      "--symbol",
      "FET/USDT",
      "--timeframe",
      "1h",
      "--horizon",
      "24",
      "--trees",
      "30",
    );
    expect(r.code).toBe(0);
    const rec = (JSON.parse(r.stdout) as { record: { id: string; metrics: Record<string, number> } }).record;
    const m = rec.metrics;
    expect(m.vsNaiveP).toBeGreaterThanOrEqual(0);
    expect(m.vsNaiveP).toBeLessThanOrEqual(1);
    const trained = await cli(
      "model",
      "train",
      "--symbol",
      "FET/USDT",
      "--timeframe",
      "1h",
      "--horizon",
      "24",
      "--trees",
      "30",
    );
    expect(trained.stdout).toMatch(/^test .*log-loss [\d.]+ vs naive [\d.]+\nverdict: /m);
    const text = await cli("model", "show", rec.id);
    const verdict = /^verdict: (.*)$/m.exec(text.stdout)?.[1];
    expect(verdict).toBeDefined();
    if (m.logLoss! >= m.naiveLogLoss!) expect(verdict).toMatch(/^WORSE than the naive base rate/);
    else if (m.vsNaiveP! >= 0.05) expect(verdict).toMatch(/^not significantly better/);
    else expect(verdict).toMatch(/^better than the naive base rate/);

    // applied to another symbol, predict warns (and still predicts); on its own symbol it does not
    const other = await cli("model", "predict", rec.id, "--symbol", "NEAR/USDT");
    expect(other.code).toBe(0);
    expect(other.stderr).toContain(
      `warning: model ${rec.id} was trained on binance FET/USDT 1h and is applied to binance NEAR/USDT`,
    );
    const own = await cli("model", "predict", rec.id);
    expect(own.code).toBe(0);
    expect(own.stderr).not.toContain("was trained on");
    const json = await cli("--json", "model", "predict", rec.id, "--symbol", "NEAR/USDT");
    expect((JSON.parse(json.stdout) as { warnings: string[] }).warnings).toHaveLength(1);
  }, 120_000);

  it("indicators compute --from spends the warm-up on the history before --from", async () => {
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const from = Date.UTC(2025, 0, 1);
    const first = s.ts.findIndex((t) => t >= from);
    for (const [name, ref] of [
      ["rsi", rsi(s.close, 14)],
      ["ema", ema(s.close, 30)],
    ] as const) {
      const r = await cli(
        "--json",
        "indicators",
        "compute",
        name,
        "--period",
        name === "rsi" ? "14" : "30",
        "--symbol",
        "BTC/USDT",
        "--timeframe",
        "1d",
        "--from",
        "2025-01-01",
        "--last",
        "0",
      );
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        bars: number;
        rows: { ts: number; values: { value: number | null } }[];
      };
      expect(out.bars).toBe(s.ts.length - first);
      expect(out.rows).toHaveLength(s.ts.length - first);
      expect(out.rows[0]!.ts).toBe(s.ts[first]);
      // no blank warm-up rows after --from, and the values of a run over the whole history
      for (const [k, row] of out.rows.entries()) expect(row.values.value).toBe(ref[first + k]);
    }
    const long = await cli(
      "indicators",
      "compute",
      "sma",
      "--period",
      "5000",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
    );
    expect(long.code).toBe(2);
    expect(long.stderr.trim().split("\n")[0]).toMatch(
      /sma: its warm-up with these parameters is 4,999 bars, but binance BTC\/USDT 1d has only 1,825 stored bars: every value would be blank/,
    );
  });

  it("sweep shows buy-and-hold on the same bars and costs beside its leaderboard", async () => {
    const r = await cli(
      "sweep",
      "sma-cross",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--param",
      "fast=10..30:10",
      "--top",
      "3",
      "--threads",
      "1",
    );
    expect(r.code).toBe(0);
    const bh = /^B&H +- +([\d.-]+) +([\d.-]+)% +([\d.-]+)% +1 +([\d.]+)$/m.exec(r.stdout);
    expect(bh).not.toBeNull();
    // independent: all-in at the second bar's open after a 0.1% fee, held to the last close
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const ret = (s.close[s.close.length - 1]! / s.open[1]!) * (1 - 0.001) - 1;
    expect(Number(bh![2]) / 100).toBeCloseTo(ret, 2);
    expect(r.stdout).toMatch(
      /B&H = buy-and-hold over the same bars and costs\. The best combination's Sharpe/,
    );
    const json = await cli(
      "--json",
      "sweep",
      "sma-cross",
      "--symbol",
      "BTC/USDT,ETH/USDT",
      "--timeframe",
      "1d",
      "--param",
      "fast=10..30:10",
      "--threads",
      "1",
    );
    const rep = JSON.parse(json.stdout) as { buyAndHold: { symbol: string; trades: number }[] };
    expect(rep.buyAndHold.map((b) => [b.symbol, b.trades])).toEqual([
      ["BTC/USDT", 1],
      ["ETH/USDT", 1],
    ]);
  });

  it("every command that reads a series warns when its newest bar is older than two bars", async () => {
    for (const args of [
      ["indicators", "compute", "rsi", "--symbol", "BTC/USDT", "--timeframe", "1d"],
      ["backtest", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d"],
      [
        "sweep",
        "sma-cross",
        "--symbol",
        "BTC/USDT",
        "--timeframe",
        "1d",
        "--param",
        "fast=10..20:10",
        "--threads",
        "1",
      ],
      ["data", "show", "--symbol", "FET/USDT", "--timeframe", "1h"],
      ["--json", "backtest", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d"],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(STALE);
    }
    // the bundled BTC daily file ends 2025-09-18: its age is counted from that bar's close
    const bt = await cli("backtest", "sma-cross", "--symbol", "BTC/USDT", "--timeframe", "1d");
    const days = Number(
      /newest bar 2025-09-18 00:00 UTC, ([\d,]+) days old/.exec(bt.stderr)![1]!.replace(/,/g, ""),
    );
    expect(days).toBe(Math.floor((Date.now() - Date.UTC(2025, 8, 19)) / 86_400_000));
    // a run that stops at --to asked for the past: no warning
    const past = await cli(
      "backtest",
      "sma-cross",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--to",
      "2024-01-01",
    );
    expect(past.stderr).not.toMatch(/warning:/);
    // a series whose newest bar just closed: no warning
    const hour = 3_600_000;
    const last = Math.floor(Date.now() / hour) * hour - hour;
    const rows = Array.from({ length: 60 }, (_, k) => {
      const t = new Date(last - (59 - k) * hour).toISOString().replace(".000Z", "Z");
      return `${t},100,101,99,100.5,10`;
    });
    const file = join(home, "kraken_XBT-EUR_1h.csv");
    writeFileSync(file, `timestamp,open,high,low,close,volume\n${rows.join("\n")}\n`);
    expect((await cli("data", "import", file)).code).toBe(0);
    const fresh = await cli(
      "indicators",
      "compute",
      "sma",
      "--period",
      "5",
      "--symbol",
      "XBT/EUR",
      "--timeframe",
      "1h",
    );
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).not.toMatch(/warning:/);
  });
});
