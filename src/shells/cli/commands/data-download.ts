import type { Command } from "commander";
import { checkRange, parseInput } from "../../../app/contract.ts";
import {
  type DownloadEvent,
  DownloadInput,
  DownloadSourceInput,
  downloadCandles,
} from "../../../app/download-candles.ts";
import { SeriesRefInput } from "../../../app/resolve-series.ts";
import { timeframeMs } from "../../../domain/timeframe.ts";
import { AppError } from "../../../errors.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { progressView } from "../progress.ts";
import { withContainer } from "../with-container.ts";
import { fmtTs } from "./data-format.ts";

interface DownloadOpts {
  exchange: string;
  symbol: string;
  timeframe: string;
  since?: string;
  to?: string;
  funding?: boolean;
  apiBase?: string;
  timeout?: string;
}

/** `kairos data download`: candles (and funding) through ccxt, resumable, Ctrl-C safe */
export function registerDataDownloadCommand(data: Command): void {
  data
    .command("download")
    .description(
      "download closed candles through ccxt (paged, resumable, rate-limit aware; Ctrl-C keeps what was fetched)",
    )
    .requiredOption("--exchange <id>", "ccxt exchange id, e.g. binance, kraken, okx")
    .requiredOption("--symbol <BASE/QUOTE>", "symbol, e.g. BTC/USDT")
    .requiredOption("--timeframe <tf>", "timeframe, e.g. 1h")
    .option(
      "--since <time>",
      "ISO date/time UTC (default: after the last stored candle, else the first the exchange has)",
    )
    .option("--to <time>", "ISO date/time UTC, exclusive (default: now)")
    .option("--funding", "also store perpetual funding history (fetchFundingRateHistory)")
    .option(
      "--api-base <url>",
      "send every API request to this origin instead (a mirror, a proxy, the local test exchange)",
    )
    .option("--timeout <ms>", "per-request timeout in ms", "10000")
    .addHelpText(
      "after",
      "\nExample:\n  kairos data download --exchange binance --symbol BTC/USDT --timeframe 1h --since 2024-01-01 --funding",
    )
    .action((opts: DownloadOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        // everything the user typed is checked before any connection is made
        const where = parseInput(DownloadSourceInput, opts);
        const input = parseInput(DownloadInput, opts);
        const ref = parseInput(SeriesRefInput, opts);
        checkRange(input.since, input.to, { from: "since", to: "to" });
        const tfMs = timeframeMs(ref.timeframe);
        const source = await c.marketData(where.exchange, {
          timeoutMs: where.timeout ?? 10_000,
          ...(where.apiBase === undefined ? {} : { apiBase: where.apiBase }),
        });
        const ctl = new AbortController();
        const onSigint = (): void => {
          printInfo("\ninterrupted: stopping now (every page stored so far is kept)");
          ctl.abort();
        };
        process.once("SIGINT", onSigint);
        // pages are progress (a bar on a TTY, nothing with --json or in a log); the rest is prose
        const progress = progressView(g.json);
        let pendingStart: string | undefined;
        const onEvent = (e: DownloadEvent): void => {
          if (g.json) return;
          if (e.kind === "start") {
            progress.stop();
            const from = e.from === 0 ? "the first candle the exchange has" : fmtTs(e.from);
            // said once the exchange has answered (or is being retried), so a failed first request is one line
            pendingStart = `${e.what}: ${e.resumed ? "resuming" : "starting"} at ${from}`;
            return;
          }
          if (pendingStart !== undefined) {
            printInfo(pendingStart);
            pendingStart = undefined;
          }
          if (e.kind === "page") {
            const step = e.what === "candles" ? tfMs : 8 * 3_600_000;
            // the total is known with the first page, when the real start of the history is known
            const total = Math.max(1, Math.ceil((e.to - e.from) / step));
            progress.onProgress({
              kind: "progress",
              task: e.what,
              done: Math.min(total, Math.round((e.lastTs - e.from) / step) + 1),
              total,
              unit: e.what === "candles" ? "bars" : "payments",
            });
          } else {
            progress.stop();
            printInfo(`${e.error.message}; retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s`);
          }
        };
        try {
          const report = await downloadCandles(
            {
              source,
              store: c.store,
              funding: c.funding,
              clock: c.clock,
              sleep: c.sleep,
              signal: ctl.signal,
            },
            input,
            onEvent,
          );
          progress.stop();
          if (g.json) printJson(report);
          else {
            printLine(
              `${report.exchange} ${report.symbol} ${report.timeframe}: ${report.fetched} candles fetched, ${report.inserted} new, stored up to ${fmtTs(report.lastTs)}${report.retries > 0 ? ` (${report.retries} retries)` : ""}`,
            );
            if (report.funding !== undefined) {
              printLine(
                `funding ${report.funding.symbol}: ${report.funding.fetched} payments fetched, ${report.funding.inserted} new`,
              );
            }
          }
          if (report.interrupted) {
            throw new AppError(
              "CANCELLED",
              `interrupted: kept ${report.inserted} new candles up to ${fmtTs(report.lastTs)}; run the same command to resume`,
            );
          }
        } finally {
          progress.stop();
          process.removeListener("SIGINT", onSigint);
          await source.close();
        }
      }),
    );
}
