import type { Command } from "commander";
import { checkSeries, repairSeries } from "../../../app/check-series.ts";
import { parseInput } from "../../../app/contract.ts";
import { ExportSeriesInput, exportSeries } from "../../../app/export-series.ts";
import {
  AlignSeriesInput,
  alignStoredSeries,
  ResampleSeriesInput,
  resampleSeries,
} from "../../../app/resample-series.ts";
import { SeriesRefInput } from "../../../app/resolve-series.ts";
import { ShowSeriesInput, showSeries } from "../../../app/show-series.ts";
import { normaliseSymbol } from "../../../data/file-names.ts";
import type { Bar } from "../../../domain/candle-series.ts";
import { AppError, invalidField } from "../../../errors.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { fieldFlags } from "../options.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs, table } from "./data-format.ts";

interface SeriesOpts {
  exchange?: string;
  symbol: string;
  timeframe: string;
  from?: string;
  to?: string;
}

const seriesOptions = (c: Command): Command =>
  c
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange id (default: the one exchange that holds the symbol)");

const barRow = (b: Bar, tf: string): string[] => [
  fmtTs(b.ts, tf),
  ...[b.open, b.high, b.low, b.close, b.volume].map(String),
];

/** show, check, export, resample and align */
export function registerDataReadCommands(data: Command): void {
  seriesOptions(data.command("show"))
    .description("show a stored series: range, gaps, first and last candles")
    .option("--from <time>", "ISO date/time UTC, inclusive")
    .option("--to <time>", "ISO date/time UTC, exclusive")
    .option("--rows <n>", "candles shown from each end", "5")
    .addHelpText(
      "after",
      "\nExample:\n  kairos data show --symbol BTC/USDT --timeframe 1h --from 2024-01-01 --to 2024-02-01",
    )
    .action((opts: SeriesOpts & { rows: string }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const v = showSeries({ store: c.store }, parseInput(ShowSeriesInput, opts));
        if (g.json) return printJson(v);
        const i = v.info;
        printLine(
          `${i.exchange} ${i.symbol} ${i.timeframe}: ${i.rows} candles ${fmtTs(i.first, i.timeframe)} -> ${fmtTs(i.last, i.timeframe)}`,
        );
        printLine(
          `gaps: ${v.gaps.length === 0 ? "none" : v.gaps.map((x) => `${fmtTs(x.from, i.timeframe)} (${x.count} missing)`).join(", ")}`,
        );
        printLine(`selected: ${v.selected} candles`);
        const head = ["time", "open", "high", "low", "close", "volume"];
        printLine(
          table(head, [
            ...v.head.map((b) => barRow(b, i.timeframe)),
            ...(v.tail.length > 0 ? [["..."]] : []),
            ...v.tail.map((b) => barRow(b, i.timeframe)),
          ]),
        );
      }),
    );

  data
    .command("check")
    .description("re-validate stored series and report gaps, zero-volume and unclosed candles")
    .option("--symbol <BASE/QUOTE>", "one symbol (default: every series)")
    .option("--timeframe <tf>", "with --symbol")
    .option("--exchange <id>", "with --symbol")
    .option("--strict", "exit non-zero (DATA_GAP) when a series has gaps")
    .option(
      "--repair",
      "first remove the stored rows validation refuses (one transaction; the valid rows stay exactly)",
    )
    .addHelpText("after", "\nExample:\n  kairos data check --strict\n  kairos data check --repair")
    .action((opts: Partial<SeriesOpts> & { strict?: boolean; repair?: boolean }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        if (opts.symbol !== undefined && opts.timeframe === undefined)
          throw invalidField("timeframe", "is required with {symbol}", "a timeframe, e.g. 1h");
        // one series (checked like every series reference), or every series
        const ref = opts.symbol === undefined ? undefined : parseInput(SeriesRefInput, opts);
        const removed = opts.repair === true ? repairSeries(c.store, ref) : undefined;
        // a repair that removed every row of the one series asked for leaves nothing to check
        const gone =
          ref !== undefined &&
          removed !== undefined &&
          !c.store
            .list()
            .some(
              (s) =>
                s.symbol === normaliseSymbol(ref.symbol) &&
                s.timeframe === ref.timeframe &&
                (ref.exchange === undefined || s.exchange === ref.exchange.toLowerCase()),
            );
        const checks = gone ? [] : checkSeries({ store: c.store, clock: c.clock }, ref);
        if (g.json)
          printJson(removed === undefined ? checks : { repaired: Object.fromEntries(removed), checks });
        else {
          if (removed !== undefined) {
            for (const [k, n] of removed)
              printLine(`${k}: repaired, removed ${n} stored rows that fail validation`);
            if (removed.size === 0) printLine("repair: every stored row passes validation; nothing removed");
          }
          for (const x of checks) {
            const s = x.series;
            const status = x.problems.length > 0 ? `INVALID: ${x.problems.join("; ")}` : "ok";
            printLine(
              `${s.exchange} ${s.symbol} ${s.timeframe}: ${status}; ${x.gaps.length} gaps (${x.missing} missing), ${x.zeroVolume} zero-volume${x.unclosedLast ? ", last candle not closed yet" : ""}`,
            );
          }
        }
        const bad = checks.filter((x) => x.problems.length > 0);
        if (bad.length > 0)
          throw new AppError(
            "INTERNAL",
            `${bad.length} stored series failed validation; \`kairos data check --repair\` removes the rows it refuses`,
          );
        const gappy = checks.filter((x) => x.gaps.length > 0);
        if (opts.strict === true && gappy.length > 0) {
          throw new AppError(
            "DATA_GAP",
            `${gappy.length} series have gaps (see above); gaps are never filled`,
          );
        }
      }),
    );

  seriesOptions(data.command("export"))
    .description("write a stored series as our CSV or freqtrade JSON (to --out, atomically, or stdout)")
    .option("--from <time>", "ISO date/time UTC, inclusive")
    .option("--to <time>", "ISO date/time UTC, exclusive")
    .option("--format <csv|json>", "default: from --out's extension, else csv")
    .option("--out <file>", "file to write (default stdout)")
    .addHelpText("after", "\nExample:\n  kairos data export --symbol ETH/USDT --timeframe 1d --out eth.csv")
    .action((opts: SeriesOpts & { format?: string; out?: string }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        // with --json and no file, stdout carries one JSON document: the candles as freqtrade rows
        const input = g.json && opts.out === undefined ? { ...opts, format: "json" } : opts;
        const r = exportSeries({ store: c.store, files: c.files }, parseInput(ExportSeriesInput, input));
        if (r.text !== undefined && g.json)
          printJson({ rows: r.rows, candles: JSON.parse(r.text) as unknown });
        else if (r.text !== undefined) process.stdout.write(r.text);
        else if (g.json) printJson({ rows: r.rows, out: r.out });
        else printLine(`wrote ${r.rows} candles to ${r.out}`);
      }),
    );

  fieldFlags(seriesOptions(data.command("resample")), { to: "--to" })
    .description("build a coarser timeframe from a stored series and store it (1m -> 5m -> 1h -> 4h -> 1d)")
    .requiredOption("--to <tf>", "target timeframe")
    .option("--replace", "overwrite stored candles of the target that differ")
    .addHelpText("after", "\nExample:\n  kairos data resample --symbol BTC/USDT --timeframe 5m --to 4h")
    .action((opts: Omit<SeriesOpts, "to"> & { to: string; replace?: boolean }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const r = resampleSeries({ store: c.store }, parseInput(ResampleSeriesInput, opts));
        if (g.json) return printJson(r);
        printLine(
          `${r.source.symbol} ${r.source.timeframe} -> ${r.target.timeframe}: ${r.rows} candles (${r.stored.inserted} new), ${r.partial} partial buckets kept (exchange gaps)`,
        );
        for (const d of r.dropped) {
          printInfo(
            `dropped the ${d.position} bucket ${fmtTs(d.bucket, r.target.timeframe)} (${d.rows} candles): it is incomplete`,
          );
        }
      }),
    );

  data
    .command("align")
    .description(
      "put several symbols on one clock (intersection, or union with gaps marked) and print a summary",
    )
    .requiredOption("--symbols <list>", "comma-separated, e.g. BTC/USDT,ETH/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option("--exchange <id>", "exchange id")
    .option("--union", "keep every timestamp any series has, marking gaps (default: the shared ones)")
    .option("--from <time>", "ISO date/time UTC, inclusive")
    .option("--to <time>", "ISO date/time UTC, exclusive")
    .addHelpText(
      "after",
      "\nExample:\n  kairos data align --symbols BTC/USDT,ETH/USDT --timeframe 1h --union",
    )
    .action(
      (
        opts: {
          symbols: string;
          timeframe: string;
          exchange?: string;
          union?: boolean;
          from?: string;
          to?: string;
        },
        cmd: Command,
      ) =>
        withContainer(cmd, (c, g) => {
          const input = parseInput(AlignSeriesInput, {
            ...opts,
            mode: opts.union === true ? "union" : "intersection",
          });
          const a = alignStoredSeries({ store: c.store }, input);
          const summary = {
            mode: input.mode,
            rows: a.ts.length,
            first: a.ts[0] ?? null,
            last: a.ts[a.ts.length - 1] ?? null,
            series: a.series.map((s, k) => ({
              exchange: s.exchange,
              symbol: s.symbol,
              present: a.present[k]!.reduce((x, y) => x + y, 0),
              missing: a.present[k]!.length - a.present[k]!.reduce((x, y) => x + y, 0),
            })),
          };
          if (g.json) return printJson(summary);
          printLine(
            `${summary.mode}: ${summary.rows} timestamps ${fmtTs(summary.first ?? Number.NaN)} -> ${fmtTs(summary.last ?? Number.NaN)}`,
          );
          for (const s of summary.series)
            printLine(`  ${s.exchange} ${s.symbol}: ${s.present} candles, ${s.missing} gaps marked`);
        }),
    );
}
