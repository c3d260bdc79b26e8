// Opens the strategist report in Debian's chromium with every network request refused, and checks it renders
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/explain/report/render-report.ts";
import { strategistFixture } from "../support/strategist-fixture.ts";

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
/** Where the screenshot is kept for people to look at */
const SCREENSHOT = join(tmpdir(), "kairos-e2e", "report.png");

const require = createRequire(import.meta.url);
const chartLibrary = (): string =>
  readFileSync(
    join(
      dirname(require.resolve("lightweight-charts/package.json")),
      "dist/lightweight-charts.standalone.production.js",
    ),
    "utf8",
  );

// counts, per chart, canvas pixels that are drawn and not the white background (runs in the page)
const PAINTED = `["chart-equity", "chart-drawdown"].map((id) => {
  let coloured = 0;
  for (const c of document.getElementById(id)?.querySelectorAll("canvas") ?? []) {
    const g = c.getContext("2d");
    if (g === null || c.width === 0 || c.height === 0) continue;
    const px = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) coloured++;
  }
  return coloured;
})`;

describe("strategist report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens offline with no console error and draws its charts", async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (listed in .ci/run)`);
    const file = join(dir, "report.html");
    writeFileSync(file, renderReportHtml(strategistFixture(), chartLibrary()));
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
      await page.waitForFunction("window.__charts === 2", undefined, { timeout: 20_000 });
      await page.waitForTimeout(300);
      const painted = (await page.evaluate(PAINTED)) as number[];
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
      for (const k of painted) expect(k).toBeGreaterThan(1000);
      expect(await page.locator("#leaderboard tbody tr").count()).toBeGreaterThan(10);
      expect(await page.locator(".signal").count()).toBe(2);
    } finally {
      await ctx.close();
    }
  });
});
