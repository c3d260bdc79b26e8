import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { parseInput } from "../../../app/contract.ts";
import { strategyNames } from "../../../app/list-strategies.ts";
import { QueueSweepInput, queueSweeper } from "../../../app/queue-sweep.ts";
import {
  MAX_SWEEP_THREADS,
  RunSweepInput,
  runSweep,
  SWEEP_SORTS,
  type SweepReport,
} from "../../../app/run-sweep.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { fieldFlags } from "../options.ts";
import { progressView } from "../progress.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

interface SweepOpts {
  symbol: string;
  timeframe: string;
  exchange?: string;
  from?: string;
  to?: string;
  param: string[];
  fee?: string;
  slippage?: string;
  initialCash?: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
  cooldownBars?: string;
  threads?: string;
  sort: string;
  top?: string;
  queue?: string;
  chunkSize?: string;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "-");
const num = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : "-");

/** `kairos sweep <family>`: every combination of a parameter grid, ranked */
export function registerSweepCommand(program: Command): void {
  program
    .command("sweep <family>")
    .description(
      `run every combination of a parameter grid with the vectorised engine and rank them (families: ${strategyNames((f) => f.forms.sweep).join(", ")}; \`kairos strategies show NAME\` for parameters and bounds)`,
    )
    .requiredOption(
      "--symbol <BASE/QUOTE[,...]>",
      "symbol(s), e.g. BTC/USDT or BTC/USDT,ETH/USDT (each swept on its own)",
    )
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange id (default: the one that holds the symbol)")
    .option("--from <date>", "first bar, ISO date/time UTC (inclusive)")
    .option("--to <date>", "end, ISO date/time UTC (exclusive)")
    .option(
      "--param <name=from..to:step>",
      "a swept parameter (repeatable): name=from..to:step, name=a,b,c or name=value",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--fee <rate>", "taker fee per side: 0.001, 0.1% or 10bps (default 0.1%)")
    .option("--slippage <rate>", "slippage per fill: 0.0005, 0.05% or 5bps (default 0)")
    .option("--initial-cash <quote>", "starting cash (default 10000)")
    .option("--stop-loss <rate>", "stop below the entry price: 0.05, 5% or 500bps (stops run per bar)")
    .option("--take-profit <rate>", "take profit above the entry price")
    .option("--trailing-stop <rate>", "stop trailing the highest high since entry")
    .option("--cooldown-bars <n>", "bars without entries after a stop (default 0)")
    .option("--threads <n>", "worker threads (default: all cores)")
    .option("--sort <metric>", `rank by ${SWEEP_SORTS.join(", ")} (drawdown: smallest first)`, "sharpe")
    .option("--top <n>", "rows to show (default 20 in the table, all in --json)")
    .option(
      "--queue <redis://HOST:PORT>",
      "run the grid as chunks on `kairos worker` processes through Redis (same figures)",
    )
    .option("--chunk-size <n>", "combinations per queued job (default 500)")
    .addHelpText(
      "after",
      "\nExample:\n  kairos sweep sma-cross --symbol BTC/USDT --timeframe 1h --param fast=5..50:1 --param slow=10..200:10 --threads 2 --top 10",
    )
    .action(async (family: string, { queue, chunkSize, ...opts }: SweepOpts, cmd: Command) => {
      const json = globalsOf(cmd).json;
      const queued = queue === undefined ? undefined : parseInput(QueueSweepInput, { queue, chunkSize });
      const input = parseInput(RunSweepInput, {
        ...opts,
        family,
        params: opts.param,
        threads: opts.threads ?? Math.min(availableParallelism(), MAX_SWEEP_THREADS),
        // the table shows 20 rows unless --top says otherwise; --json has them all
        ...(opts.top === undefined && !json ? { top: 20 } : {}),
      });
      await withContainer(cmd, async (c, g) => {
        const progress = progressView(g.json);
        let report: SweepReport;
        const q = queued === undefined ? undefined : await c.queue(queued.queue);
        try {
          report = await runSweep(input, {
            ...(q === undefined || queued === undefined
              ? {}
              : {
                  remote: queueSweeper({
                    queue: q,
                    chunks: c.chunkResults,
                    chunkSize: queued.chunkSize,
                    log: (line) => process.stderr.write(`${line}\n`),
                  }),
                }),
            store: c.store,
            workers: (n) => c.workers(n),
            clock: { now: () => performance.now() },
            onProgress: progress.onProgress,
          });
        } finally {
          progress.stop();
          await q?.close();
        }
        if (g.json) {
          printJson(report);
          return;
        }
        const names = report.swept;
        const many = report.series.length > 1;
        const where = report.series.map((x) => `${x.exchange} ${x.symbol} (${x.bars} bars)`).join(", ");
        printInfo(
          `${report.family} ${report.timeframe} on ${where}: ${report.combinations} combinations in ${num(report.seconds ?? Number.NaN, 2)} s on ${report.threads} thread(s); fee ${report.fee}, slippage ${report.slippage}; sorted by ${report.sort}`,
        );
        printLine(
          table(
            [
              "#",
              ...(many ? ["symbol"] : []),
              ...names,
              "sharpe",
              "return",
              "max DD",
              "trades",
              "final equity",
            ],
            [
              ...report.rows.map((r, i) => [
                String(i + 1),
                ...(many ? [r.symbol] : []),
                ...names.map((k) => String(r.params[k])),
                num(r.sharpe),
                pct(r.totalReturn),
                pct(r.maxDrawdown),
                String(r.trades),
                num(r.finalEquity, 2),
              ]),
              // the yardstick on the same bars and costs, under the leaderboard it judges
              ...report.buyAndHold.map((r) => [
                "B&H",
                ...(many ? [r.symbol] : []),
                ...names.map(() => "-"),
                num(r.sharpe),
                pct(r.totalReturn),
                pct(r.maxDrawdown),
                String(r.trades),
                num(r.finalEquity, 2),
              ]),
            ],
          ),
        );
        const best = report.rows[0];
        const hold = report.buyAndHold.find((b) => b.symbol === best?.symbol);
        if (best !== undefined && hold !== undefined)
          printLine(
            `B&H = buy-and-hold over the same bars and costs. The best combination's Sharpe ${num(best.sharpe)} is ${best.sharpe > hold.sharpe ? "above" : "not above"} buy-and-hold's ${num(hold.sharpe)} on ${best.symbol}; in-sample, before any out-of-sample check (\`kairos screen\` judges out of sample)`,
          );
      });
    });
  // the use case's `params` is typed --param on the command line
  fieldFlags(program.commands.find((c) => c.name() === "sweep")!, { params: "--param" });
}
