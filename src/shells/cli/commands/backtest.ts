import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { fieldError, parseInput } from "../../../app/contract.ts";
import { strategyNames } from "../../../app/list-strategies.ts";
import { resolveSeries } from "../../../app/resolve-series.ts";
import {
  type BacktestRun,
  backtestToJson,
  exchangeFees,
  RunBacktestInput,
  runBacktest,
} from "../../../app/run-backtest.ts";
import { tradesToCsv, tradesToJson } from "../../../backtest/trade-analysis.ts";
import { createContainer } from "../../../composition-root.ts";
import { AppError, invalidField, invalidInput } from "../../../errors.ts";
import { renderBacktestReport } from "../../../explain/backtest/render-backtest-report.ts";
import { getFamily } from "../../../strategies/registry.ts";
import { readChartLibrary } from "../../report/chart-lib.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import {
  addParamOptions,
  deprecatedAlias,
  fieldFlags,
  firstOperand,
  paramValues,
  shapeOf,
} from "../options.ts";
import { watchStaleness } from "../stale-warnings.ts";

interface BacktestOpts {
  exchange?: string;
  symbol?: string;
  timeframe: string;
  from?: string;
  to?: string;
  fee?: string;
  makerFee?: string;
  slippage?: string;
  leverage?: string;
  market?: string;
  initialCash?: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
  cooldownBars?: string;
  maxDrawdownStop?: string;
  fundingRate?: string;
  maintenanceMargin?: string;
  liquidationFee?: string;
  impact?: string;
  participation?: string;
  lotSize?: string;
  tick?: string;
  minNotional?: string;
  size?: string;
  notional?: string;
  volTarget?: string;
  detail?: string;
  benchmark?: string;
  checkLookahead?: boolean;
  lookaheadPoints?: string;
  report?: string;
  tradesCsv?: string;
  tradesJson?: string;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Strategy parameters written as flags after the strategy: `--fast 20 --slow 50 --short --no-short` */
export function parseParamFlags(args: readonly string[]): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--"))
      throw invalidInput(`unexpected argument "${a}": strategy parameters are flags like --fast 20`);
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) value = args[++i];
    if (value === undefined) {
      if (name.startsWith("no-")) out[camel(name.slice(3))] = false;
      else out[camel(name)] = true;
      continue;
    }
    const num = Number(value);
    out[camel(name)] =
      value === "true"
        ? true
        : value === "false"
          ? false
          : value.trim() !== "" && Number.isFinite(num)
            ? num
            : value;
  }
  return out;
}

