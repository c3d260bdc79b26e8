import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/shells/cli/main.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-screen-cli-"));
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

describe("kairos screen", () => {
  it("screens, stores the run, and `screen show` reopens the same result", async () => {
    expect((await cli("data", "import", "data/binance_BTC-USDT_1d.csv")).code).toBe(0);
    expect((await cli("data", "import", "data/binance_ETH-USDT_1d.csv")).code).toBe(0);
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
    const run = JSON.parse(r.out) as {
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
    expect(JSON.parse(shown.out)).toEqual(run);
    const text = await cli("screen", "show", run.id, "--top", "5");
    const first = text.out.split("\n")[0]!;
    expect(first).toMatch(
      /^(Nothing passed the gate .*hold the baseline, buy-and-hold|\d+ of 30 variants passed)/,
    );
    expect(text.out).toMatch(/rank +family +params +symbol +OOS Sharpe +deflated +max DD +vs B&H +verdict/);
    const list = await cli("screen", "list");
    expect(list.out).toContain(run.id);
  });

  it("names the problem on bad input", async () => {
    const r = await cli("screen", "--universe", "memecoins");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown universe "memecoins": use one of ai-tokens, majors/);
    const s = await cli("screen", "show", "missing-run");
    expect(s.code).toBe(4);
    const k = await cli("screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--set", "foldz=3");
    expect(k.code).toBe(2);
    expect(k.err).toMatch(/unknown screen validation setting foldz: use one of walkForwardFolds/);
  });
});
