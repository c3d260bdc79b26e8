// Issue 20's questions on the bundled data (the AI tokens end 2024-09-06, BTC 2025-09-18), asked
// through the CLI without a model: "why is the ensemble long NEAR?" and "how did TAO do against BTC
// this week?" in English and German are answered in the question's language; the 7-day returns equal
// an independent computation from the bundled candles over the same seven days; a question outside
// the router's three is refused, saying plainly what it answers.
import { beforeAll, describe, expect, it } from "vitest";
import { explanationParagraphDe } from "../../src/explain/brief/explanation-de.ts";
import { explanationParagraph } from "../../src/explain/paragraph.ts";
import type { SignalExplanation } from "../../src/explain/types.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const FILES = ["BTC", "TAO", "NEAR", "FET", "RENDER", "AR", "ARKM", "ICP", "IO", "WLD"].map(
  (b) => `binance_${b}-USDT_1d.csv`,
);
const DAY = 86_400_000;

/** close at the last bar over close at the bar at or before 7 days earlier, minus 1, in percent to 0.1 */
function week(base: string, endTs: number): number {
  const s = loadBundledSeries("binance", `${base}/USDT`, "1d");
  let i = s.ts.length - 1;
  while (s.ts[i]! > endTs) i--;
  let j = i;
  while (s.ts[j]! > s.ts[i]! - 7 * DAY) j--;
  return Math.round((s.close[i]! / s.close[j]! - 1) * 1000) / 10;
}

async function ask(home: string, question: string) {
  delete process.env.KAIROS_LLM_URL;
  const r = await runKairosInProcess(["--json", "ask", question], { home });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { answer: string; answered: boolean; lang: string; by: string };
}

describe("kairos ask on the bundled AI tokens", () => {
  const home = bundledHome("kairos-ask-bundled-", FILES);
  let near: SignalExplanation;
  beforeAll(async () => {
    const sc = await runKairosInProcess(
      ["screen", "--universe", "ai-tokens", "--timeframe", "1d", "--variants", "40", "--no-report"],
      { home },
    );
    if (sc.code !== 0) throw new Error(sc.stderr);
    const b = await runKairosInProcess(["--json", "brief", "--timeframe", "1d", "--no-save"], { home });
    near = (JSON.parse(b.stdout) as { explanations: SignalExplanation[] }).explanations.find(
      (x) => x.symbol === "NEAR/USDT",
    )!;
    expect(near).toBeDefined();
  }, 180_000);

  it("why is the ensemble long NEAR? (en, de): the explanation in the question's language, a wrong premise corrected", async () => {
    const en = await ask(home, "Why is the ensemble long NEAR?");
    expect(en).toMatchObject({ answered: true, by: "router", lang: "en" });
    expect(en.answer.endsWith(explanationParagraph(near))).toBe(true);
    const de = await ask(home, "Warum ist das Ensemble long NEAR?");
    expect(de).toMatchObject({ answered: true, by: "router", lang: "de" });
    expect(de.answer.endsWith(explanationParagraphDe(near))).toBe(true);
    expect(de.answer).not.toContain("the ensemble");
    if (near.action !== "long") {
      expect(en.answer.split("\n")[0]).toBe(
        `The ensemble is not long NEAR/USDT: it is ${near.action} (target ${near.exposurePct}% of equity at the close of ${near.barTime}).`,
      );
      expect(de.answer.split("\n")[0]).toMatch(
        /^Das Ensemble ist nicht long in NEAR\/USDT, sondern (neutral|short) /,
      );
    }
  });

  it("how did TAO do against BTC this week? (en, de): both returns over the same 7 days, equal to the candles'", async () => {
    const tao = loadBundledSeries("binance", "TAO/USDT", "1d");
    const end = tao.ts[tao.ts.length - 1]!;
    const t = week("TAO", end);
    const b = week("BTC", end); // BTC's own data run a year longer: read at TAO's last bar
    const gap = Math.round(Math.abs(t - b) * 10) / 10;
    const en = await ask(home, "How did TAO do against BTC this week?");
    expect(en).toMatchObject({ answered: true, lang: "en" });
    expect(en.answer).toBe(
      `TAO/USDT over the 7 days to 2024-09-06: ${t}%; BTC/USDT over the same week: ${b}%; TAO did ${gap} percentage points ${t >= b ? "better" : "worse"} than BTC`,
    );
    const de = await ask(home, "Wie lief TAO gegen BTC diese Woche?");
    const d = (x: number) => `${String(x).replace(".", ",")} %`;
    expect(de).toMatchObject({ answered: true, lang: "de" });
    expect(de.answer).toBe(
      `TAO/USDT über die 7 Tage bis 2024-09-06: ${d(t)}; BTC/USDT in derselben Woche: ${d(b)}; TAO lag damit ${String(gap).replace(".", ",")} Prozentpunkte ${t >= b ? "besser" : "schlechter"} als BTC`,
    );
  });

  it("a question it cannot answer is refused plainly, in the question's language", async () => {
    const en = await ask(home, "Should I buy NEAR now?");
    expect(en).toMatchObject({ answered: false, lang: "en" });
    expect(en.answer).toContain("I answer only");
    const de = await ask(home, "Soll ich jetzt NEAR kaufen?");
    expect(de).toMatchObject({ answered: false, lang: "de" });
    expect(de.answer).toContain("beantworte ich nur");
  });
});
