// The German explanation paragraph (the assistant's answer to a German "warum ...?"): every
// condition template every family produces has a German rule (none falls back to English), at many
// cut points of the bundled ETH 1d series so both directions of each template occur, and the German
// paragraph carries exactly the numbers of the English one
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { conditionTextDe, explanationParagraphDe } from "../../src/explain/brief/explanation-de.ts";
import { describeConditions } from "../../src/explain/conditions.ts";
import { conditionText, explanationParagraph } from "../../src/explain/paragraph.ts";
import type { SignalExplanation } from "../../src/explain/types.ts";
import { SCREEN_REGISTRY } from "../../src/research/screen-catalog.ts";
import { type AnySingleFamily, isBasket } from "../../src/strategies/catalog.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
// numbers as written: 1.75 in English is 1,75 in German
const numbersOf = (t: string, de: boolean): string[] =>
  (t.match(de ? /-?\d+(?:,\d+)?/g : /-?\d+(?:\.\d+)?/g) ?? []).map((x) => x.replace(",", "."));

describe("German explanations", () => {
  it("every family's condition templates translate, in both directions, with the English text's numbers", () => {
    const singles = [...SCREEN_REGISTRY.values()].filter((f): f is AnySingleFamily => !isBasket(f));
    const names = singles.flatMap((f) => [f.name, `vol-target(${f.name})`, `regime-filter(${f.name})`]);
    const seen = new Set<string>();
    for (const cut of [400, 700, 1000, 1300, eth.ts.length]) {
      const s = sliceSeries(eth, 0, cut);
      for (const name of names) {
        const base = singles.find((f) => name === f.name || name.endsWith(`(${f.name})`))!;
        if (base.name === "model-sign" && cut !== eth.ts.length) continue; // trains a model: once is enough
        for (const regime of [0, 1]) {
          const p = { ...(base.params.parse({}) as Record<string, number | boolean>), regime };
          for (const c of describeConditions(name, s, p, base.exposures(s, p))) {
            seen.add(c.template);
            const de = conditionTextDe(c);
            expect(de, `${name}: ${c.template}`).not.toContain("(auf Englisch)");
            expect(numbersOf(de, true).sort(), de).toEqual(numbersOf(conditionText(c), false).sort());
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(15);
  }, 120_000);

  it("the paragraph says the English paragraph's numbers, in German, for the golden explanations", () => {
    const golden = JSON.parse(
      readFileSync(join(import.meta.dirname, "../golden/explain-signals.json"), "utf8"),
    ) as Record<string, SignalExplanation>;
    for (const e of Object.values(golden)) {
      const de = explanationParagraphDe(e);
      const en = explanationParagraph(e);
      // the bar time and symbol carry digits in both; everything else is the record's numbers
      expect(numbersOf(de, true).sort()).toEqual(numbersOf(en, false).sort());
      expect(de).toMatch(/^\S+ auf \S+-Balken, zum Schluss von /);
      expect(de).not.toMatch(/\b(the|votes|with|of equity)\b/);
    }
  });
});
