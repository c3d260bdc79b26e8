import type { Brief, BriefInput, BriefLine } from "./brief-types.ts";
import { changedLines, ensembleLines, headlineLines, tradingLines } from "./context-lines.ts";
import { briefFacts } from "./market-facts.ts";
import { marketLines } from "./market-lines.ts";

export type {
  Brief,
  BriefInput,
  BriefLine,
  BriefLineKind,
  Citation,
  Headline,
  PositionState,
  SignalState,
  SymbolState,
} from "./brief-types.ts";
export { isBrief } from "./brief-types.ts";

/**
 * The market brief as data: sector-wide shocks first, then the sector against the benchmark, movers,
 * regimes, correlations, funding and what changed since the previous brief. Pure: the caller reads
 * the series and the previous brief; every line carries the numbers (series, bar time, value) it rests on.
 */
export function buildBrief(input: BriefInput): Brief {
  const facts = briefFacts(input);
  const lines: BriefLine[] = [
    ...marketLines(facts),
    ...headlineLines(facts),
    ...ensembleLines(facts),
    ...tradingLines(facts),
  ];
  const signalChanges = lines.filter((l) => l.kind === "signal-changed").length;
  lines.push(...changedLines(facts, signalChanges));
  const ens = input.ensemble;
  return {
    version: 1,
    asOf: facts.asOf,
    timeframe: facts.timeframe,
    symbols: facts.symbols,
    lines,
    ...(ens !== undefined && "run" in ens ? { signals: ens.signals } : {}),
  };
}