async function loadUserModule(path: string): Promise<unknown> {
  try {
    // tsImport loads TypeScript as ESM even outside a "type": "module" package (a user's folder);
    // imported here, not at the top, so every other command starts without tsx and esbuild
    const { tsImport } = await import("tsx/esm/api");
    return await tsImport(pathToFileURL(resolve(path)).href, import.meta.url);
  } catch (err) {
    throw new AppError("STRATEGY_FAILED", `cannot load strategy file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

const pctText = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "n/a");
const fixText = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

function printTable(run: BacktestRun): void {
  const r = run.result;
  const m = r.metrics;
  const b = m.buyAndHold;
  const rows: [string, string, string][] = [
    ["total return", pctText(m.totalReturn), pctText(b.totalReturn)],
    ["annual return", pctText(m.annualReturn), pctText(b.annualReturn)],
    ["volatility", pctText(m.volatility), pctText(b.volatility)],
    ["sharpe", fixText(m.sharpe), fixText(b.sharpe)],
    ["sortino", fixText(m.sortino), ""],
    ["calmar", fixText(m.calmar), ""],
    ["max drawdown", pctText(m.maxDrawdown), pctText(b.maxDrawdown)],
    ["max dd duration", `${m.maxDrawdownBars} bars`, ""],
    ["trades", String(m.trades), ""],
    ["win rate", pctText(m.winRate), ""],
    ["profit factor", fixText(m.profitFactor), ""],
    ["expectancy", fixText(m.expectancy), ""],
    ["exposure", pctText(m.exposure), "100.00%"],
    ["turnover", fixText(m.turnover), ""],
    ["fees", fixText(m.fees), ""],
    ["funding", fixText(m.funding), ""],
    ["alpha / beta", `${pctText(m.alpha)} / ${fixText(m.beta)}`, ""],
    ["information ratio", fixText(m.informationRatio), ""],
    ["final equity", fixText(m.finalEquity), fixText(m.initialEquity * (1 + b.totalReturn))],
  ];
  const params = Object.entries(r.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  printLine(
    `${r.strategy} ${params} on ${run.exchange} ${r.symbols.join(",")} ${r.timeframe}, ${m.bars} bars from ${new Date(m.startTs).toISOString()} to ${new Date(m.endTs).toISOString()}`,
  );
  printLine(`${"".padEnd(18)}${"strategy".padStart(14)}${"buy & hold".padStart(14)}`);
  for (const [k, s, h] of rows) printLine(`${k.padEnd(18)}${s.padStart(14)}${h.padStart(14)}`);
  const byExit = run.analysis.byExitReason
    .map((g) => `${g.key} ${g.trades} (${pctText(g.winRate)} won)`)
    .join(", ");
  if (byExit !== "") printLine(`${"exits".padEnd(18)}${byExit}`);
  printLine(`${"benchmark".padEnd(18)}${run.benchmark ?? "none stored (alpha/beta n/a)"}`);
  printLine(`${"assumptions".padEnd(18)}${assumptionsText(run)}`);
  // the latest exits, oldest of them first, each with its symbol (a portfolio mixes them)
  const last = [...r.trades].sort((a, b) => a.exitTs - b.exitTs || a.entryTs - b.entryTs).slice(-5);
  if (last.length > 0) {
    const w = Math.max(6, ...last.map((t) => t.symbol.length));
    const when = (ts: number): string => new Date(ts).toISOString().slice(0, 16).replace("T", " ");
    printLine("");
    printLine(`last ${last.length} trades:`);
    printLine(
      `  ${"symbol".padEnd(w)}  ${"side".padEnd(5)}  ${"entry (UTC)".padEnd(16)}  ${"price".padStart(12)}  ${"exit (UTC)".padEnd(16)}  ${"price".padStart(12)}  ${"return".padStart(8)}  exit reason`,
    );
    for (const t of last)
      printLine(
        `  ${t.symbol.padEnd(w)}  ${t.side.padEnd(5)}  ${when(t.entryTs)}  ${t.entryPrice.toPrecision(7).padStart(12)}  ${when(t.exitTs)}  ${t.exitPrice.toPrecision(7).padStart(12)}  ${pctText(t.returnPct).padStart(8)}  ${t.exitReason}`,
      );
  }
  if (run.lookahead !== undefined) {
    const la = run.lookahead;
    printLine("");
    printLine(
      la.ok
        ? `look-ahead check passed: ${la.points} truncation points, ${la.valuesChecked} values compared, none changed`
        : `LOOK-AHEAD DETECTED: ${la.changes} values changed when later bars were cut away, e.g. ${la.examples
            .slice(0, 3)
            .map((e) => `${e.key} at ${new Date(e.ts).toISOString()} (${e.full} -> ${e.truncated})`)
            .join("; ")}`,
    );
  }
}

/** The market and cost assumptions every figure rests on, in one line */
export function assumptionsText(run: BacktestRun): string {
  const c = run.result.config;
  const p3 = (x: number): string => `${(x * 100).toFixed(3)}%`;
  const slip = c.slippage.kind === "fixed" ? p3(c.slippage.rate) : `${p3(c.slippage.base)} + volume impact`;
  let funding = "none (spot)";
  if (c.market === "perp") {
    const stored = Object.keys(c.fundingHistory ?? {});
    const assumed = `${(c.fundingRate * 100).toFixed(4)}% per ${c.fundingIntervalMs / 3_600_000}h assumed`;
    const missing = run.result.symbols.filter((s) => !stored.includes(s));
    funding =
      missing.length === 0
        ? `stored history (${stored.join(", ")})`
        : stored.length === 0
          ? `${assumed}, no stored history`
          : `stored for ${stored.join(", ")}, ${assumed} for ${missing.join(", ")}`;
  }
  return `${c.market}, leverage ${c.leverage}, fee ${p3(c.fee)} taker / ${p3(c.makerFee ?? c.fee)} maker, slippage ${slip}, funding ${funding}`;
}

/** `kairos backtest <strategy|file.ts> ...` */
export function registerBacktestCommand(program: Command): void {
  // the named family's parameters become real options before backtest parses its arguments, so an
  // unknown flag is refused with "did you mean" (a .ts file's parameters are undeclared: free flags)
  let strategyParamKeys: string[] = [];
  program.hook("preSubcommand", (_p, sub) => {
    if (sub.name() !== "backtest") return;
    const name = firstOperand(sub);
    const fam = name === undefined ? undefined : getFamily(name);
    if (fam !== undefined) strategyParamKeys = addParamOptions(sub, shapeOf(fam.params), fam.name);
    else if (name !== undefined && /\.(ts|mts|js|mjs)$|^[./]/.test(name))
      sub.allowUnknownOption(true).allowExcessArguments(true);
  });
  const backtest = program
    .command("backtest <strategy>")
    .description(
      `backtest a built-in strategy family (${strategyNames((f) => f.forms.event).join(", ")}; \`kairos strategies show NAME\` for its parameters) or a .ts file`,
    )
    .option("--exchange <id>", "exchange id (default: the one exchange holding the symbol)")
    .option("--symbol <symbols>", "symbol(s), comma-separated for a portfolio, e.g. BTC/USDT,ETH/USDT")
    .option("--timeframe <tf>", "bar timeframe", "1h")
    .option("--from <date>", "first bar (inclusive), ISO date/time UTC")
    .option("--to <date>", "end (exclusive), ISO date/time UTC")
    .option(
      "--fee <rate>",
      "taker fee: 0.001, 0.1% or 10bps (default 0.001), or 'exchange' for its published maker/taker",
    )
    .option("--maker-fee <rate>", "maker fee for resting limits (default: --fee)")
    .option("--slippage <rate>", "slippage per fill: 0.0005, 0.05% or 5bps (default 0)")
    .option("--leverage <x>", "leverage; above 1 trades perpetuals")
    .option("--market <kind>", "spot or perp (default spot; perp when --leverage > 1)")
    .option("--initial-cash <quote>", "starting cash in quote (default 10000)")
    .option("--stop-loss <rate>", "stop-loss below (above for shorts) the entry, e.g. 5%")
    .option("--take-profit <rate>", "take-profit beyond the entry, e.g. 10%")
    .option("--trailing-stop <rate>", "trailing stop from the best price since entry, e.g. 3%")
    .option("--cooldown-bars <n>", "bars without entries after a stop on that symbol")
    .option("--max-drawdown-stop <rate>", "close all and stop when equity falls this far below its peak")
    .option("--funding-rate <rate>", "perp funding per 8h when no history is stored (default 0.01%)")
    .option("--maintenance-margin <rate>", "perp maintenance margin (default 0.5%)")
    .option("--liquidation-fee <rate>", "perp liquidation fee on notional (default 0.5%)")
    .option("--impact <k>", "volume slippage: adds k * (high-low)/open * sqrt(qty/volume) to --slippage")
    .option("--participation <rate>", "fill at most this share of a bar's volume per bar, e.g. 10%")
    .option("--lot-size <qty>", "round quantities down to this step")
    .option("--tick <price>", "price precision: round fill prices to this step")
    .option("--min-notional <quote>", "drop orders below this notional")
    .option("--size <x>", "sizing: multiply the strategy's exposure (e.g. 3 with --leverage 3; default 1)")
    .option("--notional <quote>", "sizing: a fixed quote amount per position instead of a fraction of equity")
    .option(
      "--vol-target <rate>",
      "sizing: scale exposure to this annual volatility (30-bar realised), e.g. 20%",
    )
    .option("--detail <tf>", "finer stored timeframe to resolve stops inside bars, e.g. 5m")
    .option("--benchmark <symbol>", "benchmark for alpha/beta (default BTC/USDT)")
    .option("--check-lookahead", "re-run on data truncated at 200 points and report values that change")
    .option("--lookahead-points <n>", "truncation points for --check-lookahead", "200")
    .option("--report <file.html>", "write a self-contained HTML report")
    .option("--trades-csv <file>", "export the trades as CSV")
    .option("--trades-json <file>", "export the trades as JSON")
    .addHelpText(
      "after",
      "\nStrategy parameters follow as flags. Examples:\n  kairos backtest sma-cross --symbol BTC/USDT --timeframe 1h --fast 20 --slow 50 --fee 0.001\n  kairos backtest ./my-strategy.ts --symbol ETH/USDT --timeframe 1d --report out.html",
    )
    .action(async (strategy: string, opts: BacktestOpts, cmd: Command) => {
      const g = globalsOf(cmd);
      const isFile =
        /\.(ts|mts|js|mjs)$/.test(strategy) || strategy.startsWith(".") || strategy.startsWith("/");
      // a built-in family's parameters are registered options; a user file's are undeclared flags
      const params = isFile
        ? parseParamFlags(cmd.args.slice(1).filter((a) => a !== "--json" && a !== "--debug"))
        : paramValues(cmd, strategyParamKeys);
      if (opts.symbol === undefined)
        throw invalidField("symbols", "is required", "BASE/QUOTE, e.g. BTC/USDT");
      if (isFile && !existsSync(strategy))
        throw fieldError("strategy", `strategy file ${strategy} not found`);
      const input = parseInput(RunBacktestInput, {
        ...opts,
        strategy,
        params,
        symbols: opts.symbol,
        detailTimeframe: opts.detail,
        priceTick: opts.tick,
        sizeFraction: opts.size,
        sizeNotional: opts.notional,
        checkLookahead: opts.checkLookahead === true,
      });
      const userModule = isFile ? await loadUserModule(strategy) : undefined;
      const c0 = createContainer({ home: g.home });
      // the backtest says when the newest bar of a series it read is old
      const stale = watchStaleness(c0);
      const c = stale.container;
      try {
        let marketFees: Awaited<ReturnType<typeof exchangeFees>> | undefined;
        if (input.fee === "exchange") {
          const ex =
            input.exchange ??
            resolveSeries(c.store, { symbol: input.symbols[0] ?? "", timeframe: input.timeframe }).exchange;
          marketFees = await exchangeFees(c.fees, ex, input.symbols);
        }
        const run = runBacktest(
          { store: c.store, funding: c.funding },
          {
            ...input,
            ...(userModule === undefined ? {} : { userModule }),
            ...(marketFees === undefined ? {} : { marketFees }),
          },
        );
        if (opts.report !== undefined) {
          const html = renderBacktestReport({
            result: run.result,
            analysis: run.analysis,
            prices: run.series,
            exchange: run.exchange,
            chartLib: readChartLibrary(),
            ...(run.lookahead === undefined ? {} : { lookahead: run.lookahead }),
          });
          c.files.writeTextAtomic(opts.report, html);
          printInfo(`report written to ${opts.report}`);
        }
        if (opts.tradesCsv !== undefined) {
          c.files.writeTextAtomic(opts.tradesCsv, tradesToCsv(run.result.trades));
          printInfo(`trades written to ${opts.tradesCsv}`);
        }
        if (opts.tradesJson !== undefined) {
          c.files.writeTextAtomic(
            opts.tradesJson,
            `${JSON.stringify(tradesToJson(run.result.trades), null, 2)}\n`,
          );
          printInfo(`trades written to ${opts.tradesJson}`);
        }
        if (g.json) printJson(backtestToJson(run));
        else printTable(run);
        stale.report();
        if (run.lookahead !== undefined && !run.lookahead.ok)
          throw new AppError(
            "STRATEGY_FAILED",
            `look-ahead detected in ${strategy}: ${run.lookahead.changes} values changed`,
            {
              details: { examples: run.lookahead.examples },
            },
          );
      } finally {
        c0.close();
      }
    });
  fieldFlags(backtest, {
    symbols: "--symbol",
    detailTimeframe: "--detail",
    priceTick: "--tick",
    sizeFraction: "--size",
    sizeNotional: "--notional",
  });
  deprecatedAlias(backtest, "--cash <quote>", "--initial-cash");
  deprecatedAlias(backtest, "--cooldown <bars>", "--cooldown-bars");
}
