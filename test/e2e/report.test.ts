// Opens the strategist report in Debian's chromium with every network request refused, and checks it renders
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/explain/report/render-report.ts";
import { readChartLibrary } from "../../src/shells/report/chart-lib.ts";
import { withOfflinePage } from "../support/browser.ts";
import { strategistFixture } from "../support/strategist-fixture.ts";

/** Where the screenshot is kept for people to look at */
const SCREENSHOT = join(tmpdir(), "kairos-e2e", "report.png");

describe("strategist report in chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens offline with no console error and draws its charts", async () => {
    const file = join(dir, "report.html");
    writeFileSync(file, renderReportHtml(strategistFixture(), readChartLibrary()));
    await withOfflinePage(
      file,
      {
        ready: "window.__charts === 2",
        canvases: ["chart-equity", "chart-drawdown"],
        profileDir: dir,
        screenshot: SCREENSHOT,
      },
      async ({ page, errors, outside, painted }) => {
        expect(errors).toEqual([]);
        expect(outside).toEqual([]);
        for (const k of painted) expect(k).toBeGreaterThan(1000);
        expect(await page.locator("#leaderboard tbody tr").count()).toBeGreaterThan(10);
        expect(await page.locator(".signal").count()).toBe(2);
      },
    );
  });
});
