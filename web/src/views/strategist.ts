// The strategist's answer: the ensemble's current signals with their explanations, what would change
// them, regime and risk, and how often each kind of signal was right out of sample beside its baseline.
// It is the brief's ensemble part (from the newest stored screen run on the timeframe).
import { card, field, h, messageOf, notYet, num, replace, table } from "../dom.ts";
import type { SeriesSummary } from "../types.ts";
import type { View } from "../view.ts";
import { type BriefLine, briefTimeframes, readBrief } from "./brief.ts";

interface Explanation {
  symbol: string;
  timeframe: string;
  barTime: string;
  close: number;
  action: string;
  exposurePct: number;
  votes: { family: string; params: { name: string; value: number }[]; votePct: number; weightPct: number }[];
  conditions: { family: string; template: string; values: number[] }[];
  regime: {
    trend: string;
    volatility: string;
    volatilityPercentile: number;
    closeVsAveragePct: number;
    averageBars: number;
  };
  confidence: { pct: number; label: string };
  flip: {
    family: string;
    direction: string;
    price: number;
    distancePct: number;
    exposureAfterPct: number;
  } | null;
  risk: {
    volatilityPct: number;
    ensembleDrawdownPct: number;
    ensembleMaxDrawdownPct: number;
    btcCorrelation: number | null;
  };
}

const fill = (template: string, values: number[]): string => {
  let i = 0;
  return template.replace(/\{\}/g, () => num(values[i++] ?? Number.NaN));
};

function explanationCard(e: Explanation): HTMLElement {
  return h(
    "section",
    { class: "card signal", "aria-label": `Signal ${e.symbol}` },
    h(
      "h2",
      {},
      `${e.symbol} ${e.timeframe}: ${e.action.toUpperCase()} ${num(e.exposurePct)}% (confidence ${e.confidence.label}, ${num(e.confidence.pct)}%)`,
    ),
    h("p", { class: "note" }, `At the close of ${e.barTime}: ${num(e.close)}`),
    h("h3", {}, "Why"),
    h("ul", {}, ...e.conditions.map((c) => h("li", {}, `${c.family}: ${fill(c.template, c.values)}`))),
    table(
      `Votes for ${e.symbol}`,
      ["Member", "Parameters", "Vote", "Weight"],
      e.votes.map((v) => [
        v.family,
        v.params.map((p) => `${p.name} ${p.value}`).join(", "),
        `${num(v.votePct)}%`,
        `${num(v.weightPct)}%`,
      ]),
    ),
    h("h3", {}, "What would change it"),
    h(
      "p",
      {},
      e.flip === null
        ? "No single next close within reach flips a weighted member."
        : `A close ${e.flip.direction} ${num(e.flip.price)} (${num(e.flip.distancePct)}% away) flips ${e.flip.family}; the ensemble would then hold ${num(e.flip.exposureAfterPct)}%.`,
    ),
    h("h3", {}, "Regime and risk"),
    h(
      "p",
      {},
      `Trend ${e.regime.trend} (close ${num(e.regime.closeVsAveragePct)}% vs its ${e.regime.averageBars}-bar average), volatility ${e.regime.volatility} (percentile ${num(e.regime.volatilityPercentile)}); annualised volatility ${num(e.risk.volatilityPct)}%, ensemble drawdown ${num(e.risk.ensembleDrawdownPct)}% (max ${num(e.risk.ensembleMaxDrawdownPct)}%)${e.risk.btcCorrelation === null ? "" : `, correlation with BTC ${num(e.risk.btcCorrelation)}`}.`,
    ),
  );
}

export const strategistView: View = async ({ api, main }) => {
  if (!api.has("brief")) {
    replace(
      main,
      h("h1", {}, "The strategist's answer"),
      card("Signals", notYet("Signals", "the brief route", "kairos strategist")),
    );
    return;
  }
  const list = await api.op<{ series: SeriesSummary[] }>("data_list");
  const tfs = briefTimeframes(list.series);
  const tf = h(
    "select",
    { id: "strat-tf" },
    ...tfs.map((t) => h("option", { value: t.timeframe }, t.timeframe)),
  );
  const out = h("div", { id: "strat-out" });
  const show = async (): Promise<void> => {
    const t = tfs.find((x) => x.timeframe === tf.value);
    if (t === undefined) return;
    replace(out, "Building the ensemble's answer…");
    try {
      const b = await readBrief(api, t.timeframe, t.symbols);
      const exps = (b.explanations ?? []) as Explanation[];
      const lines = b.brief.lines;
      const hit = lines.filter((l: BriefLine) => l.kind === "hit-rate");
      const none = lines.findIndex((l) => l.kind === "signals-none");
      replace(
        out,
        exps.length === 0
          ? h(
              "p",
              { class: "not-yet", role: "note" },
              none >= 0 ? (b.text[none] ?? "") : "No ensemble signals: ",
              " The ensemble comes from a stored screen run on this timeframe; start one on the Research page or with ",
              h("code", {}, "kairos screen"),
              ".",
            )
          : h("div", {}, ...exps.map(explanationCard)),
        card(
          "How often each kind of signal was right out of sample",
          hit.length === 0
            ? h("p", {}, "No out-of-sample hit rates without an ensemble.")
            : table(
                "Out-of-sample hit rates beside their baselines",
                ["Signal", "Right", "Hit rate (95% interval)", "Baseline", "Horizon"],
                hit.map((l) => {
                  const p = l.params;
                  return [
                    `${p.family} ${p.direction}`,
                    `${p.right} of ${p.signals}`,
                    `${p.ratePct}% (${p.lowPct}–${p.highPct}%)`,
                    `${p.baselinePct}%`,
                    `${p.horizonBars} bar${p.horizonBars === 1 ? "" : "s"}`,
                  ];
                }),
              ),
        ),
      );
    } catch (e) {
      replace(out, h("p", { class: "status error" }, messageOf(e)));
    }
  };
  tf.addEventListener("change", () => void show());
  replace(
    main,
    h("h1", {}, "The strategist's answer"),
    h("div", { class: "toolbar" }, field("strat-tf", "Timeframe", tf)),
    out,
  );
  await show();
};
