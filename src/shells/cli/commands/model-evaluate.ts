import type { Command } from "commander";
import { parseInput } from "../../../app/contract.ts";
import { EvaluateModelsInput, evaluateModels, MODEL_NAMES } from "../../../app/evaluate-models.ts";
import type { ModelHorizonResult } from "../../../research/evaluation/evaluate.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";
import { registerModelClaimsCommand } from "./model-claims.ts";

interface EvaluateOpts {
  exchange?: string;
  symbol: string;
  timeframe: string;
  from?: string;
  to?: string;
  horizons?: string;
  folds?: string;
  models?: string;
  fee?: string;
  maxBars?: string;
  features?: string;
}

/** The `model` command group, shared with the GBDT commands: found when already registered, else created */
export function modelGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "model") ??
    program.command("model").description("train, inspect, evaluate and check forecasting models")
  );
}

const pct = (x: number, d = 3): string => (Number.isFinite(x) ? `${x.toFixed(d)}%` : "-");
const num = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : "-");
const bp = (x: number): string => (Number.isFinite(x) ? (x * 10_000).toFixed(1) : "-");
const pv = (x: number): string => (!Number.isFinite(x) ? "-" : x < 0.0001 ? "<1e-4" : x.toFixed(4));

/** One row of the side-by-side table */
export function evaluationRow(r: ModelHorizonResult): string[] {
  const m = r.metrics;
  const acc = Number.isFinite(m.directionalAccuracy)
    ? `${(100 * m.directionalAccuracy).toFixed(1)} [${(100 * m.directionalCi.lo).toFixed(1)}, ${(100 * m.directionalCi.hi).toFixed(1)}]`
    : "-";
  const primary =
    r.valueTest?.primary === true ? r.valueTest : r.directionTest?.primary === true ? r.directionTest : null;
  return [
    r.model,
    r.role,
    String(r.horizon),
    pct(m.mapePrice),
    bp(m.rmse),
    bp(m.mae),
    acc,
    num(m.brier),
    num(m.logLoss),
    r.pnl === null ? "-" : pct(r.pnl.netReturnPct, 1),
    primary === null ? "-" : `${primary === r.valueTest ? "DM" : "dir"} ${pv(primary.pValue)}`,
    primary === null ? "-" : pv(primary.pHolm),
    r.role === "naive" ? "(ref)" : r.beatsBaseline ? "YES" : "no",
    (r.fitMs / 1000).toFixed(1),
  ];
}

export const EVALUATION_HEAD = [
  "model",
  "role",
  "h",
  "MAPE price",
  "RMSE bp",
  "MAE bp",
  "dir acc % [95% CI]",
  "Brier",
  "log-loss",
  "P&L net",
  "test p",
  "Holm p",
  "beats naive",
  "fit s",
];

/** Whether the +sentiment models beat their blind twins and the naive forecasts, in plain words */
export function sentimentVerdict(out: {
  sentiment?: { headlines: number; barsWithHeadlines: number; bars: number; testBarsWithHeadlines: number };
  evaluation: { results: readonly ModelHorizonResult[] };
}): string {
  const s = out.sentiment;
  if (s === undefined) return "";
  const head = `sentiment: ${s.headlines} stored headlines; ${s.barsWithHeadlines} of ${s.bars} bars had one in their last 24 h, ${s.testBarsWithHeadlines} of them out of sample.`;
  // a handful of headlines moves a test statistic by luck alone: below 30 of each, no verdict
  if (s.headlines < 30 || s.testBarsWithHeadlines < 30)
    return `${head} Not judged: too few headlines; the feature adds nothing measurable here.`;
  const parts: string[] = [];
  for (const r of out.evaluation.results) {
    if (!r.model.endsWith("+sentiment")) continue;
    const twin = out.evaluation.results.find(
      (q) => q.model === r.model.replace("+sentiment", "") && q.horizon === r.horizon,
    );
    const better = twin !== undefined && r.metrics.rmse < twin.metrics.rmse;
    parts.push(
      `${r.model} h=${r.horizon}: ${r.beatsBaseline ? "beats" : "does not beat"} the naive forecast, RMSE ${better ? "below" : "not below"} ${twin?.model ?? "its twin"}`,
    );
  }
  return `${head} ${parts.join("; ")}.`;
}

/** `kairos model evaluate` and `kairos model claims`, registered under the shared `model` group */
export function registerModelEvaluateCommand(program: Command): void {
  const model = modelGroup(program);
  registerModelClaimsCommand(model);
  model
    .command("evaluate")
    .description("walk-forward evaluation of every model beside naive baselines, with significance tests")
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange id (default: the one exchange holding the symbol)")
    .option("--from <date>", "first bar, ISO date/time UTC (inclusive)")
    .option("--to <date>", "end, ISO date/time UTC (exclusive)")
    .option("--horizons <list>", "forecast horizons in bars", "1,24")
    .option("--folds <n>", "walk-forward test folds", "4")
    .option(
      "--models <list>",
      `comma-separated subset of ${MODEL_NAMES.join(",")} (naive baselines always run)`,
    )
    .option("--fee <rate>", "taker fee for the signal's P&L: 0.001, 0.1% or 10bps", "0.001")
    .option("--max-bars <n>", "use at most the last N bars", "30000")
    .option(
      "--features <list>",
      "+sentiment: ridge and gbdt also run with the stored headlines' 24 h sentiment (as ridge+sentiment, gbdt+sentiment)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  kairos model evaluate --symbol BTC/USDT --timeframe 1h\n  kairos model evaluate --symbol ETH/USDT --timeframe 1d --horizons 1,7 --json",
    )
    .action((opts: EvaluateOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const out = await evaluateModels(
          { store: c.store, news: c.news, tensors: c.tensors, clock: c.clock },
          parseInput(EvaluateModelsInput, opts),
          g.json ? () => {} : (m) => printInfo(m),
        );
        if (g.json) {
          printJson(out);
          return;
        }
        const s = out.series;
        const ev = out.evaluation;
        printLine(
          `${s.exchange} ${s.symbol} ${s.timeframe}: ${s.bars} bars ${fmtTs(s.from)} -> ${fmtTs(s.to)}; ${ev.config.folds} walk-forward folds, embargo ${ev.config.embargo} bars, ${out.features.length} features`,
        );
        for (const h of ev.config.horizons) {
          printLine(
            `h=${h}: ${ev.testSamples[h]} out-of-sample forecasts from ${fmtTs(out.testStart[h] ?? Number.NaN)}`,
          );
        }
        printLine();
        printLine(table(EVALUATION_HEAD, ev.results.map(evaluationRow)));
        printLine();
        printLine(
          `Value models are tested against the random walk (one-sided Diebold-Mariano on squared log-return errors, HAC variance, HLN correction);`,
        );
        printLine(
          `direction-only models against the stronger naive sign forecast (last-sign or always-up). Holm over all ${ev.results.filter((r) => r.valueTest?.primary === true || r.directionTest?.primary === true).length} tests, alpha ${ev.config.alpha}.`,
        );
        printLine(
          `P&L: ${out.pnlEngine}, fee ${ev.config.fee}. Directional CIs are Wilson intervals (too narrow for overlapping h > 1 labels).`,
        );
        if (out.sentiment !== undefined) printLine(sentimentVerdict(out));
        printLine(`Took ${(out.elapsedMs / 1000).toFixed(1)} s.`);
      }),
    );
}
