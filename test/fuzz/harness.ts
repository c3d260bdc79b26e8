// Runs corpus cases through an importer against a real SQLite home and judges each one:
// INTERNAL (an error that is not a kairos AppError, or one coded INTERNAL), a partial store (a
// refused import that changed the home), a wrong value (a refused-by-truth file accepted, or an
// accepted one whose stored values differ from the truth), a message that is not one short line,
// and a refusal of a file that was fine.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteFundingStore } from "../../src/adapters/sqlite/sqlite-funding-store.ts";
import type { ImportDeps, ImportReport } from "../../src/app/import-candles.ts";
import { isAppError } from "../../src/errors.ts";
import type { CandleStore } from "../../src/ports/candle-store.ts";
import type { FuzzCase, SeriesRows } from "./corpus.ts";

export type Importer = (deps: ImportDeps, input: { path: string }) => Promise<ImportReport>;

export interface Findings {
  internal: string[];
  partial: string[];
  wrong: string[];
  badMessage: string[];
  refusedGood: string[];
  /** cases run, and how many were refused / accepted */
  ran: number;
  refused: number;
  accepted: number;
}

export const emptyFindings = (): Findings => ({
  internal: [],
  partial: [],
  wrong: [],
  badMessage: [],
  refusedGood: [],
  ran: 0,
  refused: 0,
  accepted: 0,
});

/** Everything a home holds, as text: series, every stored value, funding */
function snapshot(store: CandleStore, funding: SqliteFundingStore): string {
  const parts: string[] = [];
  for (const info of store.list()) {
    const s = store.read(info, { from: -8.64e15, to: 8.64e15 });
    parts.push(`${info.exchange}|${info.symbol}|${info.timeframe}|${info.rows}`);
    for (const k of ["ts", "open", "high", "low", "close", "volume"] as const)
      parts.push(Array.from(s[k]).join(","));
  }
  for (const f of funding.listFunding()) parts.push(JSON.stringify(f));
  return parts.join("\n");
}

const seriesOf = (r: SeriesRows) => {
  const col = (k: number) => Float64Array.from(r.rows, (x) => x[k]!);
  return {
    exchange: r.exchange,
    symbol: r.symbol,
    timeframe: r.timeframe,
    ts: col(0),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
  };
};

/** Writes the case under dir/binance/, runs the importer on it in a fresh home, records findings */
export async function runCase(
  c: FuzzCase,
  dir: string,
  importer: Importer,
  files: ImportDeps["files"],
  f: Findings,
): Promise<void> {
  const folder = join(dir, "binance");
  mkdirSync(folder, { recursive: true });
  for (const spec of c.files) {
    if ("link" in spec) symlinkSync(join(folder, spec.link), join(folder, spec.name));
    else writeFileSync(join(folder, spec.name), spec.bytes);
  }
  const db = openDatabase(join(dir, "home"));
  const store = new SqliteCandleStore(db);
  const funding = new SqliteFundingStore(db);
  f.ran++;
  try {
    if (c.seed !== undefined) store.upsert(seriesOf(c.seed));
    const before = snapshot(store, funding);
    const path = c.target === undefined ? folder : join(folder, c.target);
    let report: ImportReport | undefined;
    let error: unknown;
    try {
      report = await importer({ store, files, funding }, { path });
    } catch (err) {
      error = err;
    }
    if (error !== undefined) {
      f.refused++;
      const msg = error instanceof Error ? error.message : String(error);
      if (!isAppError(error) || error.code === "INTERNAL") f.internal.push(`${c.id}: ${msg.slice(0, 200)}`);
      if (msg.includes("\n") || msg.length > 400) f.badMessage.push(`${c.id}: ${msg.length} chars`);
      if (snapshot(store, funding) !== before) f.partial.push(c.id);
      if ("accept" in c.expect) f.refusedGood.push(`${c.id}: ${msg.slice(0, 200)}`);
      else if (c.expect.code !== undefined && isAppError(error) && error.code !== c.expect.code)
        f.wrong.push(`${c.id}: refused with ${error.code}, expected ${c.expect.code}`);
      return;
    }
    f.accepted++;
    if ("reject" in c.expect) {
      f.wrong.push(
        `${c.id}: accepted (${report!.files.map((x) => `${x.symbol} ${x.rows} rows`).join(", ")})`,
      );
      return;
    }
    // the home must hold exactly the truth: the expected series with their values, nothing else
    const want = c.expect.accept
      .map((r) => snapshotOf(r))
      .sort()
      .join("\n");
    const got = store
      .list()
      .map((info) => {
        const s = store.read(info, { from: -8.64e15, to: 8.64e15 });
        return snapshotOf({
          exchange: info.exchange,
          symbol: info.symbol,
          timeframe: info.timeframe as "1h",
          rows: Array.from(s.ts, (t, i) => [t, s.open[i]!, s.high[i]!, s.low[i]!, s.close[i]!, s.volume[i]!]),
        });
      })
      .sort()
      .join("\n");
    if (got !== want) f.wrong.push(`${c.id}: stored values differ from the file's`);
    const skipped = report!.skipped.map((s) => s.name).sort();
    if (c.expect.skipped !== undefined && skipped.join(",") !== [...c.expect.skipped].sort().join(",")) {
      f.wrong.push(`${c.id}: skipped ${skipped.join(",")}, expected ${c.expect.skipped.join(",")}`);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const snapshotOf = (r: SeriesRows): string =>
  `${r.exchange}|${r.symbol}|${r.timeframe}|${r.rows.map((x) => x.join(",")).join(";")}`;
