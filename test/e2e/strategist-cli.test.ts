import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReportData } from "../../src/explain/report/types.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-strategist-cli-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
const cli = (...args: string[]) => runKairosInProcess(args, { home });

describe("kairos screen + kairos report", () => {
  it("writes the strategist report by default and `report <run>` rebuilds it with explained signals", async () => {
    const s = await cli(
      "--json",
      "screen",
      "--universe",
      "majors",
      "--timeframe",
      "1d",
      "--variants",
      "40",
      "--seed",
      "3",
    );
    expect(s.code).toBe(0);
    const id = (JSON.parse(s.stdout) as { id: string }).id;
    expect(existsSync(join(home, "reports", `${id}.html`))).toBe(true);

    const out = join(home, "majors.html");
    const r = await cli("--json", "report", id, "--out", out);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as ReportData & { id: string; path: string };
    expect(data.path).toBe(out);
    expect(data.explanations.map((e) => e.record.symbol)).toEqual(["BTC/USDT", "ETH/USDT"]);
    for (const e of data.explanations) {
      expect(e.record.barTime).toBe("2025-09-18 00:00 UTC");
      expect(e.paragraph).toContain(e.record.barTime);
    }
    expect(data.ensemble.rows.map((x) => x.name.split(":")[0])).toEqual([
      "ensemble (decay)",
      "buy-and-hold",
      "best single in hindsight",
      "walk-forward single pick",
    ]);
    expect(data.ensemble.folds).toHaveLength(5);
    expect(data.leaderboard.length).toBe(40);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("LightweightCharts");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);

    const text = await cli("report", id, "--out", out);
    expect(text.stdout.split("\n")[0]).toBe(data.headline);
    expect(text.stdout).toMatch(/deflated Sharpe/);
    expect(text.stdout).toContain(`report: ${out}`);
  });

  it("names the stored runs when the run is unknown", async () => {
    const r = await cli("report", "s-nope");
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no screen run "s-nope"/);
  });
});
