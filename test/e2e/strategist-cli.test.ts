import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { ReportData } from "../../src/explain/report/types.ts";
import { runCli } from "../../src/shells/cli/main.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-strategist-cli-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs the CLI in-process and captures stdout and stderr */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await runCli(["--home", home, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("kairos screen + kairos report", () => {
  it("writes the strategist report by default and `report <run>` rebuilds it with explained signals", async () => {
    expect((await cli("data", "import", "data/binance_BTC-USDT_1d.csv")).code).toBe(0);
    expect((await cli("data", "import", "data/binance_ETH-USDT_1d.csv")).code).toBe(0);
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
    const id = (JSON.parse(s.out) as { id: string }).id;
    expect(existsSync(join(home, "reports", `${id}.html`))).toBe(true);

    const out = join(home, "majors.html");
    const r = await cli("--json", "report", id, "--out", out);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out) as ReportData & { id: string; path: string };
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
    expect(text.out.split("\n")[0]).toBe(data.headline);
    expect(text.out).toMatch(/deflated Sharpe/);
    expect(text.out).toContain(`report: ${out}`);
  });

  it("names the stored runs when the run is unknown", async () => {
    const r = await cli("report", "s-nope");
    expect(r.code).toBe(4);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/no screen run "s-nope"/);
  });
});
