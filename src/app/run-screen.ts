import { parseFraction } from "../backtest/units.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput, isAppError } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import type { MonteCarloResult } from "../research/monte-carlo.ts";
import { runScreen, type ScreenRun, type SearchChoice, validationSeed } from "../research/screen.ts";
import { checkFamilies, PRESETS, UNIVERSES } from "../research/screen-catalog.ts";
import type { VariantSpec, VariantStats } from "../research/screen-evaluate.ts";
import { SCREEN_KERNEL, type ScreenShared, type ScreenTask } from "../research/screen-kernel.ts";
import type { ScreenRunInfo, ScreenRunStore } from "../research/screen-run-store.ts";
import type { ValidationConfig } from "../research/validation-config.ts";
import {
  defaultValidationConfig,
  type ValidationConfigInput,
  validationConfigSchema,
} from "../research/validation-config.ts";
import { parseRange, resolveSeries } from "./resolve-series.ts";

/** What the user asked to screen; rates accept 0.001, 0.1% or 10bps */
export interface RunScreenRequest {
  universe?: string;
  symbols?: readonly string[];
  exchange?: string;
  timeframe: string;
  /** UTC ISO dates or times: from inclusive, to exclusive */
  from?: string;
  to?: string;
  variants: number;
  seed: number;
  preset?: string;
  /** restrict the search to these families, e.g. ["model-sign"] */
  families?: readonly string[];
  search?: SearchChoice;
  fee?: string | number;
  slippage?: string | number;
  /** any other validation setting (folds, embargo, thresholds, ...) */
  validation?: ValidationConfigInput;
}

export interface RunScreenDeps {
  store: CandleStore;
  runs: ScreenRunStore;
  clock: Clock;
  /** worker threads for the variant evaluations (threads > 1); results equal the single-thread ones */
  pool?: WorkerPool;
  onProgress?: (done: number, total: number) => void;
}

/** Loads the universe (or symbols) and BTC as the relative-strength reference */
export function loadScreenSeries(
  store: CandleStore,
  req: Pick<RunScreenRequest, "universe" | "symbols" | "exchange" | "timeframe" | "from" | "to">,
): { series: CandleSeries[]; reference: CandleSeries | undefined } {
  let symbols: readonly string[];
  if (req.universe !== undefined && req.symbols !== undefined && req.symbols.length > 0)
    throw invalidInput("screen: pass either --universe or --symbols, not both");
  if (req.universe !== undefined) {
    const u = UNIVERSES[req.universe];
    if (u === undefined)
      throw invalidInput(
        `unknown universe "${req.universe}": use one of ${Object.keys(UNIVERSES).join(", ")}`,
      );
    symbols = u;
  } else if (req.symbols !== undefined && req.symbols.length > 0) symbols = req.symbols;
  else
    throw invalidInput(
      "screen: say what to screen: --universe ai-tokens|majors or --symbols BTC/USDT,ETH/USDT",
    );
  const keys = symbols.map((s) =>
    resolveSeries(store, {
      ...(req.exchange === undefined ? {} : { exchange: req.exchange }),
      symbol: s,
      timeframe: req.timeframe,
    }),
  );
  const range = parseRange(req);
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
  req: RunScreenRequest,
): Promise<{ id: string; createdAt: number; run: ScreenRun }> {
  if (req.preset !== undefined && PRESETS[req.preset] === undefined)
    throw invalidInput(`unknown preset "${req.preset}": use one of ${Object.keys(PRESETS).join(", ")}`);
  if (req.families !== undefined) checkFamilies(req.families);
  const parsed = validationConfigSchema.safeParse({
    ...req.validation,
    ...(req.fee === undefined ? {} : { fee: parseFraction(req.fee, "--fee") }),
    ...(req.slippage === undefined ? {} : { slippage: parseFraction(req.slippage, "--slippage") }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const known = Object.keys(defaultValidationConfig()).join(", ");
    if (issue.code === "unrecognized_keys")
      throw invalidInput(`unknown screen validation setting ${issue.keys.join(", ")}: use one of ${known}`);
    throw invalidInput(`screen validation setting ${issue.path.join(".") || "settings"}: ${issue.message}`);
  }
  const config = parsed.data;
  const { series, reference } = loadScreenSeries(deps.store, req);
  const hooks =
    deps.pool !== undefined && deps.pool.threads > 1
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
    ...(deps.onProgress === undefined ? {} : { onProgress: deps.onProgress }),
  });
  const createdAt = deps.clock.now();
  const id = newRunId(deps.runs, createdAt);
  deps.runs.save(id, createdAt, run);
  return { id, createdAt, run };
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
