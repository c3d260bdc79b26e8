// Opens the backtest report in Debian's chromium with every network request refused, and checks it draws
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { runEngine } from "../../src/backtest/engine.ts";
import { analyseTrades } from "../../src/backtest/trade-analysis.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { renderBacktestReport } from "../../src/explain/backtest/render-backtest-report.ts";
import { readChartLibrary } from "../../src/shells/report/chart-lib.ts";
import { smaCross } from "../../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];
const SCREENSHOT = join(tmpdir(), "kairos-e2e", "backtest-report.png");

// coloured (non-white) canvas pixels per chart container
const PAINTED = `["equity", "drawdown", "price"].map((id) => {
  let coloured = 0;
  for (const c of document.getElementById(id)?.querySelectorAll("canvas") ?? []) {
    const g = c.getContext("2d");
    if (g === null || c.width === 0 || c.height === 0) continue;
    const px = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) coloured++;
  }
  return coloured;
})`;

describe("backtest report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-btr-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens from a file with no network, no console error, and draws equity, drawdown and trades", async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (listed in .ci/run)`);
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
    const ctx = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    try {
      const outside: string[] = [];
      await ctx.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file://")) return route.continue();
        outside.push(url);
        return route.abort();
      });
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      await page.waitForFunction("window.kairosReportReady === true", undefined, { timeout: 20_000 });
      await page.waitForTimeout(300);
      const painted = (await page.evaluate(PAINTED)) as number[];
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
      for (const k of painted) expect(k).toBeGreaterThan(1000);
      expect(await page.locator("table.trades tbody tr").count()).toBe(r.trades.length);
      expect(await page.locator("table.metrics").textContent()).toContain("Buy and hold");
    } finally {
      await ctx.close();
    }
  });
});
