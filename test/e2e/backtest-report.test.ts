// `kairos backtest ... --report` end to end: the real CLI writes the report from a real home, and Debian's
// chromium opens it with every network request refused. The charts must open on the whole run, every
// traded symbol must have its price chart with all its fills, the drawdown must hang from 0 down to the
// worst drawdown, and the trades table must start with the newest trade.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEngine } from "../../src/backtest/engine.ts";
import { analyseTrades } from "../../src/backtest/trade-analysis.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { renderBacktestReport } from "../../src/explain/backtest/render-backtest-report.ts";
import { readChartLibrary } from "../../src/shells/report/chart-lib.ts";
import { smaCross } from "../../src/strategies/sma-cross/strategy.ts";
import { withOfflinePage } from "../support/browser.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, spawnKairos } from "../support/cli.ts";

const SCREENSHOT = join(tmpdir(), "kairos-e2e", "backtest-report.png");
const home = bundledHome("kairos-btr-", ["binance_BTC-USDT_1h.csv", "binance_ETH-USDT_1h.csv"]);

// what the page says about its charts, read through lightweight-charts' own API
const CHART_STATE = `(() => {
  const k = window.kairosCharts;
  const range = (c) => c.timeScale().getVisibleRange();
  return {
    equity: range(k.equity),
    drawdown: range(k.drawdown),
    ddScale: k.drawdown.priceScale("right").getVisibleRange(),
    price: k.price.map(range),
    symbols: Array.from(document.querySelectorAll(".price")).map((e) => e.dataset.symbol),
    markers: k.markers.map((m) => ({ count: m.length, texts: m.filter((x) => x.text !== "").length })),
  };
})()`;

describe("backtest report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-btr-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a two-symbol 1h run over five years: whole-run charts, one price chart per symbol, newest trades first", async () => {
    const file = join(dir, "two.html");
    const run = await spawnKairos(
      [
        "backtest",
        "ema-cross",
        "--symbol",
        "BTC/USDT,ETH/USDT",
        "--timeframe",
        "1h",
        "--stop-loss",
        "4%",
        "--report",
        file,
        "--trades-json",
        join(dir, "trades.json"),
      ],
      { home },
    );
    expect(run.stderr).not.toMatch(/kairos:/);
    expect(run.code).toBe(0);
    // the text output: last trades with their symbol, and the assumptions the figures rest on
    expect(run.stdout).toMatch(/last 5 trades:\n\s+symbol\s+side/);
    expect(run.stdout).toMatch(/\n\s+(BTC|ETH)\/USDT\s+long\s/);
    expect(run.stdout).toMatch(
      /assumptions\s+spot, leverage 1, fee 0\.100% taker \/ 0\.100% maker, slippage 0\.000%, funding none \(spot\)/,
    );
    const trades = JSON.parse(readFileSync(join(dir, "trades.json"), "utf8")) as {
      symbol: string;
      exitTs: string | number;
    }[];
    const bySymbol = (s: string) => trades.filter((t) => t.symbol === s).length;
    expect(bySymbol("ETH/USDT")).toBeGreaterThan(100);
    const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
    const lastBar = btc.ts[btc.ts.length - 1]! / 1000;
    await withOfflinePage(
      file,
      {
        ready: "window.kairosReportReady === true",
        canvases: ["equity", "drawdown", "price-0", "price-1"],
        profileDir: dir,
        screenshot: SCREENSHOT,
      },
      async ({ page, errors, outside, painted }) => {
        expect(errors).toEqual([]);
        expect(outside).toEqual([]);
        for (const k of painted) expect(k).toBeGreaterThan(1000);
        const st = (await page.evaluate(CHART_STATE)) as {
          equity: { from: number; to: number };
          drawdown: { from: number; to: number };
          ddScale: { from: number; to: number };
          price: { from: number; to: number }[];
          symbols: string[];
          markers: { count: number; texts: number }[];
        };
        // the run starts after the 26-bar warm-up, in September 2020, and ends at the last stored bar
        const start = Date.UTC(2020, 8, 22) / 1000;
        for (const r of [st.equity, st.drawdown, ...st.price]) {
          expect(r.from).toBeLessThanOrEqual(start);
          expect(r.to).toBeGreaterThanOrEqual(lastBar - 86_400);
        }
        expect(st.symbols).toEqual(["BTC/USDT", "ETH/USDT"]);
        // the drawdown axis: 0 at the top, the worst drawdown (within the 5% margin) at the bottom
        const worst = Number(
          /the axis ends at the worst drawdown \((-?[\d.]+)%\)/.exec(await page.content())![1],
        );
        expect(worst).toBeLessThan(-10);
        expect(st.ddScale.to).toBeGreaterThanOrEqual(0);
        expect(st.ddScale.to).toBeLessThan(Math.abs(worst) * 0.1);
        expect(st.ddScale.from).toBeLessThanOrEqual(worst);
        expect(st.ddScale.from).toBeGreaterThan(worst * 1.2);
        // every fill is a marker on its own symbol's chart, none with text (so labels cannot overlap)
        expect(st.markers).toEqual([
          { count: 2 * bySymbol("BTC/USDT"), texts: 0 },
          { count: 2 * bySymbol("ETH/USDT"), texts: 0 },
        ]);
        const legend = await page.locator("#marker-legend").textContent();
        expect(legend).toMatch(/stop-loss \(\d+\)/);
        // trades: all of them in the table, newest first, one page of 50 shown
        const rows = page.locator("table.trades tbody tr");
        expect(await rows.count()).toBe(trades.length);
        expect(await page.locator("table.trades tbody tr:visible").count()).toBe(50);
        const firstExit = await rows.nth(0).locator("td").nth(4).textContent();
        const newest = trades.map((t) => new Date(t.exitTs).getTime()).reduce((a, b) => Math.max(a, b));
        expect(new Date(firstExit!).getTime()).toBe(newest);
        await page.getByRole("button", { name: "older" }).click();
        expect(await page.locator("#pager").textContent()).toContain("page 2 of");
      },
    );
  });

  it("opens from a file with no network, no console error, and draws equity, drawdown and trades (daily run)", async () => {
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const p = smaCross.params.parse({ fast: 10, slow: 30 });
    const r = runEngine({
      series: [s],
      strategy: smaCross.create(p),
      config: defaultExecution({ exits: { stopLoss: 0.08 } }),
      start: 29,
      params: p,
    });
    const file = join(dir, "report.html");
    writeFileSync(
      file,
      renderBacktestReport({
        result: r,
        analysis: analyseTrades(r.trades),
        prices: [sliceSeries(s, 29)],
        exchange: "binance",
        chartLib: readChartLibrary(),
      }),
    );
    await withOfflinePage(
      file,
      {
        ready: "window.kairosReportReady === true",
        canvases: ["equity", "drawdown", "price-0"],
        profileDir: dir,
      },
      async ({ page, errors, outside, painted }) => {
        expect(errors).toEqual([]);
        expect(outside).toEqual([]);
        for (const k of painted) expect(k).toBeGreaterThan(1000);
        expect(await page.locator("table.trades tbody tr").count()).toBe(r.trades.length);
        expect(await page.locator("table.metrics").textContent()).toContain("Buy and hold");
      },
    );
  });
});
