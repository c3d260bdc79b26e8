import type { Command } from "commander";
import { strictNumber } from "../../../app/contract.ts";
import { predictModel } from "../../../app/predict-model.ts";
import { listModels, showModel } from "../../../app/show-model.ts";
import {
  parseTrainModelInput,
  type TrainModelInput,
  trainModel,
  verdictVsNaive,
} from "../../../app/train-model.ts";
import { invalidField } from "../../../errors.ts";
import type { GbdtParamsInput } from "../../../forecasting/gbdt/params.ts";
import type { ModelRecord } from "../../../ports/model-store.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { fieldFlags } from "../options.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";
import { modelGroup } from "./model-evaluate.ts";

interface TrainOpts {
  symbol: string;
  timeframe: string;
  exchange?: string;
  from?: string;
  to?: string;
  horizon: string;
  objective: string;
  target?: string;
  trees?: string;
  depth?: string;
  leaves?: string;
  lr?: string;
  seed?: string;
  threads: string;
  features?: string;
}

const num = (v: string | undefined, flag: string, int: boolean, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = strictNumber(v);
  if (n === undefined || n < min || (int && !Number.isInteger(n)))
    throw invalidField(
      flag.replace(/^-+/, ""),
      n === undefined ? `"${v}" is not a number` : `${v} is out of range`,
      `${int ? "a whole number" : "a number"} >= ${min}`,
    );
  return n;
};

const f4 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4));

const headline = (r: ModelRecord): string => {
  const m = r.metrics;
  return r.target.kind === "sign"
    ? `AUC ${f4(m.auc)}, accuracy ${f4(m.accuracy)}, log-loss ${f4(m.logLoss)} vs naive ${f4(m.naiveLogLoss)}`
    : `RMSE ${f4(m.rmse)} vs naive ${f4(m.naiveRmse)}, IC ${f4(m.ic)}`;
};

