import { num } from "./format.ts";
import type { Condition, MemberVote, SignalExplanation } from "./types.ts";

const paramsText = (ps: readonly { name: string; value: number }[]): string =>
  ps.length === 0 ? "" : ` (${ps.map((p) => `${p.name} ${num(p.value)}`).join(", ")})`;

const voteWord = (v: number): string => (v > 0 ? "long" : v < 0 ? "short" : "flat");

const voteText = (v: MemberVote): string =>
  `${v.family}${paramsText(v.params)} votes ${voteWord(v.votePct)} at ${num(v.votePct)}% with ${num(v.weightPct)}% of the capital`;

/** Fills a condition's `{}` placeholders with its values in order */
export function conditionText(c: Condition): string {
  let k = 0;
  return c.template.replace(/\{\}/g, () => num(c.values[k++] ?? Number.NaN));
}

/**
 * The plain-language paragraph of an explanation, made from the record by templates only: it says
 * every number the record holds and no other.
 */
export function explanationParagraph(e: SignalExplanation): string {
  const parts: string[] = [];
  const stance = e.action === "flat" ? "stay flat" : `be ${e.action}`;
  parts.push(
    `${e.symbol} on ${e.timeframe} bars, at the close of ${e.barTime} (price ${num(e.close)}): the ensemble says ${stance}, with a target exposure of ${num(e.exposurePct)}% of equity.`,
  );
  if (e.votes.length === 0) parts.push("No member of the ensemble holds weight on this symbol.");
  else parts.push(`Votes: ${e.votes.map(voteText).join("; ")}.`);
  if (e.otherMembers !== null)
    parts.push(
      `${num(e.otherMembers.count)} more ${e.otherMembers.count === 1 ? "member shares" : "members share"} ${num(e.otherMembers.weightPct)}% of the capital.`,
    );
  if (e.conditions.length > 0)
    parts.push(`Why: ${e.conditions.map((c) => `${c.family}: ${conditionText(c)}`).join("; ")}.`);
  const trend =
    e.regime.trend === "sideways"
      ? "a sideways market"
      : e.regime.trend === "up"
        ? "an uptrend"
        : "a downtrend";
  parts.push(
    `Regime: ${trend}, the close ${num(e.regime.closeVsAveragePct)}% from its ${num(e.regime.averageBars)} bar average; volatility is ${e.regime.volatility} (percentile ${num(e.regime.volatilityPercentile)} of the last year).`,
  );
  parts.push(
    e.votes.length === 0
      ? `Confidence: ${e.confidence.label} (${num(e.confidence.pct)}%), as no weighted member votes on this symbol.`
      : `Confidence: ${e.confidence.label}, ${num(e.confidence.pct)}% of the weighted members agree with the signal.`,
  );
  if (e.flip !== null) {
    const f = e.flip;
    parts.push(
      `What would change it: a close ${f.direction} ${num(f.price)} (${num(f.distancePct)}% away) changes the vote of ${f.family}${paramsText(f.params)}, taking the ensemble to ${num(f.exposureAfterPct)}%.`,
    );
  } else if (e.votes.length === 0)
    parts.push("What would change it: only a member earning weight at the ensemble's next re-estimation.");
  else
    parts.push(
      "What would change it: no close within half the price away changes any weighted member's vote.",
    );
  const r = e.risk;
  const corr =
    r.btcCorrelation !== null && r.correlationBars !== null
      ? `, and its returns correlate ${num(r.btcCorrelation)} with BTC over the last ${num(r.correlationBars)} bars`
      : "";
  parts.push(
    `Risk: volatility ${num(r.volatilityPct)}% a year over the last ${num(r.volatilityBars)} bars; the ensemble stands ${num(r.ensembleDrawdownPct)}% below its peak (worst ${num(r.ensembleMaxDrawdownPct)}%)${corr}.`,
  );
  return parts.join(" ");
}
