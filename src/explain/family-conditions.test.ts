import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { macd } from "../indicators/macd.ts";
import { SCREEN_REGISTRY } from "../research/screen-catalog.ts";
import { type AnySingleFamily, isBasket } from "../strategies/catalog.ts";
import { describeConditions, heldFor } from "./conditions.ts";
import { type ExplainMember, explainSignal } from "./explain-signal.ts";
import { conditionText, explanationParagraph } from "./paragraph.ts";

const eth = loadBundledSeries("binance", "ETH/USDT", "1d");

describe("condition describers", () => {
  const singles = [...SCREEN_REGISTRY.values()].filter((f): f is AnySingleFamily => !isBasket(f));

  it("describe every single-symbol family with digit-free templates and one finite value per placeholder", () => {
    expect(singles.length).toBeGreaterThanOrEqual(12);
    for (const fam of singles) {
      const p = fam.params.parse({}) as Record<string, number | boolean>;
      const conds = describeConditions(fam.name, eth, p, fam.exposures(eth, p));
      expect(conds.length, fam.name).toBeGreaterThan(0);
      // only families without a describer fall back to "has been long/flat for N bars"
      if (fam.name !== "buy-and-hold") expect(conds[0]!.template, fam.name).not.toMatch(/^has been/);
      for (const c of conds) {
        expect(c.template).not.toMatch(/\d/);
        expect(c.template.match(/\{\}/g)?.length ?? 0).toBe(c.values.length);
        for (const v of c.values) expect(Number.isFinite(v), `${fam.name}: ${conditionText(c)}`).toBe(true);
      }
    }
  });

  it("count the bars since MACD crossed its signal independently", () => {
    const m = macd(eth.close, 12, 26, 9);
    const n = eth.close.length;
    let k = 0;
    while (m.hist[n - 2 - k]! > 0 === m.hist[n - 1]! > 0) k++;
    const c = describeConditions("macd", eth, { fast: 12, slow: 26, signal: 9 }, new Float64Array(n))[0]!;
    expect(c.values.slice(0, 4)).toEqual([12, 26, 9, k]);
    expect(c.template).toContain(m.hist[n - 1]! > 0 ? "above" : "below");
  });

  it("unwrap vol-target and regime-filter around the inner family and fall back for unknown ones", () => {
    const p = {
      fast: 12,
      slow: 26,
      signal: 9,
      targetVol: 0.5,
      volLookback: 30,
      regime: 0,
      regimeLength: 100,
    };
    const n = eth.close.length;
    const vt = describeConditions("vol-target(macd)", eth, p, new Float64Array(n));
    expect(vt.map((c) => c.template.split(" ")[0])).toEqual(["MACD", "scaled"]);
    const rf = describeConditions("regime-filter(macd)", eth, p, new Float64Array(n));
    expect(rf[1]!.template).toMatch(/^trend filter: the close is (above|below) its \{\} bar average/);
    expect(describeConditions("mystery", eth, {}, new Float64Array(n).fill(1))).toEqual(
      heldFor("mystery", eth, {}, new Float64Array(n).fill(1)),
    );
  });

  it("keep the paragraph to the record's numbers with every family voting", () => {
    const members: ExplainMember[] = singles.map((fam, i) => {
      const p = fam.params.parse({}) as Record<string, number | boolean>;
      return {
        id: fam.name,
        family: fam.name,
        params: p,
        weight: 0.01 * (i + 1),
        exposure: fam.exposures(eth, p),
        exposures: (s) => fam.exposures(s, p),
      };
    });
    const rec = explainSignal({
      series: eth,
      members,
      exposure: 0.3,
      ensembleDrawdown: 0.1,
      ensembleMaxDrawdown: 0.2,
      maxVotes: 20,
      maxConditions: 20,
    });
    const nums: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "number") nums.push(v);
      else if (v !== null && typeof v === "object") for (const x of Object.values(v)) walk(x);
    };
    walk(rec);
    let text = explanationParagraph(rec);
    for (const str of [rec.barTime, rec.timeframe]) text = text.split(str).join(" ");
    const said = (text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number).sort((a, b) => a - b);
    expect(said).toEqual(nums.sort((a, b) => a - b));
  });
});
