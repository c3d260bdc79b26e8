import type { Command } from "commander";
import { parseInput } from "../../../app/contract.ts";
import { DeleteSeriesInput, deleteSeries } from "../../../app/delete-series.ts";
import { ImportCandlesInput, importCandlesAsync } from "../../../app/import-candles.ts";
import { listSeries } from "../../../app/list-series.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { registerDataDownloadCommand } from "./data-download.ts";
import { fmtTs, seriesTable } from "./data-format.ts";
import { registerDataReadCommands } from "./data-read.ts";

interface ImportOpts {
  exchange?: string;
  symbol?: string;
  timeframe?: string;
  replace?: boolean;
  market?: string;
}

/** `kairos data ...`: the market-data commands */
export function registerDataCommand(program: Command): void {
  const data = program.command("data").description("import, download, inspect and reshape market data");

  data
    .command("import <path>")
    .description(
      "import a candle file or every recognised file in a folder (CSV, Binance zip/csv, freqtrade JSON, .gz)",
    )
    .option("--exchange <id>", "exchange id, e.g. binance (default: from the file name)")
    .option("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT (default: from the file name)")
    .option("--timeframe <tf>", "timeframe, e.g. 1h (default: from the file name)")
    .option("--replace", "overwrite stored candles whose values differ (otherwise refused)")
    .option(
      "--market <spot|perp>",
      "perp: the files hold the USD-M perpetual (BTC/USDT:USDT), e.g. Binance bulk futures klines (default: from the path)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  kairos data import data/\n  kairos data import BTCUSDT-1m-2024-01.zip\n  kairos data import user_data/data/binance/futures/\n  kairos data import --market perp BTCUSDT-1h-2024-01.zip",
    )
    .action((path: string, opts: ImportOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const input = parseInput(ImportCandlesInput, { path, ...opts });
        const deps = { store: c.store, files: c.files, funding: c.funding };
        const report = await importCandlesAsync(deps, input, (f) => {
          if (!g.json) {
            const gaps =
              f.gaps.length === 0
                ? "no gaps"
                : `${f.gaps.length} gaps (${f.gaps.reduce((a, x) => a + x.count, 0)} missing)`;
            printInfo(
              `${f.file}: ${f.rows} rows ${f.exchange} ${f.symbol} ${f.timeframe} ${fmtTs(f.first, f.timeframe)} -> ${fmtTs(f.last, f.timeframe)}; ${f.inserted} new, ${f.unchanged} unchanged, ${f.replaced} replaced; ${gaps}`,
            );
          }
        });
        if (g.json) printJson(report);
        else {
          const total = report.files.reduce((a, f) => a + f.inserted, 0);
          for (const f of report.funding) {
            printInfo(
              `${f.file}: ${f.rows} funding rates ${f.exchange} ${f.symbol} ${fmtTs(f.first, "1h")} -> ${fmtTs(f.last, "1h")}; ${f.inserted} new`,
            );
          }
          const funding = report.funding.length > 0 ? ` and ${report.funding.length} funding file(s)` : "";
          printLine(`imported ${report.files.length} file(s)${funding}, ${total} new candles into ${c.home}`);
          for (const s of report.skipped) printInfo(`skipped ${s.name}: ${s.reason}`);
        }
      }),
    );

  data
    .command("list")
    .description("list stored series with rows, range and gaps")
    .addHelpText("after", "\nExample:\n  kairos data list --json")
    .action((_opts: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const out = listSeries({ store: c.store, funding: c.funding });
        if (g.json) {
          printJson(out);
          return;
        }
        if (out.series.length === 0) {
          printLine(`no series in ${c.home}; try \`kairos data import data/\``);
          return;
        }
        printLine(seriesTable(out.series));
        for (const f of out.funding) {
          printLine(
            `funding ${f.exchange} ${f.symbol}: ${f.rows} payments ${fmtTs(f.first, "8h")} -> ${fmtTs(f.last, "8h")}`,
          );
        }
      }),
    );

  data
    .command("delete")
    .description("remove a stored series, or its candles in [--from, --to), in one transaction")
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange id (default: the one exchange that holds the symbol)")
    .option("--from <time>", "ISO date/time UTC, inclusive (default: the first candle)")
    .option("--to <time>", "ISO date/time UTC, exclusive (default: after the last candle)")
    .addHelpText(
      "after",
      "\nExample:\n  kairos data delete --symbol BTC/USDT --timeframe 1h --exchange binance\n  kairos data delete --symbol BTC/USDT --timeframe 1h --from 2024-03-01 --to 2024-04-01",
    )
    .action((opts: Record<string, string | undefined>, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const r = deleteSeries({ store: c.store }, parseInput(DeleteSeriesInput, opts));
        if (g.json) return printJson(r);
        const k = r.series;
        const range =
          r.from === undefined && r.to === undefined
            ? ""
            : ` in [${r.from === undefined ? "start" : fmtTs(r.from, k.timeframe)}, ${r.to === undefined ? "end" : fmtTs(r.to, k.timeframe)})`;
        printLine(
          `${k.exchange} ${k.symbol} ${k.timeframe}: removed ${r.removed} candles${range}; ${r.remaining === 0 ? "the series is gone" : `${r.remaining} remain`}`,
        );
      }),
    );

  registerDataReadCommands(data);
  registerDataDownloadCommand(data);
}
