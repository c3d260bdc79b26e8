import type { CandleSeries } from "../domain/candle-series.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import { describeConditions, type FamilyParams } from "./conditions.ts";
import { type ExposureFn, findFlip } from "./flip.ts";
import { barTimeOf, round, roundPrice } from "./format.ts";
import { regimeOf, returnCorrelation } from "./regime.ts";
import type { Condition, Flip, MemberVote, SignalExplanation } from "./types.ts";

/** One ensemble member as the explainer sees it, on the symbol being explained */
export interface ExplainMember {
  id: string;
  family: string;
  params: FamilyParams;
  /** the member's share of ensemble capital for the next bar, 0..1 */
  weight: number;
  /** the member's target exposure per bar of `series` */
  exposure: Float64Array;
  /** the family's vectorised form, used to find what next close would change the vote */
  exposures?: ExposureFn;
}

export interface ExplainInput {
  /** the symbol's bars up to and including the latest closed bar */
  series: CandleSeries;
  btc?: CandleSeries;
  members: readonly ExplainMember[];
  /** the ensemble's net target exposure for the symbol for the next bar */
  exposure: number;
  ensembleDrawdown: number;
  ensembleMaxDrawdown: number;
  maxVotes?: number;
  /** conditions are described for this many of the heaviest members */
  maxConditions?: number;
  /** bars handed to the flip search (recent history is enough for every built-in family) */
  flipBars?: number;
}

const AVERAGE_BARS = 100;
const VOL_BARS = 30;
const CORR_BARS = 90;

/** Builds the structured explanation of the latest closed bar's signal for one symbol */
export function explainSignal(x: ExplainInput): SignalExplanation {
  const s = x.series;
  const n = s.close.length;
  const weighted = x.members
    .filter((mb) => mb.weight > 0)
    .sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1));
  const action = x.exposure > 0.005 ? "long" : x.exposure < -0.005 ? "short" : "flat";
  const voteOf = (mb: ExplainMember): number => mb.exposure[n - 1] ?? 0;
  const maxVotes = x.maxVotes ?? 5;
  const votes: MemberVote[] = weighted.slice(0, maxVotes).map((mb) => ({
    family: mb.family,
    params: paramsOf(mb.params),
    votePct: round(voteOf(mb) * 100, 1),
    weightPct: round(mb.weight * 100, 1),
  }));
  const rest = weighted.slice(maxVotes);
  const conditions: Condition[] = weighted
    .slice(0, x.maxConditions ?? 3)
    .flatMap((mb) => describeConditions(mb.family, s, mb.params, mb.exposure));

  let totalW = 0;
  let agreeW = 0;
  for (const mb of weighted) {
    const v = voteOf(mb);
    const dir = v > 0.005 ? "long" : v < -0.005 ? "short" : "flat";
    totalW += mb.weight;
    if (dir === action) agreeW += mb.weight;
  }
  const confPct = totalW > 0 ? Math.round((100 * agreeW) / totalW) : 0;

  const reg = regimeOf(s, AVERAGE_BARS, VOL_BARS);
  const isBtc = s.symbol.startsWith("BTC/");
  const corr = x.btc !== undefined && !isBtc ? returnCorrelation(s, x.btc, CORR_BARS) : Number.NaN;

  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    barTime: barTimeOf(s.ts[n - 1]!),
    close: roundPrice(s.close[n - 1]!),
    action,
    exposurePct: round(x.exposure * 100, 1),
    votes,
    otherMembers:
      rest.length > 0
        ? { count: rest.length, weightPct: round(rest.reduce((p, mb) => p + mb.weight, 0) * 100, 1) }
        : null,
    conditions,
    regime: {
      trend: reg.trend,
      averageBars: AVERAGE_BARS,
      closeVsAveragePct: reg.closeVsAveragePct,
      volatility: reg.volatility,
      volatilityPercentile: reg.volatilityPercentile,
    },
    confidence: { pct: confPct, label: confPct >= 75 ? "high" : confPct >= 50 ? "medium" : "low" },
    flip: nearestFlip(x, weighted, voteOf),
    risk: {
      volatilityPct: reg.volatilityPct,
      volatilityBars: VOL_BARS,
      ensembleDrawdownPct: round(x.ensembleDrawdown * 100, 1),
      ensembleMaxDrawdownPct: round(x.ensembleMaxDrawdown * 100, 1),
      btcCorrelation: Number.isFinite(corr) ? round(corr, 2) : null,
      correlationBars: Number.isFinite(corr) ? CORR_BARS : null,
    },
  };
}

function nearestFlip(
  x: ExplainInput,
  weighted: readonly ExplainMember[],
  voteOf: (mb: ExplainMember) => number,
): Flip | null {
  const s = x.series;
  const n = s.close.length;
  const last = s.close[n - 1]!;
  const recent = sliceSeries(s, Math.max(0, n - (x.flipBars ?? 600)));
  let best: Flip | null = null;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const mb of weighted) {
    const fn = mb.exposures;
    if (fn === undefined) continue;
    // stateful families may need the whole history to agree with the member's recorded vote
    const src = fn(recent)[recent.close.length - 1] === voteOf(mb) ? recent : s;
    const f = findFlip(src, fn);
    if (f === null) continue;
    const dist = Math.abs(f.price - last);
    if (dist < bestDist) {
      bestDist = dist;
      const after = x.exposure + mb.weight * (f.exposureAfter - voteOf(mb));
      best = {
        family: mb.family,
        params: paramsOf(mb.params),
        direction: f.direction,
        price: roundPrice(f.price),
        distancePct: round((f.price / last - 1) * 100, 2),
        exposureAfterPct: round(after * 100, 1),
      };
    }
  }
  return best;
}

function paramsOf(p: FamilyParams): { name: string; value: number }[] {
  return Object.entries(p)
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .map(([name, value]) => ({ name, value }));
}
