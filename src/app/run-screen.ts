import { availableParallelism } from "node:os";
import { z } from "zod";
import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidField, isAppError } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import type { MonteCarloResult } from "../research/monte-carlo.ts";
import { runScreen, type ScreenRun, validationSeed } from "../research/screen.ts";
import { checkFamilies, PRESETS, UNIVERSES } from "../research/screen-catalog.ts";
import type { VariantSpec, VariantStats } from "../research/screen-evaluate.ts";
import { SCREEN_KERNEL, type ScreenShared, type ScreenTask } from "../research/screen-kernel.ts";
import type { ScreenRunInfo, ScreenRunStore } from "../research/screen-run-store.ts";
import type { ValidationConfig } from "../research/validation-config.ts";
import { defaultValidationConfig, validationConfigSchema } from "../research/validation-config.ts";
import {
  checkWorkSize,
  exchangeField,
  fieldError,
  issueToError,
  parseInput,
  rangeRefinement,
  rateField,
  symbolListField,
  timeframeField,
  wholeNumberField,
} from "./contract.ts";
import { type OnProgress, progressOf } from "./progress.ts";
import { rangeShape, resolveSeries } from "./resolve-series.ts";

const SEARCH_CHOICES = ["auto", "grid", "random", "evolutionary"] as const;
// beyond these a screen runs for days or exhausts memory before its first result
const MAX_VARIANTS = 100_000;
/** more worker threads than cores only slow the screen down (two always allowed, see run-sweep) */
export const MAX_SCREEN_THREADS = Math.max(2, availableParallelism());
const MAX_MONTE_CARLO_RESAMPLES = 1_000_000;

const listField = () =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (typeof v === "string" ? v.split(",") : v).map((s) => s.trim()).filter((s) => s !== ""),
    );

