import { num as numEn } from "../format.ts";
import type { Condition, MemberVote, SignalExplanation } from "../types.ts";

/**
 * The German paragraph of a signal explanation, sentence for sentence the English one of
 * explain/paragraph.ts, from the same record and with the same numbers (decimal comma), so the
 * assistant answers a German question in German. The families' condition templates are English:
 * the known ones are translated by the table below; one it does not know is quoted in English.
 */
const num = (x: number): string => numEn(x).replace(".", ",");

const paramsText = (ps: readonly { name: string; value: number }[]): string =>
  ps.length === 0 ? "" : ` (${ps.map((p) => `${p.name} ${num(p.value)}`).join(", ")})`;

const stanceWord = (v: number): string => (v > 0 ? "long" : v < 0 ? "short" : "neutral");

const voteText = (v: MemberVote): string =>
  `${v.family}${paramsText(v.params)} stimmt ${stanceWord(v.votePct)} mit ${num(v.votePct)} % bei ${num(v.weightPct)} % des Kapitals`;

const DE: Record<string, string> = {
  above: "über",
  below: "unter",
  up: "oben",
  down: "unten",
  long: "long",
  short: "short",
  flat: "neutral",
  allowed: "erlaubt",
  blocked: "gesperrt",
};

// English condition template (digit-free, "{}" placeholders) -> German, in the order of the values
const RULES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^has been (long|short|flat) for \{\} bars$/, (m) => `ist seit {} Balken ${DE[m[1]!]}`],
  [
    /^(SMA|EMA) \{\} crossed (above|below) (?:SMA|EMA) \{\} \{\} bars ago and sits \{\}% from it$/,
    (m) => `${m[1]} {} kreuzte ${m[1]} {} vor {} Balken nach ${DE[m[2]!]} und liegt {} % davon entfernt`,
  ],
  [
    /^RSI \{\} at \{\} \(buys below \{\}, sells above \{\}\)$/,
    () => "RSI {} bei {} (kauft unter {}, verkauft über {})",
  ],
  [
    /^close at \{\} against the \{\} bar high of \{\} and the \{\} bar low of \{\}$/,
    () => "Schlusskurs {} gegen das {}-Balken-Hoch von {} und das {}-Balken-Tief von {}",
  ],
  [
    /^MACD \(\{\}, \{\}, \{\}\) is (above|below) its signal line since \{\} bars, histogram at \{\}$/,
    (m) => `MACD ({}, {}, {}) liegt seit {} Balken ${DE[m[1]!]} seiner Signallinie, Histogramm bei {}`,
  ],
  [
    /^Supertrend \(\{\}, \{\}\) has pointed (up|down) for \{\} bars$/,
    (m) => `Supertrend ({}, {}) zeigt seit {} Balken nach ${DE[m[1]!]}`,
  ],
  [
    /^close at \{\} against the Bollinger \(\{\}, \{\}\) lower band at \{\} and middle at \{\}$/,
    () => "Schlusskurs {} gegen das untere Bollinger-Band ({}, {}) bei {} und die Mitte bei {}",
  ],
  [
    /^z-score of the close over \{\} bars at \{\} \(buys below \{\}, sells above \{\}\)$/,
    () => "z-Wert des Schlusskurses über {} Balken bei {} (kauft unter {}, verkauft über {})",
  ],
  [
    /^ADX \{\} at \{\} \(needs above \{\}\), plus DI at \{\} against minus DI at \{\}$/,
    () => "ADX {} bei {} (braucht über {}), plus-DI bei {} gegen minus-DI bei {}",
  ],
  [
    /^close \{\}% from its \{\} bar anchor at \{\}, \{\} of \{\} grid levels filled \(\{\}% apart\)$/,
    () => "Schlusskurs {} % von seinem {}-Balken-Anker bei {}, {} von {} Gitterstufen gefüllt ({} % Abstand)",
  ],
  [
    /^adds \{\}% of equity every \{\} bars and holds \{\}% now$/,
    () => "kauft {} % des Kapitals alle {} Balken zu und hält jetzt {} %",
  ],
  [
    /^scaled to a \{\}% volatility target against \{\}% realised over \{\} bars$/,
    () => "skaliert auf ein Volatilitätsziel von {} % gegen {} % realisiert über {} Balken",
  ],
  [
    /^(trend filter: the close is|calm filter: volatility is) (above|below) its \{\} bar average, so trades are (allowed|blocked)$/,
    (m) =>
      `${m[1]!.startsWith("trend") ? "Trendfilter: der Schlusskurs liegt" : "Ruhefilter: die Volatilität liegt"} ${DE[m[2]!]} ${m[1]!.startsWith("trend") ? "seinem" : "ihrem"} {}-Balken-Durchschnitt, also sind Trades ${DE[m[3]!]}`,
  ],
  [
    /^no model yet: not enough history before this bar$/,
    () => "noch kein Modell: zu wenig Historie vor diesem Balken",
  ],
  [
    /^the model puts the (next-bar|\{\}-bar) up-probability at \{\}% against a threshold of \{\}%$/,
    (m) =>
      `das Modell setzt die Aufwärtswahrscheinlichkeit ${m[1] === "next-bar" ? "des nächsten Balkens" : "über {} Balken"} auf {} % bei einer Schwelle von {} %`,
  ],
  // model-sign's feature words stay as they are (indicator names)
  [
    /^(.*) at \{\} pulled the (next-bar|\{\}-bar) up-probability (up|down) by \{\} points$/,
    (m) =>
      `${m[1]} bei {} zog die Aufwärtswahrscheinlichkeit ${m[2] === "next-bar" ? "des nächsten Balkens" : "über {} Balken"} um {} Punkte nach ${DE[m[3]!]}`,
  ],
];

