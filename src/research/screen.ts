import type { CandleSeries } from "../domain/candle-series.ts";
import { createRng } from "../domain/random.ts";
import { barsPerYear } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import { type MonteCarloResult, monteCarlo } from "./monte-carlo.ts";
import { screenFamily, searchSpaces } from "./screen-catalog.ts";
import { prepareScreenData, type ScreenData } from "./screen-data.ts";
import {
  allocScratch,
  type EvalScratch,
  evaluateVariant,
  hashId,
  randomEntryPercentile,
  type ScreenLayout,
  screenLayout,
  type VariantSpec,
  type VariantStats,
  variantId,
} from "./screen-evaluate.ts";
import { type JudgedVariant, type Judgement, judge } from "./screen-judge.ts";
import { evolutionarySearch, gridSearch, randomSearch, type SearchMethod, spaceSize } from "./search.ts";
import { describeConfig, type ValidationConfig } from "./validation-config.ts";

export type SearchChoice = SearchMethod | "auto";

/** What to screen and how */
export interface ScreenRequest {
  series: readonly CandleSeries[];
  /** BTC on the same timeframe, for relative-strength families (optional) */
  reference?: CandleSeries;
  variants: number;
  seed: number;
  preset?: string;
  /** restrict the search to these families (opt-in families such as model-sign enter only this way) */
  families?: readonly string[];
  search: SearchChoice;
  config: ValidationConfig;
  /**
   * Evaluates a batch of variants elsewhere (worker threads: see screen-kernel.ts), calling `done`
   * with the count of each finished part; results in spec order. Default: in this thread.
   */
  evaluate?: (specs: readonly VariantSpec[], done: (count: number) => void) => Promise<VariantStats[]>;
  /** Monte Carlo of the best variants elsewhere (worker threads); results in spec order. Default: here */
  monteCarlo?: (specs: readonly VariantSpec[]) => Promise<MonteCarloResult[]>;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The result of one screen: every variant tried, judged by the gate, with the run's own validation
 * records. Consumers (the ensemble and the report) read `variants` (ranked: passed first, then by
 * deflated Sharpe) and re-create any variant's per-bar return curve on the run's clock with
 * `replayVariant(prepareScreenData(series, reference), spec, run.config)`: the run stores specs,
 * not curves, and a replay is exact because every step is deterministic.
 */
export interface ScreenRun {
  timeframe: string;
  symbols: string[];
  preset: string | null;
  seed: number;
  search: { method: SearchMethod; spaceSize: number; tried: number };
  config: ValidationConfig;
  /** the settings as one printable line */
  configText: string;
  /** clock: first and last bar open time, bars, first out-of-sample bar (index and time) */
  clock: { from: number; to: number; bars: number; oosStart: number; oosStartTs: number };
  trials: number;
  trialVariance: number;
  runPbo: number | null;
  familyPbo: Judgement["familyPbo"];
  selection: Judgement["selection"];
  /** buy-and-hold per symbol (and "basket") over the out-of-sample bars, annualised Sharpe */
  buyAndHold: Record<string, { sharpeAnnual: number }>;
  variants: JudgedVariant[];
  passed: number;
  /** first line of every report */
  headline: string;
}

/** Chooses the search: the whole grid when it fits, evolutionary for spaces 20x the budget, else random */
export function chooseSearch(choice: SearchChoice, size: number, budget: number): SearchMethod {
  if (choice !== "auto") return choice;
  if (size <= budget) return "grid";
  return size > 20 * budget ? "evolutionary" : "random";
}

/** Runs one variant and returns its per-bar returns on the run's clock (0 where it has no bar) */
export function replayVariant(
  data: ScreenData,
  spec: VariantSpec,
  config: ValidationConfig,
  layout: ScreenLayout = screenLayout(data.clock.length, config),
  scratch: EvalScratch = allocScratch(data.clock.length),
): Float64Array {
  evaluateVariant(data, layout, screenFamily(spec.family), parseSpec(spec), config, scratch);
  return scratch.clock.slice();
}

/** Fills a spec's params with the family's defaults (a spec stores only the searched ones) */
function parseSpec(spec: VariantSpec): VariantSpec {
  const fam = screenFamily(spec.family);
  return { ...spec, params: fam.params.parse(spec.params) as Record<string, number | boolean> };
}

/**
 * Evaluates specs in this thread with one scratch set, including each variant's random-entry
 * baseline (seeded by `seed` and the variant id, so the result never depends on the thread count)
 */
export function evaluateLocally(
  data: ScreenData,
  layout: ScreenLayout,
  config: ValidationConfig,
  specs: readonly VariantSpec[],
  scratch: EvalScratch = allocScratch(layout.n),
  seed = 0,
): VariantStats[] {
  return specs.map((s) => {
    const st = evaluateVariant(data, layout, screenFamily(s.family), parseSpec(s), config, scratch);
    // the id and spec keep only the searched params, so ids stay short and stable
    const out: VariantStats = { ...st, id: variantId(s), spec: s };
    out.randomPercentile = randomEntryPercentile(data, layout, out, config, seed);
    return out;
  });
}

/**
 * Monte Carlo ranges of variants (trade resampling and block bootstrap of their OOS returns), each
 * seeded by `seed` and its id, so the result never depends on the thread count
 */
export function monteCarloLocally(
  data: ScreenData,
  layout: ScreenLayout,
  config: ValidationConfig,
  specs: readonly VariantSpec[],
  scratch: EvalScratch = allocScratch(layout.n),
  seed = 0,
): MonteCarloResult[] {
  const n = layout.n;
  return specs.map((spec) => {
    const st = evaluateVariant(data, layout, screenFamily(spec.family), parseSpec(spec), config, scratch);
    const r = scratch.clock;
    const m = data.markets.find((x) => x.symbol === spec.symbol);
    const present = m?.present ?? data.basketPresent;
    const vals = new Float64Array(n - layout.oosStart);
    let k = 0;
    for (let t = layout.oosStart; t < n; t++) if (present[t] === 1) vals[k++] = r[t]!;
    const rng = createRng((seed ^ hashId(variantId(spec)) ^ 0x3c6ef372) >>> 0);
    return monteCarlo(
      st.tradeReturns,
      vals.subarray(0, k),
      config.monteCarloResamples,
      config.blockLength,
      rng,
    );
  });
}

/** Seed of every variant's random-entry draws and of the Monte Carlo, derived from the run seed */
export const validationSeed = (seed: number): number => (seed ^ 0x5eed) >>> 0;

/** The screen: generate variants, backtest each, validate all, judge each with the gate */
export async function runScreen(req: ScreenRequest): Promise<ScreenRun> {
  if (!Number.isInteger(req.variants) || req.variants < 2)
    throw invalidInput(`screen: --variants must be an integer >= 2, got ${req.variants}`);
  const data = prepareScreenData(req.series, req.reference);
  const n = data.clock.length;
  const c = req.config;
  if (n < 4 * c.pboBlocks)
    throw invalidInput(
      `screen: ${n} bars are too few to validate (need ${4 * c.pboBlocks}): load more history`,
    );
  const layout = screenLayout(n, c);
  const symbols = data.markets.map((m) => m.symbol);
  const spaces = searchSpaces(symbols, req.preset, req.families);
  const size = spaceSize(spaces);
  const method = chooseSearch(req.search, size, req.variants);
  const rng = createRng(req.seed);
  const scratch = allocScratch(n);
  let done = 0;
  const budget = req.variants;
  const tick = (k: number): void => {
    done += k;
    req.onProgress?.(Math.min(done, budget), budget);
  };
  const evalBatch = async (specs: readonly VariantSpec[]): Promise<VariantStats[]> => {
    if (req.evaluate !== undefined) return req.evaluate(specs, tick);
    const out: VariantStats[] = [];
    const chunk = 25;
    for (let i = 0; i < specs.length; i += chunk) {
      const part = specs.slice(i, i + chunk);
      out.push(...evaluateLocally(data, layout, c, part, scratch, validationSeed(req.seed)));
      tick(part.length);
    }
    return out;
  };
  let stats: VariantStats[];
  if (method === "evolutionary") {
    // fitness is the in-sample Sharpe (bars before the first test fold): the search never sees OOS bars
    const pending: VariantStats[][] = [];
    const fitness = async (batch: readonly VariantSpec[]): Promise<number[]> => {
      const st = await evalBatch(batch);
      pending.push(st);
      return st.map((s) => s.trainSharpe);
    };
    await evolutionarySearch(spaces, budget, rng, fitness);
    stats = pending.flat();
  } else {
    const specs = method === "grid" ? gridSearch(spaces, budget) : randomSearch(spaces, budget, rng);
    stats = await evalBatch(specs);
  }
  const ann = barsPerYear(data.timeframe);
  const j = judge(data, layout, stats, c, validationSeed(req.seed), ann);
  // Monte Carlo ranges for the best variants by deflated Sharpe
  const top = j.variants
    .map((_, i) => i)
    .sort((a, b) => j.variants[b]!.dsr.probability - j.variants[a]!.dsr.probability || a - b)
    .slice(0, c.monteCarloTop);
  const topSpecs = top.map((i) => stats[i]!.spec);
  const mc =
    req.monteCarlo !== undefined
      ? await req.monteCarlo(topSpecs)
      : monteCarloLocally(data, layout, c, topSpecs, scratch, validationSeed(req.seed));
  top.forEach((i, k) => {
    j.variants[i]!.monteCarlo = mc[k]!;
  });
  const ranked = j.variants
    .slice()
    .sort(
      (a, b) =>
        Number(b.verdict.passed) - Number(a.verdict.passed) ||
        b.dsr.probability - a.dsr.probability ||
        b.oos.sharpeAnnual - a.oos.sharpeAnnual,
    );
  const buyAndHold: ScreenRun["buyAndHold"] = {};
  for (const v of ranked) buyAndHold[v.symbol] ??= { sharpeAnnual: v.buyAndHold.sharpeAnnual };
  const passed = ranked.filter((v) => v.verdict.passed).length;
  const headline =
    passed === 0
      ? `Nothing passed the gate (0 of ${ranked.length} variants): hold the baseline, buy-and-hold, rather than any screened strategy.`
      : `${passed} of ${ranked.length} variants passed the gate; best: ${ranked[0]!.id}.`;
  return {
    timeframe: data.timeframe,
    symbols,
    preset: req.preset ?? null,
    seed: req.seed,
    search: { method, spaceSize: size, tried: stats.length },
    config: c,
    configText: describeConfig(c),
    clock: {
      from: data.clock[0]!,
      to: data.clock[n - 1]!,
      bars: n,
      oosStart: layout.oosStart,
      oosStartTs: data.clock[layout.oosStart]!,
    },
    trials: j.trials,
    trialVariance: j.trialVariance,
    runPbo: j.runPbo?.pbo ?? null,
    familyPbo: j.familyPbo,
    selection: j.selection,
    buyAndHold,
    variants: ranked,
    passed,
    headline,
  };
}