/** What the user asked to screen; rates accept 0.001, 0.1% or 10bps */
export const RunScreenInput = z
  .object({
    universe: z.string().optional(),
    symbols: symbolListField().optional(),
    exchange: exchangeField().optional(),
    timeframe: timeframeField(),
    /** UTC ISO dates or times: from inclusive, to exclusive */
    ...rangeShape,
    variants: wholeNumberField({ min: 2 }),
    seed: wholeNumberField({ min: 0, max: 2 ** 32 - 1 }),
    preset: z.string().optional(),
    /** restrict the search to these families, e.g. ["model-sign"] */
    families: listField().optional(),
    search: z.enum(SEARCH_CHOICES).default("auto"),
    fee: rateField(1).optional(),
    slippage: rateField(1).optional(),
    /** any other validation setting (folds, embargo, thresholds, ...) */
    validation: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine(rangeRefinement);
export type RunScreenRequest = z.input<typeof RunScreenInput>;

export interface RunScreenDeps {
  store: CandleStore;
  runs: ScreenRunStore;
  clock: Clock;
  /** worker threads for the variant evaluations (threads > 1); results equal the single-thread ones */
  pool?: WorkerPool;
  /** "screen" progress in variants (see app/progress.ts) */
  onProgress?: OnProgress;
  /** runs the evaluations as jobs on a queue instead (app/queue-screen.ts); results are the same */
  remote?: ScreenRemote;
}

/** What a queued screen is given: the loaded data, and a request that reads the same bars again */
export interface ScreenRemoteRun {
  series: readonly CandleSeries[];
  reference: CandleSeries | undefined;
  config: ValidationConfig;
  seed: number;
  /** the request with its data pinned (symbols, exchange, the range's end), for `screen resume` */
  request: RunScreenRequest;
}

/** The screen's evaluation hooks on a queue, and where the finished run was stored */
export interface ScreenRemoteHooks extends ReturnType<typeof poolHooks> {
  stored(id: string): void;
}

export type ScreenRemote = (run: ScreenRemoteRun) => Promise<ScreenRemoteHooks>;

const ScreenSeriesInput = z
  .object({
    universe: z.string().optional(),
    symbols: symbolListField().optional(),
    exchange: exchangeField().optional(),
    timeframe: timeframeField(),
    ...rangeShape,
  })
  .superRefine(rangeRefinement);

/** Loads the universe (or symbols) and BTC as the relative-strength reference */
export function loadScreenSeries(
  store: CandleStore,
  raw: Pick<RunScreenRequest, "universe" | "symbols" | "exchange" | "timeframe" | "from" | "to">,
): { series: CandleSeries[]; reference: CandleSeries | undefined } {
  const req = parseInput(ScreenSeriesInput, raw);
  let symbols: readonly string[];
  if (req.universe !== undefined && req.symbols !== undefined && req.symbols.length > 0)
    throw fieldError("symbols", "screen: pass either --universe or --symbols, not both");
  if (req.universe !== undefined) {
    const u = UNIVERSES[req.universe];
    if (u === undefined)
      throw fieldError(
        "universe",
        `unknown universe "${req.universe}": use one of ${Object.keys(UNIVERSES).join(", ")}`,
      );
    symbols = u;
  } else if (req.symbols !== undefined && req.symbols.length > 0) symbols = req.symbols;
  else
    throw fieldError(
      "symbols",
      "screen: say what to screen: --universe ai-tokens|majors or --symbols BTC/USDT,ETH/USDT",
    );
  const keys = symbols.map((s) =>
    resolveSeries(store, {
      ...(req.exchange === undefined ? {} : { exchange: req.exchange }),
      symbol: s,
      timeframe: req.timeframe,
    }),
  );
  const range = {
    ...(req.from === undefined ? {} : { from: req.from }),
    ...(req.to === undefined ? {} : { to: req.to }),
  };
  const series = keys.map((k) => store.read(k, range));
  let reference: CandleSeries | undefined;
  try {
    const k = resolveSeries(store, {
      exchange: keys[0]!.exchange,
      symbol: "BTC/USDT",
      timeframe: req.timeframe,
    });
    reference = store.read(k, range);
  } catch (err) {
    // without BTC on this exchange and timeframe, relative strength falls back to absolute momentum
    if (!isAppError(err)) throw err;
  }
  return { series, reference };
}

/** Spreads variant evaluations and Monte Carlo runs over a worker pool; results come back in spec order */
export function poolHooks(
  pool: WorkerPool,
  series: readonly CandleSeries[],
  reference: CandleSeries | undefined,
  config: ValidationConfig,
  seed: number,
): {
  evaluate: (specs: readonly VariantSpec[], done: (count: number) => void) => Promise<VariantStats[]>;
  monteCarlo: (specs: readonly VariantSpec[]) => Promise<MonteCarloResult[]>;
} {
  const shared: ScreenShared = {
    series,
    config,
    seed: validationSeed(seed),
    ...(reference === undefined ? {} : { reference }),
  };
  const chunks = (
    specs: readonly VariantSpec[],
    size: number,
    kind: "evaluate" | "monte-carlo",
  ): ScreenTask[] => {
    const tasks: ScreenTask[] = [];
    for (let i = 0; i < specs.length; i += size) tasks.push({ specs: specs.slice(i, i + size), kind });
    return tasks;
  };
  return {
    evaluate: async (specs, done) => {
      const chunk = 20;
      let reported = 0;
      const out = await pool.run<ScreenTask, VariantStats[], ScreenShared>(
        SCREEN_KERNEL,
        chunks(specs, chunk, "evaluate"),
        {
          shared,
          onProgress: (n) => {
            const count = Math.min(specs.length, n * chunk);
            done(count - reported);
            reported = count;
          },
        },
      );
      return out.flat();
    },
    monteCarlo: async (specs) => {
      const out = await pool.run<ScreenTask, MonteCarloResult[], ScreenShared>(
        SCREEN_KERNEL,
        chunks(specs, 2, "monte-carlo"),
        {
          shared,
        },
      );
      return out.flat();
    },
  };
}

/** Run ids sort by time: s-YYYYMMDD-HHMMSS, with a suffix when two land in the same second */
function newRunId(runs: ScreenRunStore, now: number): string {
  const base = `s-${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}`;
  const taken = new Set(runs.list().map((r) => r.id));
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base}-${k}`)) return `${base}-${k}`;
}

/**
 * The screen use case: load the series, generate and backtest the variants, validate and judge
 * them, store the run with every trial, and return it with its id.
 */
export async function runScreenUseCase(
  deps: RunScreenDeps,
  raw: RunScreenRequest,
): Promise<{ id: string; createdAt: number; run: ScreenRun }> {
  const req = parseInput(RunScreenInput, raw);
  checkWorkSize("variants", req.variants, MAX_VARIANTS, "variants", "screen fewer variants");
  if (req.preset !== undefined && PRESETS[req.preset] === undefined)
    throw fieldError(
      "preset",
      `unknown preset "${req.preset}": use one of ${Object.keys(PRESETS).join(", ")}`,
    );
  if (req.families !== undefined) checkFamilies(req.families);
  const parsed = validationConfigSchema.safeParse({
    ...req.validation,
    ...(req.fee === undefined ? {} : { fee: req.fee }),
    ...(req.slippage === undefined ? {} : { slippage: req.slippage }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const known = Object.keys(defaultValidationConfig()).join(", ");
    if (issue.code === "unrecognized_keys")
      throw fieldError(
        `validation.${issue.keys[0] ?? ""}`,
        `unknown screen validation setting ${issue.keys.join(", ")}: use one of ${known}`,
      );
    const err = issueToError(issue, req.validation);
    throw invalidField(
      `validation.${String(err.details.field)}`,
      String(err.details.problem ?? err.message),
      err.details.allowed as string | undefined,
    );
  }
  const config = parsed.data;
  checkWorkSize(
    "validation.monteCarloResamples",
    config.monteCarloResamples * config.monteCarloTop,
    MAX_MONTE_CARLO_RESAMPLES,
    "Monte Carlo resamples (top x resamples)",
    "lower monteCarloResamples or monteCarloTop",
  );
  const { series, reference } = loadScreenSeries(deps.store, req);
  const remote =
    deps.remote === undefined
      ? undefined
      : await deps.remote({
          series,
          reference,
          config,
          seed: req.seed,
          request: pinnedRequest(req, series, reference, config),
        });
  const hooks =
    remote !== undefined
      ? { evaluate: remote.evaluate, monteCarlo: remote.monteCarlo }
      : deps.pool !== undefined && deps.pool.threads > 1
        ? poolHooks(deps.pool, series, reference, config, req.seed)
        : undefined;
  const run = await runScreen({
    series,
    ...(reference === undefined ? {} : { reference }),
    variants: req.variants,
    seed: req.seed,
    ...(req.preset === undefined ? {} : { preset: req.preset }),
    ...(req.families === undefined ? {} : { families: req.families }),
    search: req.search ?? "auto",
    config,
    ...(hooks === undefined ? {} : hooks),
    ...(deps.onProgress === undefined
      ? {}
      : { onProgress: progressOf(deps.onProgress, "screen", "variants") }),
  });
  const createdAt = deps.clock.now();
  const id = newRunId(deps.runs, createdAt);
  deps.runs.save(id, createdAt, run);
  remote?.stored(id);
  return { id, createdAt, run };
}

/** The request as it reads these very bars: the symbols and exchange resolved, the end fixed */
function pinnedRequest(
  req: z.output<typeof RunScreenInput>,
  series: readonly CandleSeries[],
  reference: CandleSeries | undefined,
  config: ValidationConfig,
): RunScreenRequest {
  const last = Math.max(
    ...[...series, ...(reference === undefined ? [] : [reference])].map((s) => s.ts[s.ts.length - 1] ?? 0),
  );
  return {
    symbols: series.map((s) => s.symbol),
    exchange: series[0]!.exchange,
    timeframe: req.timeframe,
    ...(req.from === undefined ? {} : { from: req.from }),
    to: req.to ?? last + 1,
    variants: req.variants,
    seed: req.seed,
    ...(req.preset === undefined ? {} : { preset: req.preset }),
    ...(req.families === undefined ? {} : { families: req.families }),
    search: req.search,
    // fee and slippage are part of the config
    validation: { ...config },
  };
}

/** Reopens a stored run */
export function showScreenRun(runs: ScreenRunStore, id: string): { info: ScreenRunInfo; run: ScreenRun } {
  return runs.load(id);
}

/** Lists stored runs, newest first */
export function listScreenRuns(runs: ScreenRunStore): ScreenRunInfo[] {
  return runs.list();
}

/** A stored run as `screen list` shows it: which universe, and the best variant with its verdict */
export interface ScreenRunSummary extends ScreenRunInfo {
  /** the named universe whose symbols the run screened, or null for a hand-picked list */
  universe: string | null;
  best: {
    family: string;
    symbol: string;
    params: Record<string, number | boolean>;
    oosSharpe: number;
    passed: boolean;
  } | null;
}

/** Lists stored runs, newest first, each with its universe and its best variant's verdict */
export function summariseScreenRuns(runs: ScreenRunStore): ScreenRunSummary[] {
  return runs.list().map((info) => {
    const key = [...info.symbols].sort().join(",");
    const universe =
      Object.entries(UNIVERSES).find(([, syms]) => [...syms].sort().join(",") === key)?.[0] ?? null;
    const v = runs.load(info.id).run.variants[0];
    return {
      ...info,
      universe,
      best:
        v === undefined
          ? null
          : {
              family: v.family,
              symbol: v.symbol,
              params: v.params,
              oosSharpe: v.oos.sharpeAnnual,
              passed: v.verdict.passed,
            },
    };
  });
}

/**
 * A stored screen run as `kairos screen --json` prints it and the API answers it: every variant
 * ranked, with its params, out-of-sample metrics, DSR, family PBO, passed and reasons
 */
export function screenRunJson(id: string, createdAt: number, run: ScreenRun): unknown {
  return {
    id,
    createdAt: new Date(createdAt).toISOString(),
    ...run,
    variants: run.variants.map((v, i) => ({
      rank: i + 1,
      ...v,
      passed: v.verdict.passed,
      reasons: v.verdict.reasons,
    })),
  };
}
