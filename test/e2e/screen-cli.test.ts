import { describe, expect, it } from "vitest";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-screen-cli-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
const cli = (...args: string[]) => runKairosInProcess(args, { home });

describe("kairos screen", () => {
  it("screens, stores the run, and `screen show` reopens the same result", async () => {
    const r = await cli(
      "--json",
      "screen",
      "--symbols",
      "BTC/USDT,ETH/USDT",
      "--timeframe",
      "1d",
      "--variants",
      "30",
      "--seed",
      "5",
      // the strategist report has its own tests; this one is about the screen and its store
      "--no-report",
    );
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as {
      id: string;
      trials: number;
      config: Record<string, number>;
      variants: {
        params: object;
        oos: { sharpeAnnual: number };
        dsr: { probability: number };
        familyPbo: number;
        passed: boolean;
        reasons: string[];
      }[];
    };
    expect(run.trials).toBe(30);
    expect(run.config.walkForwardFolds).toBe(5);
    expect(run.variants).toHaveLength(30);
    for (const v of run.variants) {
      expect(typeof v.passed).toBe("boolean");
      expect(v.reasons.length).toBeGreaterThanOrEqual(4);
      expect(v.reasons[0]).toMatch(/^(pass|fail): deflated Sharpe probability/);
    }
    const shown = await cli("--json", "screen", "show", run.id);
    expect(JSON.parse(shown.stdout)).toEqual(run);
    const text = await cli("screen", "show", run.id, "--top", "5");
    const first = text.stdout.split("\n")[0]!;
    expect(first).toMatch(
      /^(Nothing passed the gate .*hold the baseline, buy-and-hold|\d+ of 30 variants passed)/,
    );
    expect(text.stdout).toMatch(
      /rank +family +params +symbol +OOS Sharpe +deflated +max DD +vs B&H +trades +OOS bars +verdict/,
    );
    const list = await cli("screen", "list");
    expect(list.stdout).toContain(run.id);
  });

  it("names the problem on bad input", async () => {
    const r = await cli("screen", "--universe", "memecoins");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown universe "memecoins": use one of ai-tokens, majors/);
    const s = await cli("screen", "show", "missing-run");
    expect(s.code).toBe(4);
    const k = await cli("screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--set", "foldz=3");
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/unknown screen validation setting foldz: use one of walkForwardFolds/);
  });
});
