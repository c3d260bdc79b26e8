import { z } from "zod";
import { invalidInput } from "../errors.ts";
import { getIndicator, INDICATORS, type IndicatorCategory, type Params } from "../indicators/registry.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import { parseInput, rangeRefinement, symbolField, wholeNumberField } from "./contract.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

/** One indicator as `kairos indicators list` and the MCP server describe it */
export interface IndicatorInfo {
  name: string;
  description: string;
  category: IndicatorCategory;
  outputs: readonly string[];
  needs: readonly string[];
  reference: string;
  /** warm-up bars with the default parameters */
  warmup: number;
  /** JSON schema of the parameters (defaults, bounds) */
  params: Record<string, unknown>;
}

/** Every registered indicator with its parameters, defaults and bounds */
export function listIndicators(): IndicatorInfo[] {
  return INDICATORS.map((ind) => {
    const schema = z.toJSONSchema(ind.params, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    return {
      name: ind.name,
      description: ind.description,
      category: ind.category,
      outputs: ind.outputs,
      needs: ind.needs,
      reference: ind.reference,
      warmup: ind.warmup(),
      params: (schema.properties as Record<string, unknown> | undefined) ?? {},
    };
  });
}

/** What to compute: an indicator with raw parameters (its own zod schema validates them) over a stored series */
export const ComputeIndicatorInput = z
  .object({
    indicator: z.string().min(1),
    /** raw parameter values (validated by the indicator's zod schema) */
    params: z.record(z.string(), z.unknown()).default({}),
    series: SeriesRefInput,
    /** inclusive / exclusive, ISO 8601 UTC or epoch ms */
    ...rangeShape,
    /** benchmark symbol for correlation and beta (same exchange and timeframe) */
    against: symbolField().optional(),
    /** how many of the latest bars to return (0 = all) */
    last: wholeNumberField({ min: 0, max: 100_000_000 }).default(10),
  })
  .superRefine(rangeRefinement);
export type ComputeIndicatorRequest = z.input<typeof ComputeIndicatorInput>;

export interface ComputeIndicatorResult {
  indicator: string;
  params: Params;
  exchange: string;
  symbol: string;
  timeframe: string;
  bars: number;
  warmup: number;
  outputs: readonly string[];
  metadata: Record<string, unknown>;
  /** the latest `last` bars: open time (epoch ms) and each output (null while undefined) */
  rows: { ts: number; values: Record<string, number | null> }[];
}

/**
 * Computes an indicator over a stored series (the whole stored range, or [from, to)), so its
 * warm-up is spent on history, and returns the latest rows.
 */
export function computeIndicator(
  deps: { store: CandleStore },
  raw: ComputeIndicatorRequest,
): ComputeIndicatorResult {
  const req = parseInput(ComputeIndicatorInput, raw);
  const ind = getIndicator(req.indicator);
  const params = ind.parse(req.params);
  const key = resolveSeries(deps.store, req.series);
  // read from the first stored bar: the warm-up is spent on the history before --from, so the values
  // shown are the ones a run without --from gives on the same bars
  const range = req.to === undefined ? {} : { to: req.to };
  const series = deps.store.read(key, range);
  const warmup = ind.warmup(params);
  const total = series.ts.length;
  if (total > 0 && warmup >= total)
    throw invalidInput(
      `${ind.name}: its warm-up with these parameters is ${warmup.toLocaleString("en-US")} bars, but ${key.exchange} ${key.symbol} ${key.timeframe} has only ${total.toLocaleString("en-US")} stored bars${req.to === undefined ? "" : " before --to"}: every value would be blank; use a shorter period or import more history`,
      { warmup, bars: total },
    );
  let benchmark: Float64Array | undefined;
  if (req.against !== undefined) {
    const bkey = resolveSeries(deps.store, {
      exchange: key.exchange,
      symbol: req.against,
      timeframe: key.timeframe,
    });
    const b = deps.store.read(bkey, range);
    const at = new Map<number, number>();
    for (let i = 0; i < b.ts.length; i++) at.set(b.ts[i]!, b.close[i]!);
    // bars the benchmark lacks are NaN there, so they never pair with another bar's price
    benchmark = Float64Array.from(series.ts, (t) => at.get(t) ?? Number.NaN);
  }
  const out = ind.batch(benchmark === undefined ? series : { ...series, benchmark }, params);
  // the shown window: bars from --from on
  let first = 0;
  if (req.from !== undefined) while (first < total && series.ts[first]! < req.from) first++;
  const n = total - first;
  const start = req.last > 0 ? Math.max(first, total - req.last) : first;
  const rows: ComputeIndicatorResult["rows"] = [];
  for (let i = start; i < total; i++) {
    const values: Record<string, number | null> = {};
    for (const o of ind.outputs) {
      const v = out[o]![i]!;
      values[o] = Number.isFinite(v) ? v : null;
    }
    rows.push({ ts: series.ts[i]!, values });
  }
  return {
    indicator: ind.name,
    params,
    exchange: key.exchange,
    symbol: key.symbol,
    timeframe: key.timeframe,
    bars: n,
    warmup,
    outputs: ind.outputs,
    metadata: ind.metadata(params),
    rows,
  };
}
