// The demo's AI-token strategist report, as a new user first opens it: the real `kairos demo` writes it, and
// Debian's chromium opens it at 1400 px with every request refused. It must be short enough to read
// (under 5,000 px with the details folded), show the ensemble and the charts before the long leaderboard,
// open each chart on the whole record, and say how old the latest bar is.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withOfflinePage } from "../support/browser.ts";
import { spawnKairos } from "../support/cli.ts";

const SCREENSHOT = join(tmpdir(), "kairos-e2e", "demo-ai-tokens-report.png");

describe("the demo's AI-token report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-demo-report-"));
  const home = join(dir, "home");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is under 5,000 px at 1400 px, charts first, whole-record charts, dated signals", async () => {
    const demo = await spawnKairos(["demo", "--home", home], { timeout: 300_000 });
    expect(demo.code).toBe(0);
    const file = join(home, "reports", "kairos-ai-tokens-1h.html");
    await withOfflinePage(
      file,
      {
        ready: "window.__charts === 2",
        canvases: ["chart-equity", "chart-drawdown"],
        profileDir: dir,
      },
      async ({ page, errors, outside, painted }) => {
        expect(errors).toEqual([]);
        expect(outside).toEqual([]);
        for (const k of painted) expect(k).toBeGreaterThan(1000);
        await page.setViewportSize({ width: 1400, height: 900 });
        await page.waitForFunction("document.documentElement.clientWidth === 1400");
        const height = (await page.evaluate("document.documentElement.scrollHeight")) as number;
        expect(height).toBeLessThan(5000);
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        // the ensemble, the charts and the signals come before the leaderboard
        const order = (await page.evaluate(
          "Array.from(document.querySelectorAll('main > section')).map((s) => s.id)",
        )) as string[];
        expect(order.indexOf("ensemble")).toBeLessThan(order.indexOf("leaderboard"));
        expect(order.indexOf("equity")).toBeLessThan(order.indexOf("leaderboard"));
        expect(order.indexOf("drawdown")).toBeLessThan(order.indexOf("leaderboard"));
        // top 10 shown, the rest folded
        expect(await page.locator("#leaderboard tbody tr:visible").count()).toBe(10);
        expect(await page.locator("#leaderboard-rest tbody tr").count()).toBeGreaterThan(0);
        // each chart opens on the whole record: its first and last points are inside the visible range
        const ranges = (await page.evaluate(`(() => {
          const d = JSON.parse(document.getElementById('report-data').textContent);
          const r = (id) => window.__chartApis[id].timeScale().getVisibleRange();
          return { first: d.equity.time[0], last: d.equity.time[d.equity.time.length - 1], equity: r('equity'), drawdown: r('drawdown') };
        })()`)) as {
          first: number;
          last: number;
          equity: { from: number; to: number };
          drawdown: { from: number; to: number };
        };
        for (const r of [ranges.equity, ranges.drawdown]) {
          expect(r.from).toBeLessThanOrEqual(ranges.first);
          expect(r.to).toBeGreaterThanOrEqual(ranges.last);
        }
        // the signals say their bar and its age; the bundled AI-token data ends 2024-09-07
        const age = await page.locator("#signals-age").textContent();
        expect(age).toMatch(
          /^Latest closed bar 2024-09-07 00:00 UTC, [\d,]+ days ago: these signals are as of that bar/,
        );
        // heatmap verdicts are sentences, never "a n/a"
        const verdicts = await page.locator("#heatmaps .plateau").allTextContents();
        expect(verdicts.length).toBeGreaterThan(0);
        for (const v of verdicts) {
          expect(v).not.toContain("a n/a");
          expect(v).toMatch(/plateau|spike|no cell is positive|too few/);
        }
        // Monte Carlo bars have an axis
        expect(await page.locator("#mc-scale span").count()).toBeGreaterThanOrEqual(3);
      },
    );
  }, 400_000);
});
