import type { Command } from "commander";
import { ComputeIndicatorInput, computeIndicator, listIndicators } from "../../../app/compute-indicator.ts";
import { parseInput } from "../../../app/contract.ts";
import { INDICATORS } from "../../../indicators/registry.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { addParamOptions, firstOperand, paramValues, shapeOf } from "../options.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";

interface ComputeOpts {
  symbol?: string;
  timeframe?: string;
  exchange?: string;
  from?: string;
  to?: string;
  against?: string;
  last: string;
}

const fmt = (v: number | null): string =>
  v === null
    ? "-"
    : Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(6)
      : v.toFixed(6).replace(/\.?0+$/, "");

/** `kairos indicators ...`: list the registry, compute one indicator over a stored series */
export function registerIndicatorsCommand(program: Command): void {
  const ind = program
    .command("indicators")
    .description("technical indicators: list them, compute one over stored candles");

  ind
    .command("list")
    .description("list every indicator with its category, outputs, parameters (defaults, bounds) and warm-up")
    .addHelpText("after", "\nExample:\n  kairos indicators list\n  kairos indicators list --json")
    .action((_opts: unknown, cmd: Command) => {
      const list = listIndicators();
      if (globalsOf(cmd).json) {
        printJson({ indicators: list });
        return;
      }
      printLine(
        table(
          ["name", "category", "outputs", "params (default)", "warm-up"],
          list.map((i) => [
            i.name,
            i.category,
            i.outputs.join(","),
            Object.entries(i.params)
              .map(([k, s]) => `${k}=${JSON.stringify((s as { default?: unknown }).default)}`)
              .join(" "),
            String(i.warmup),
          ]),
        ),
      );
    });

  // the named indicator's parameters become real options before compute parses its arguments
  let paramKeys: string[] = [];
  ind.hook("preSubcommand", (_ind, sub) => {
    if (sub.name() !== "compute") return;
    const name = firstOperand(sub);
    const found = INDICATORS.find((i) => i.name === name);
    if (found !== undefined) paramKeys = addParamOptions(sub, shapeOf(found.params), found.name);
  });
  ind
    .command("compute <name>")
    .description("compute an indicator over a stored series; indicator parameters follow as --name value")
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1d")
    .option("--exchange <id>", "exchange id (default: the one exchange that holds the symbol)")
    .option("--from <time>", "first bar, ISO date/time UTC (inclusive)")
    .option("--to <time>", "end, ISO date/time UTC (exclusive)")
    .option("--against <BASE/QUOTE>", "benchmark symbol for correlation and beta")
    .option("--last <n>", "show the latest n bars (0 = all)", "10")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos indicators compute rsi --period 14 --symbol BTC/USDT --timeframe 1d\n" +
        "  kairos indicators compute macd --fast 12 --slow 26 --signal 9 --symbol BTC/USDT --timeframe 1h --json\n" +
        "  kairos indicators compute beta --period 30 --symbol ETH/USDT --against BTC/USDT --timeframe 1d",
    )
    .action((name: string, opts: ComputeOpts, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const input = parseInput(ComputeIndicatorInput, {
          indicator: name,
          params: paramValues(cmd, paramKeys),
          series: { symbol: opts.symbol, timeframe: opts.timeframe, exchange: opts.exchange },
          from: opts.from,
          to: opts.to,
          against: opts.against,
          last: opts.last,
        });
        const res = computeIndicator({ store: c.store }, input);
        if (g.json) {
          printJson(res);
          return;
        }
        const p = Object.entries(res.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ");
        printLine(
          `${res.indicator}(${p}) on ${res.exchange} ${res.symbol} ${res.timeframe}: ${res.bars} bars, warm-up ${res.warmup}`,
        );
        for (const [k, v] of Object.entries(res.metadata)) printLine(`${k}: ${String(v)}`);
        printLine(
          table(
            ["time", ...res.outputs],
            res.rows.map((r) => [fmtTs(r.ts), ...res.outputs.map((o) => fmt(r.values[o] ?? null))]),
          ),
        );
      }),
    );
}
