/**
 * The data operations of the table (operations.ts): stored series, candles, imports and downloads.
 */
import { parseInput } from "../../app/contract.ts";
import { DownloadInput, DownloadSourceInput, downloadCandles } from "../../app/download-candles.ts";
import { ImportCandlesInput, importCandlesAsync } from "../../app/import-candles.ts";
import { listSeries } from "../../app/list-series.ts";
import { MAX_CANDLES, ReadCandlesInput, readCandles } from "../../app/read-candles.ts";
import { ShowSeriesInput, showSeries } from "../../app/show-series.ts";
import { invalidField } from "../../errors.ts";

import type { Operation } from "./operation.ts";

/** Candles `data show` returns from each end over HTTP (the CLI takes up to 1,000,000) */
export const HTTP_MAX_SHOW_ROWS = 1000;

const DownloadJobInput = DownloadInput.extend(DownloadSourceInput.shape).strict();
export const DATA_OPERATIONS: readonly Operation[] = [
  // data
  {
    id: "data_list",
    method: "get",
    path: "/v1/data/series",
    summary: "every stored series with rows, range and gaps (kairos data list)",
    access: "read",
    cache: "candles",
    run: ({ c }) => listSeries({ store: c.store, funding: c.funding }),
  },
  {
    id: "data_show",
    method: "post",
    path: "/v1/data/show",
    summary: `one stored series: range, gaps, first and last candles (kairos data show); over HTTP \`rows\` (candles from each end, default 5) is at most ${HTTP_MAX_SHOW_ROWS}`,
    access: "read",
    cache: "candles",
    input: ShowSeriesInput,
    // a reply of a million candles from each end would hold the server for seconds and hundreds of MB
    guard: (_x, raw) => {
      const rows = Number((raw as { rows?: unknown } | null)?.rows ?? 0);
      if (rows > HTTP_MAX_SHOW_ROWS)
        throw invalidField(
          "rows",
          `is at most ${HTTP_MAX_SHOW_ROWS} over HTTP`,
          `1 to ${HTTP_MAX_SHOW_ROWS}`,
        );
    },
    run: ({ c }, raw) => showSeries({ store: c.store }, parseInput(ShowSeriesInput, raw)),
  },
  {
    id: "data_candles",
    method: "post",
    path: "/v1/data/candles",
    summary: `a stored series' candles as columns (ts, open, high, low, close, volume), the newest \`last\` of the range, at most ${MAX_CANDLES} (the dashboard's charts)`,
    access: "read",
    cache: "candles",
    input: ReadCandlesInput,
    run: ({ c }, raw) => readCandles({ store: c.store }, parseInput(ReadCandlesInput, raw)),
  },
  {
    id: "data_import",
    method: "post",
    path: "/v1/data/import",
    summary: "imports candle files from a path on the server's machine (kairos data import)",
    // a path on the server's disk: a person's call, never an agent's
    access: "person",
    input: ImportCandlesInput,
    // parsing and storing a file of years of 5m bars takes seconds of CPU: on a job thread
    offload: true,
    run: ({ c }, raw) =>
      importCandlesAsync(
        { store: c.store, files: c.files, funding: c.funding },
        parseInput(ImportCandlesInput, raw),
      ),
  },
  {
    id: "data_download",
    method: "post",
    path: "/v1/data/download",
    summary: "downloads closed candles through ccxt as a job (kairos data download)",
    // the server reaches out to the network (and any apiBase): a person's call
    access: "person",
    input: DownloadJobInput,
    job: true,
    run: async ({ c }, raw, j) => {
      const where = parseInput(DownloadSourceInput, raw);
      const input = parseInput(DownloadInput, raw);
      const source = await c.marketData(where.exchange, {
        timeoutMs: where.timeout ?? 10_000,
        ...(where.apiBase === undefined ? {} : { apiBase: where.apiBase }),
      });
      // the exchange's connections end with the job, a cancelled one's request in flight too
      try {
        return await downloadCandles(
          {
            source,
            store: c.store,
            funding: c.funding,
            clock: c.clock,
            sleep: c.sleep,
            ...(j === undefined ? {} : { signal: j.signal }),
          },
          input,
          (e) => {
            if (e.kind === "page")
              j?.onProgress({
                kind: "progress",
                task: e.what,
                done: Math.max(0, e.lastTs - e.from),
                total: Math.max(1, e.to - e.from),
                unit: "ms of history",
              });
          },
        );
      } finally {
        await source.close();
      }
    },
  },
];