/** `kairos model train | list | show | predict` (evaluate and claims live beside them in the same group) */
export function registerModelCommand(program: Command): void {
  const model = modelGroup(program);
  const train = model
    .command("train")
    .description("train a gradient-boosted trees forecaster on a stored series and save it in the registry")
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .requiredOption("--horizon <bars>", "forecast horizon in bars")
    .option("--exchange <id>", "exchange id (default: the one exchange holding the symbol)")
    .option("--from <date>", "first bar, ISO date/time UTC (inclusive)")
    .option("--to <date>", "end, ISO date/time UTC (exclusive)")
    .option("--objective <name>", "logistic (sign of the h-bar return) or squared (its value)", "logistic")
    .option("--target <kind>", "with --objective squared: logret or vol")
    .option("--trees <n>", "maximum boosting rounds (early stopping picks the best)")
    .option("--depth <n>", "maximum tree depth")
    .option("--leaves <n>", "grow leaf-wise with at most this many leaves")
    .option("--lr <rate>", "learning rate")
    .option("--seed <n>", "random seed (row and feature subsampling)")
    .option("--threads <n>", "threads for histogram building (the model is the same for any count)", "1")
    .option(
      "--features <list>",
      "opt-in features beside the default columns: +sentiment (stored headlines naming the symbol: 24 h mean score and count, causal)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  kairos model train --symbol BTC/USDT --timeframe 1h --horizon 24\n  kairos model train --symbol FET/USDT --timeframe 1h --horizon 24 --objective squared --target vol --json",
    )
    .action((opts: TrainOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const hyper = (v: string | undefined, field: string): number | undefined => {
          if (v === undefined) return undefined;
          const n = strictNumber(v);
          if (n === undefined) throw invalidField(`gbdt.${field}`, `"${v}" is not a number`);
          return n;
        };
        const gbdt: GbdtParamsInput = {};
        const trees = hyper(opts.trees, "nTrees");
        const depth = hyper(opts.depth, "maxDepth");
        const leaves = hyper(opts.leaves, "maxLeaves");
        const lr = hyper(opts.lr, "learningRate");
        const seed = hyper(opts.seed, "seed");
        if (trees !== undefined) gbdt.nTrees = trees;
        if (depth !== undefined) gbdt.maxDepth = depth;
        if (leaves !== undefined)
          Object.assign(gbdt, { growth: "leafwise", maxLeaves: leaves, maxDepth: depth ?? 0 });
        if (lr !== undefined) gbdt.learningRate = lr;
        if (seed !== undefined) gbdt.seed = seed;
        const input = parseTrainModelInput({ ...opts, gbdt } as TrainModelInput);
        if (!g.json)
          printInfo(`training on ${opts.symbol} ${opts.timeframe}, horizon ${opts.horizon} bars ...`);
        const out = await trainModel(input, {
          store: c.store,
          models: c.models,
          news: c.news,
          clock: c.clock,
          workers: (n) => c.workers(n),
        });
        if (g.json) return printJson(out);
        const r = out.record;
        printLine(
          `${out.alreadyStored ? "already in the registry (same model, same bytes):" : "saved"} ${r.id}: ${r.target.kind} ${r.target.horizon} bars ahead of ${r.dataRange.symbol} ${r.dataRange.timeframe}`,
        );
        printLine(
          `rows train ${out.rows.train}, validation ${out.rows.valid}, test ${out.rows.test}; ${out.trees} trees kept of ${out.roundsTrained} (early stopping); ${(out.trainingMs / 1000).toFixed(1)} s`,
        );
        printLine(`test ${fmtTs(r.metrics.testFrom!)} -> ${fmtTs(r.metrics.testTo!)}: ${headline(r)}`);
        printLine(`verdict: ${verdictVsNaive(r.metrics, r.target.kind).text}`);
      }),
    );

  // the model's hyper-parameters have short flags
  fieldFlags(train, {
    "gbdt.nTrees": "--trees",
    "gbdt.maxDepth": "--depth",
    "gbdt.maxLeaves": "--leaves",
    "gbdt.learningRate": "--lr",
    "gbdt.seed": "--seed",
  });
  model
    .command("list")
    .description("the models in the registry, newest first")
    .action((_o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const rows = listModels({ models: c.models });
        if (g.json) return printJson(rows);
        if (rows.length === 0)
          return printLine("no models yet: kairos model train --symbol BTC/USDT --timeframe 1h --horizon 24");
        printLine(
          table(
            ["id", "target", "series", "data", "test quality", "trained"],
            rows.map((r) => [
              r.id,
              `${r.target.kind} h=${r.target.horizon}`,
              `${r.dataRange.exchange} ${r.dataRange.symbol} ${r.dataRange.timeframe}`,
              `${fmtTs(r.dataRange.from)} -> ${fmtTs(r.dataRange.to)}`,
              headline(r),
              fmtTs(r.createdAt),
            ]),
          ),
        );
      }),
    );

  model
    .command("show <id>")
    .description("a model's parameters, data, metrics and global feature importance")
    .option("--top <n>", "features to list by importance", "15")
    .action((id: string, opts: { top: string }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const out = showModel(id, { models: c.models });
        if (g.json) return printJson(out);
        const r = out.record;
        printLine(`${r.id}  hash ${r.hash}`);
        printLine(
          `target: ${r.target.kind}, ${r.target.horizon} bars ahead; ${r.features.length} features; ${out.trees} trees, ${out.leaves} leaves`,
        );
        printLine(
          `data: ${r.dataRange.exchange} ${r.dataRange.symbol} ${r.dataRange.timeframe} ${fmtTs(r.dataRange.from)} -> ${fmtTs(r.dataRange.to)}`,
        );
        printLine(
          `test: ${headline(r)}; trained in ${(r.trainingMs / 1000).toFixed(1)} s on ${fmtTs(r.createdAt)}`,
        );
        printLine(`verdict: ${verdictVsNaive(r.metrics, r.target.kind).text}`);
        printLine(`params: ${JSON.stringify((r.params as { gbdt?: unknown }).gbdt ?? r.params)}`);
        printLine();
        const top = num(opts.top, "--top", true, 1)!;
        printLine(
          table(
            ["feature", "gain", "splits"],
            out.importance.slice(0, top).map((i) => [i.feature, i.gain.toPrecision(4), String(i.splits)]),
          ),
        );
      }),
    );

  model
    .command("predict <id>")
    .description("forecast at the last bar (or --at) with the features that pushed it, by TreeSHAP")
    .option("--symbol <BASE/QUOTE>", "symbol (default: the one the model was trained on)")
    .option("--timeframe <tf>", "timeframe (must be the model's)")
    .option("--exchange <id>", "exchange id")
    .option("--at <date>", "forecast at the last bar opening at or before this time (UTC)")
    .option("--top <n>", "contributions to show", "8")
    .addHelpText("after", "\nExample:\n  kairos model predict gbdt-1a2b3c --symbol ETH/USDT --json")
    .action(
      (
        id: string,
        opts: { symbol?: string; timeframe?: string; exchange?: string; at?: string; top: string },
        cmd: Command,
      ) =>
        withContainer(cmd, (c, g) => {
          const out = predictModel(
            {
              id,
              top: num(opts.top, "--top", true, 1)!,
              ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
              ...(opts.timeframe === undefined ? {} : { timeframe: opts.timeframe }),
              ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }),
              ...(opts.at === undefined ? {} : { at: opts.at }),
            },
            { store: c.store, models: c.models, news: c.news },
          );
          for (const w of out.warnings) printInfo(`warning: ${w}`);
          if (g.json) return printJson(out);
          const s = out.series;
          const what =
            out.target.kind === "sign"
              ? `P(up over the next ${out.target.horizon} bars) = ${(100 * out.prediction).toFixed(1)}%`
              : `${out.target.kind} over the next ${out.target.horizon} bars = ${out.prediction.toPrecision(4)}`;
          printLine(
            `${out.model} on ${s.exchange} ${s.symbol} ${s.timeframe} at the close of the bar opening ${fmtTs(out.barTs)}: ${what}`,
          );
          printLine(
            `margin ${out.margin.toFixed(4)} = base ${out.base.toFixed(4)} + the contributions of every feature (largest below)`,
          );
          printLine(
            table(
              ["feature", "value", "push", "direction"],
              out.contributions.map((k) => [
                k.feature,
                Number.isFinite(k.value) ? k.value.toPrecision(4) : "missing",
                (k.contribution >= 0 ? "+" : "") + k.contribution.toFixed(4),
                k.contribution >= 0 ? "up" : "down",
              ]),
            ),
          );
        }),
    );
}
