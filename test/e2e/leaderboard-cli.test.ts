// The terminal leaderboards as a trader reads them: every parameter in full, trades and out-of-sample bars,
// a note on a symbol with too little data, coded parameters spelled out, `screen show --top N` honoured,
// and `screen list` saying what each run was
import { describe, expect, it } from "vitest";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

// RENDER/USDT has 1,025 hourly bars, NEAR/USDT 6,001: RENDER is the thin one
const home = bundledHome("kairos-leaderboard-cli-", [
  "binance_RENDER-USDT_1h.csv",
  "binance_NEAR-USDT_1h.csv",
]);
const cli = (...args: string[]) => runKairosInProcess(args, { home });

describe("screen leaderboards", () => {
  it("show full parameters, trades, OOS bars, the sample-size note; --top is honoured; list says what each run was", async () => {
    const r = await cli(
      "--json",
      "screen",
      "--symbols",
      "RENDER/USDT,NEAR/USDT",
      "--timeframe",
      "1h",
      "--families",
      "regime-filter(zscore-reversion),vol-target(supertrend)",
      "--variants",
      "24",
      "--seed",
      "3",
      "--no-report",
    );
    expect(r.stderr).not.toMatch(/kairos:/);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as {
      id: string;
      variants: {
        family: string;
        symbol: string;
        params: Record<string, number>;
        oos: { trades: number; bars: number };
      }[];
    };
    for (const top of ["3", "7"]) {
      const text = await cli("screen", "show", run.id, "--top", top);
      expect(text.code).toBe(0);
      const lines = text.stdout.split("\n");
      const head = lines.findIndex((l) => l.startsWith("rank"));
      expect(lines[head]).toMatch(
        /rank +family +params +symbol +OOS Sharpe +deflated +max DD +vs B&H +trades +OOS bars +verdict/,
      );
      const rows = lines.slice(head + 1).filter((l) => /^\d+ /.test(l));
      expect(rows).toHaveLength(Number(top));
      expect(text.stdout).toContain(`(${top} of 24 variants shown`);
      rows.forEach((row, k) => {
        const v = run.variants[k]!;
        expect(row).not.toContain("~");
        // every parameter, in full; regime-filter's regime code spelled out
        for (const [name, value] of Object.entries(v.params)) {
          if (name === "regime") expect(row).toContain(`regime=${value === 0 ? "trend" : "calm"}`);
          else expect(row).toContain(`${name}=${value}`);
        }
        expect(row).not.toMatch(/regime=[01]\b/);
        const cells = row.trim().split(/ {2,}/);
        expect(cells).toContain(String(v.oos.trades));
        expect(cells).toContain(v.oos.bars.toLocaleString("en-US"));
      });
    }
    const text = await cli("screen", "show", run.id, "--top", "24");
    expect(text.stdout).toMatch(/RENDER\/USDT\*/);
    expect(text.stdout).toMatch(
      /\* RENDER\/USDT: only [\d,]+ out-of-sample bars \(\d+ days\) against [\d,]+ for the longest symbol: too little data to judge/,
    );
    expect(text.stdout).not.toMatch(/NEAR\/USDT\*/);

    const list = await cli("screen", "list");
    expect(list.code).toBe(0);
    const [listHead, row] = list.stdout.trim().split("\n");
    expect(listHead).toMatch(
      /^run +created \(UTC\) +universe +tf +preset +symbols +variants +passed +best variant/,
    );
    expect(row).toContain(run.id);
    expect(row).toMatch(/ custom +1h +all families +RENDER\/USDT,NEAR\/USDT +24 +\d+ +/);
    const best = run.variants[0]!;
    expect(row).toContain(`${best.family} `);
    expect(row).toMatch(/(PASS|fail)$/);
  });
});
