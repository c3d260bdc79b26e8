import { z } from "zod";
import type { Bar } from "../domain/candle-series.ts";
import type { Timeframe } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";

export type IndicatorCategory = "trend" | "momentum" | "volatility" | "volume" | "statistics";

/** What a registry indicator reads: a CandleSeries (or any struct of arrays like it) */
export interface IndicatorInput {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly timeframe?: Timeframe;
  /** second price series, bar-aligned, for correlation and beta */
  readonly benchmark?: Float64Array;
}

/** One bar for a registry stream; `benchmark` is the second series' price for correlation/beta */
export type StreamBar = Bar & { readonly benchmark?: number };

/** A running indicator: `update` returns the outputs in `outputs` order (the array is reused) */
export interface IndicatorStream {
  update(bar: StreamBar): Float64Array;
}

export type ParamValue = number | string;
export type Params = Readonly<Record<string, ParamValue>>;

/** An indicator as the registry publishes it: the one place strategies, CLI and MCP discover it */
export interface Indicator {
  readonly name: string;
  readonly description: string;
  readonly category: IndicatorCategory;
  /** zod schema of the parameters, with defaults and bounds */
  readonly params: z.ZodType<Params>;
  readonly outputs: readonly string[];
  /** extra input series the indicator needs */
  readonly needs: readonly "benchmark"[];
  /** the reference the indicator matches, e.g. "TA-Lib RSI" */
  readonly reference: string;
  /** validates and fills defaults; INVALID_INPUT naming the parameter when a value is bad */
  parse(raw?: Record<string, unknown>): Params;
  /** bars at the start with a NaN in some output, for finite input */
  warmup(params?: Record<string, unknown>): number;
  /** facts about the output that are not arrays (Ichimoku's displacement) */
  metadata(params?: Record<string, unknown>): Record<string, unknown>;
  batch(
    input: IndicatorInput,
    params?: Record<string, unknown>,
    out?: Record<string, Float64Array>,
  ): Record<string, Float64Array>;
  stream(params?: Record<string, unknown>, context?: { timeframe?: Timeframe }): IndicatorStream;
}

/** Formats a zod failure as one line naming the indicator and the parameter */
function paramError(name: string, error: z.ZodError, raw: Record<string, unknown>): Error {
  const issue = error.issues[0];
  const param = issue?.path.join(".") || "params";
  const got = param in raw ? ` (got ${JSON.stringify(raw[param])})` : "";
  return invalidInput(`${name}: parameter "${param}": ${issue?.message ?? "invalid"}${got}`, {
    indicator: name,
    param,
  });
}

interface Definition<S extends z.ZodType<Params>> {
  name: string;
  description: string;
  category: IndicatorCategory;
  params: S;
  outputs: readonly string[];
  needs?: readonly "benchmark"[];
  reference: string;
  warmup(p: z.output<S>): number;
  metadata?(p: z.output<S>): Record<string, unknown>;
  batch(input: IndicatorInput, p: z.output<S>, out: Record<string, Float64Array>): void;
  stream(p: z.output<S>, context: { timeframe?: Timeframe }): (bar: StreamBar, values: Float64Array) => void;
}

/** Builds a registry entry: parameters are parsed once per call, outputs allocated unless given */
export function define<S extends z.ZodType<Params>>(d: Definition<S>): Indicator {
  const parse = (raw: Record<string, unknown> = {}): z.output<S> => {
    const r = d.params.safeParse(raw);
    if (!r.success) throw paramError(d.name, r.error, raw);
    return r.data;
  };
  return {
    name: d.name,
    description: d.description,
    category: d.category,
    params: d.params,
    outputs: d.outputs,
    needs: d.needs ?? [],
    reference: d.reference,
    parse,
    warmup: (raw) => d.warmup(parse(raw)),
    metadata: (raw) => d.metadata?.(parse(raw)) ?? {},
    batch(input, raw, given = {}) {
      const p = parse(raw);
      if (d.needs?.includes("benchmark") && input.benchmark === undefined)
        throw invalidInput(`${d.name} needs a benchmark series of the same bars (CLI: --against SYMBOL)`);
      const n = input.close.length;
      const out: Record<string, Float64Array> = {};
      for (const o of d.outputs) out[o] = given[o] ?? new Float64Array(n);
      d.batch(input, p, out);
      return out;
    },
    stream(raw, context = {}) {
      const step = d.stream(parse(raw), context);
      const values = new Float64Array(d.outputs.length).fill(Number.NaN);
      return {
        update(bar) {
          step(bar, values);
          return values;
        },
      };
    },
  };
}

/** An integer period parameter with bounds and a default */
export const period = (def: number, min = 1, max = 10_000) => z.number().int().min(min).max(max).default(def);

/** A number parameter with bounds and a default */
export const num = (def: number, min: number, max: number) => z.number().min(min).max(max).default(def);

export const SOURCES = ["close", "open", "high", "low", "hl2", "hlc3", "ohlc4"] as const;
export type Source = (typeof SOURCES)[number];
/** Which price a single-series indicator reads */
export const source = () => z.enum(SOURCES).default("close");

/** The chosen price series of the input (a new array for the derived ones) */
export function sourceOf(input: IndicatorInput, s: Source): Float64Array {
  switch (s) {
    case "close":
    case "open":
    case "high":
    case "low":
      return input[s];
    default: {
      const n = input.close.length;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++)
        out[i] = sourceValue(input.open[i]!, input.high[i]!, input.low[i]!, input.close[i]!, s);
      return out;
    }
  }
}

/** The chosen price of one bar */
export function sourceValue(o: number, h: number, l: number, c: number, s: Source): number {
  switch (s) {
    case "close":
      return c;
    case "open":
      return o;
    case "high":
      return h;
    case "low":
      return l;
    case "hl2":
      return (h + l) / 2;
    case "hlc3":
      return (h + l + c) / 3;
    case "ohlc4":
      return (o + h + l + c) / 4;
  }
}

/** The price of a bar by source */
export const barSource = (b: Bar, s: Source): number => sourceValue(b.open, b.high, b.low, b.close, s);
