// `kairos strategies list|show` read the registry, and every command that takes a family names them all in
// its --help. The expected names and figures come from the registries and zod schemas themselves.
import { describe, expect, it } from "vitest";
import { SCREEN_REGISTRY } from "../../src/research/screen-catalog.ts";
import { buyAndHoldFamily } from "../../src/strategies/catalog.ts";
import { FAMILIES, getFamily } from "../../src/strategies/registry.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";

const home = tempHome("kairos-strategies-cli-");
const cli = (...args: string[]) => runKairosInProcess(args, { home });

interface Info {
  name: string;
  kind: string;
  optIn: boolean;
  warmup: number;
  params: {
    name: string;
    type: string;
    default: unknown;
    min: number | null;
    max: number | null;
    meaning: string;
  }[];
  forms: { event: boolean; sweep: boolean; basket: boolean; screen: boolean };
}

describe("kairos strategies", () => {
  it("list names every family of the registries with its forms, warm-up and defaults", async () => {
    const r = await cli("--json", "strategies", "list");
    expect(r.code).toBe(0);
    const all = JSON.parse(r.stdout) as Info[];
    const expected = new Set([...Object.keys(FAMILIES), ...SCREEN_REGISTRY.keys(), buyAndHoldFamily.name]);
    expect(new Set(all.map((s) => s.name))).toEqual(expected);
    // today: 15 screenable families (4 + 11), model-sign opt-in, buy-and-hold baseline
    expect(all.length).toBeGreaterThanOrEqual(17);
    for (const s of all) {
      if (s.kind === "basket") {
        expect(s.forms).toEqual({ event: false, sweep: false, basket: true, screen: true });
        continue;
      }
      if (s.kind === "baseline") continue;
      const f = getFamily(s.name)!;
      const defaults = f.params.parse({}) as Record<string, unknown>;
      expect(s.warmup).toBe(f.warmup(defaults));
      expect(Object.fromEntries(s.params.map((p) => [p.name, p.default]))).toEqual(defaults);
      expect(s.forms.event).toBe(true);
      // every parameter has bounds where the schema has them, and words for what it does
      for (const p of s.params) {
        expect(p.meaning).not.toBe("no description recorded");
        if (p.type !== "boolean") expect(p.min !== null && p.max !== null).toBe(true);
      }
    }
    const text = await cli("strategies", "list");
    for (const s of all) expect(text.stdout).toMatch(new RegExp(`^${s.name.replace(/[()]/g, "\\$&")} `, "m"));
    expect(text.stdout).toContain(`${all.length} families`);
  });

  it("show prints parameters with default, bounds and meaning, warm-up, forms and runnable examples", async () => {
    const r = await cli("strategies", "show", "regime-filter(zscore-reversion)");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^forms {6}event, sweep$/m);
    expect(r.stdout).toMatch(/^warm-up {4}200 bars with the defaults/m);
    expect(r.stdout).toMatch(/--regime +integer +0 +0 +1 +which regime lets trades through: 0 = trend/);
    expect(r.stdout).toMatch(/--entry-z +number +2 +0\.5 +5 +enter when the z-score/);
    expect(r.stdout).toContain("kairos backtest 'regime-filter(zscore-reversion)' --symbol BTC/USDT");
    const basket = await cli("strategies", "show", "xs-momentum");
    expect(basket.stdout).toMatch(/^forms {6}basket$/m);
    expect(basket.stdout).toMatch(/^kind {7}basket/m);
    const bad = await cli("strategies", "show", "smacross");
    expect(bad.code).toBe(4);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/no strategy family "smacross": use one of sma-cross, ema-cross/);
  });

  it("backtest, sweep and screen --help name every family they run", async () => {
    const all = JSON.parse((await cli("--json", "strategies", "list")).stdout) as Info[];
    const help = async (...args: string[]) => {
      const r = await cli(...args, "--help");
      return (r.stdout + r.stderr).replace(/\s+/g, " ");
    };
    const backtest = await help("backtest");
    const sweep = await help("sweep");
    const screen = await help("screen");
    for (const s of all) {
      if (s.forms.event) expect(backtest).toContain(s.name);
      if (s.forms.sweep) expect(sweep).toContain(s.name);
      if (s.forms.screen) expect(screen).toContain(s.name);
    }
    expect(all.filter((s) => s.forms.event).length).toBeGreaterThanOrEqual(16);
  });
});
