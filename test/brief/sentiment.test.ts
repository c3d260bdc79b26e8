import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluateSentiment } from "../../src/app/sentiment-evaluate.ts";
import { scoreHeadline, scoreSentiment } from "../../src/app/sentiment-score.ts";
import { evaluateLabels } from "../../src/sentiment/evaluate.ts";
import { detectLang } from "../../src/sentiment/score.ts";
import { evaluationTable } from "../../src/shells/cli/commands/sentiment.ts";
import { ROOT } from "../support/cli.ts";

describe("headline sentiment", () => {
  it("English: phrases before words, negation flips, intensifiers scale (AFINN financial values by hand)", () => {
    const a = scoreHeadline("Exchange halts withdrawals after hack", "en");
    expect(a.hits).toEqual([
      { term: "halts withdrawals", value: -4 },
      { term: "hack", value: -3 },
    ]);
    expect(a.label).toBe("negative");
    expect(scoreHeadline("rug pull drains the pool", "en").hits[0]).toEqual({ term: "rug pull", value: -4 });
    expect(scoreHeadline("SEC grants ETF approval", "en").label).toBe("positive");
    const neg = scoreHeadline("Analysts are not bullish", "en");
    expect(neg.score).toBe(-2);
    expect(scoreHeadline("extremely bullish", "en").score).toBe(4);
  });

  it("German: kairos's lexicon, crypto phrases, negation and intensifiers", () => {
    expect(scoreHeadline("Börse: Auszahlungen gestoppt", "de").hits).toEqual([
      { term: "auszahlungen gestoppt", value: -4 },
    ]);
    expect(scoreHeadline("Bitcoin-ETF-Zulassung beflügelt den Kurs", "de").label).toBe("positive");
    expect(scoreHeadline("Keine Krise in Sicht", "de").score).toBe(3);
    expect(scoreHeadline("sehr schlechte Zahlen", "de").score).toBe(-3);
    expect(scoreHeadline("Der Kurs bleibt unverändert", "de").label).toBe("neutral");
    expect(detectLang("Der Kurs fällt und die Anleger sind besorgt")).toBe("de");
    expect(detectLang("The price falls and investors are worried")).toBe("en");
    expect(scoreSentiment({ text: "Die Kurse fallen nach dem Hackerangriff" })[0]!.lang).toBe("de");
  });

  it("accuracy and macro-F1 equal hand-computed values; the interval holds the value", () => {
    const truth = ["positive", "positive", "negative", "neutral", "neutral", "neutral"] as const;
    const pred = ["positive", "neutral", "negative", "neutral", "neutral", "positive"] as const;
    const e = evaluateLabels([...truth], [...pred], 500);
    expect(e.accuracy.value).toBeCloseTo(4 / 6, 12);
    // F1: positive 2·1/(2+1+1) = 0.5, negative 1, neutral 2·2/(4+1+1) = 2/3
    expect(e.macroF1.value).toBeCloseTo((0.5 + 1 + 2 / 3) / 3, 12);
    expect(e.accuracy.low).toBeLessThanOrEqual(e.accuracy.value);
    expect(e.accuracy.high).toBeGreaterThanOrEqual(e.accuracy.value);
  });

  it("the README holds the evaluate table of both bundled labelled sets, as the command prints it now", () => {
    const readme = readFileSync(`${ROOT}/README.md`, "utf8");
    for (const [file, lang] of [
      ["twitter_financial_news_en.csv", "en"],
      ["gerntsa_de.csv", "de"],
    ] as const) {
      const csv = readFileSync(`${ROOT}/data/sentiment/${file}`, "utf8");
      const tableText = evaluationTable(evaluateSentiment({ csv, lang }));
      expect(readme).toContain(tableText);
    }
  }, 60_000);
});

describe("headline sentiment on words that name Object's own properties", () => {
  it("'constructor', 'toString' and 'valueOf' score 0, not NaN", async () => {
    const { scoreHeadline } = await import("../../src/app/sentiment-score.ts");
    for (const lang of ["en", "de"] as const) {
      const s = scoreHeadline(
        "The constructor of toString valueOf hasOwnProperty very constructor gains",
        lang,
      );
      expect(Number.isFinite(s.score)).toBe(true);
      expect(s.hits.every((h) => h.term !== "constructor")).toBe(true);
    }
  });
});
