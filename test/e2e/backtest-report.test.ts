// Opens the backtest report in Debian's chromium with every network request refused, and checks it draws
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

const SCREENSHOT = join(tmpdir(), "kairos-e2e", "backtest-report.png");

describe("backtest report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-btr-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens from a file with no network, no console error, and draws equity, drawdown and trades", async () => {
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
        price: sliceSeries(s, 29),
        exchange: "binance",
        chartLib: readChartLibrary(),
      }),
    );
    await withOfflinePage(
      file,
      {
        ready: "window.kairosReportReady === true",
        canvases: ["equity", "drawdown", "price"],
        profileDir: dir,
        screenshot: SCREENSHOT,
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
