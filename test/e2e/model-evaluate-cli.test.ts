import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/shells/cli/main.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-model-eval-cli-"));
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

describe("kairos model evaluate", () => {
  it("evaluates baselines and GBDT on bundled daily BTC, JSON only on stdout", async () => {
    expect((await cli("data", "import", "data/binance_BTC-USDT_1d.csv")).code).toBe(0);
    const r = await cli(
      "--json",
      "model",
      "evaluate",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--horizons",
      "1,7",
      "--folds",
      "3",
      "--models",
      "drift,ar,ridge,logistic,gbdt",
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      series: { bars: number };
      evaluation: {
        results: {
          model: string;
          horizon: number;
          beatsBaseline: boolean;
          role: string;
          metrics: { n: number };
        }[];
      };
    };
    expect(out.series.bars).toBe(1825);
    const models = new Set(out.evaluation.results.map((x) => x.model));
    expect([...models]).toEqual([
      "random-walk",
      "last-sign",
      "always-up",
      "drift",
      "ar",
      "ridge",
      "logistic",
      "gbdt",
    ]);
    for (const x of out.evaluation.results) {
      expect([1, 7]).toContain(x.horizon);
      expect(typeof x.beatsBaseline).toBe("boolean");
      if (x.role === "naive") expect(x.beatsBaseline).toBe(false);
      expect(x.metrics.n).toBeGreaterThan(300);
    }
  });

  it("prints the side-by-side table, and refuses a bad horizon with one line", async () => {
    const r = await cli(
      "model",
      "evaluate",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--horizons",
      "1",
      "--folds",
      "2",
      "--models",
      "ar",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/model\s+role\s+h\s+MAPE price/);
    expect(r.out).toMatch(/random-walk\s+naive\s+1\s+\d/);
    const bad = await cli(
      "model",
      "evaluate",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--horizons",
      "0",
    );
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split("\n")).toHaveLength(1);
    expect(bad.err).toMatch(/--horizons/);
  });
});