/** A condition's German text with its values filled in, or its English text marked as such */
export function conditionTextDe(c: Condition): string {
  let k = 0;
  const fill = (t: string): string => t.replace(/\{\}/g, () => num(c.values[k++] ?? Number.NaN));
  for (const [re, de] of RULES) {
    const m = re.exec(c.template);
    if (m !== null) return fill(de(m));
  }
  return `${fill(c.template)} (auf Englisch)`;
}

/** The German paragraph of an explanation: every number the record holds and no other */
export function explanationParagraphDe(e: SignalExplanation): string {
  const parts: string[] = [];
  const stance = e.action === "flat" ? "neutral zu bleiben" : `${e.action} zu sein`;
  parts.push(
    `${e.symbol} auf ${e.timeframe}-Balken, zum Schluss von ${e.barTime} (Kurs ${num(e.close)}): das Ensemble rät, ${stance}, mit einem Ziel von ${num(e.exposurePct)} % des Kapitals.`,
  );
  if (e.votes.length === 0) parts.push("Kein Mitglied des Ensembles hat Gewicht auf diesem Symbol.");
  else parts.push(`Stimmen: ${e.votes.map(voteText).join("; ")}.`);
  if (e.otherMembers !== null)
    parts.push(
      `${num(e.otherMembers.count)} weitere ${e.otherMembers.count === 1 ? "Mitglied teilt" : "Mitglieder teilen"} sich ${num(e.otherMembers.weightPct)} % des Kapitals.`,
    );
  if (e.conditions.length > 0)
    parts.push(`Warum: ${e.conditions.map((c) => `${c.family}: ${conditionTextDe(c)}`).join("; ")}.`);
  const trend =
    e.regime.trend === "sideways"
      ? "ein Seitwärtsmarkt"
      : e.regime.trend === "up"
        ? "ein Aufwärtstrend"
        : "ein Abwärtstrend";
  const vol = { low: "niedrig", normal: "normal", high: "hoch" }[e.regime.volatility];
  parts.push(
    `Regime: ${trend}, der Schlusskurs ${num(e.regime.closeVsAveragePct)} % von seinem ${num(e.regime.averageBars)}-Balken-Durchschnitt; die Volatilität ist ${vol} (Perzentil ${num(e.regime.volatilityPercentile)} des letzten Jahres).`,
  );
  const label = { low: "niedrig", medium: "mittel", high: "hoch" }[e.confidence.label];
  parts.push(
    e.votes.length === 0
      ? `Konfidenz: ${label} (${num(e.confidence.pct)} %), da kein gewichtetes Mitglied für dieses Symbol stimmt.`
      : `Konfidenz: ${label}, ${num(e.confidence.pct)} % der gewichteten Mitglieder stimmen dem Signal zu.`,
  );
  if (e.flip !== null) {
    const f = e.flip;
    parts.push(
      `Was es ändern würde: ein Schlusskurs ${DE[f.direction]} ${num(f.price)} (${num(f.distancePct)} % entfernt) ändert die Stimme von ${f.family}${paramsText(f.params)} und bringt das Ensemble auf ${num(f.exposureAfterPct)} %.`,
    );
  } else if (e.votes.length === 0)
    parts.push(
      "Was es ändern würde: nur ein Mitglied, das bei der nächsten Neuschätzung des Ensembles Gewicht erhält.",
    );
  else
    parts.push(
      "Was es ändern würde: kein Schlusskurs innerhalb des halben Kurses ändert die Stimme eines gewichteten Mitglieds.",
    );
  const r = e.risk;
  const corr =
    r.btcCorrelation !== null && r.correlationBars !== null
      ? `, und seine Renditen korrelieren über die letzten ${num(r.correlationBars)} Balken mit ${num(r.btcCorrelation)} mit BTC`
      : "";
  parts.push(
    `Risiko: Volatilität ${num(r.volatilityPct)} % im Jahr über die letzten ${num(r.volatilityBars)} Balken; das Ensemble liegt ${num(r.ensembleDrawdownPct)} % unter seinem Hoch (schlechtester Wert ${num(r.ensembleMaxDrawdownPct)} %)${corr}.`,
  );
  return parts.join(" ");
}
