import { AppError } from "../../errors.ts";
import type { ScreenRun } from "../../research/screen.ts";
import type { JudgedVariant } from "../../research/screen-judge.ts";
import type { ScreenRunInfo, ScreenRunStore } from "../../research/screen-run-store.ts";
import { type Db, migrate } from "./database.ts";

/** The screen's tables: one row per run, one row per variant tried (with its verdict and reasons) */
export const SCREEN_MIGRATIONS = {
  owner: "screen",
  steps: [
    `CREATE TABLE screen_runs (
       id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, timeframe TEXT NOT NULL, symbols TEXT NOT NULL,
       preset TEXT, seed INTEGER NOT NULL, variants INTEGER NOT NULL, passed INTEGER NOT NULL,
       headline TEXT NOT NULL, run_json TEXT NOT NULL)`,
    `CREATE TABLE screen_variants (
       run_id TEXT NOT NULL REFERENCES screen_runs(id) ON DELETE CASCADE, rank INTEGER NOT NULL,
       variant_id TEXT NOT NULL, family TEXT NOT NULL, symbol TEXT NOT NULL, params_json TEXT NOT NULL,
       oos_sharpe REAL, dsr REAL, max_drawdown REAL, bh_sharpe REAL, passed INTEGER NOT NULL,
       reasons_json TEXT NOT NULL, detail_json TEXT NOT NULL, PRIMARY KEY (run_id, rank))`,
    "CREATE INDEX screen_variants_family ON screen_variants (run_id, family)",
  ],
};

interface RunRow {
  id: string;
  created_at: number;
  timeframe: string;
  symbols: string;
  preset: string | null;
  seed: number;
  variants: number;
  passed: number;
  headline: string;
}

const infoOf = (r: RunRow): ScreenRunInfo => ({
  id: r.id,
  createdAt: r.created_at,
  timeframe: r.timeframe,
  symbols: JSON.parse(r.symbols) as string[],
  preset: r.preset,
  seed: r.seed,
  variants: r.variants,
  passed: r.passed,
  headline: r.headline,
});

// NaN and infinities survive JSON as tagged strings, so a reopened run prints what the run printed
const replacer = (_k: string, v: unknown): unknown =>
  typeof v === "number" && !Number.isFinite(v) ? `__num:${v}` : v;
const reviver = (_k: string, v: unknown): unknown =>
  typeof v === "string" && v.startsWith("__num:") ? Number(v.slice(6)) : v;

/** Screen runs in the home's kairos.db */
export class SqliteScreenRunStore implements ScreenRunStore {
  constructor(private readonly db: Db) {
    migrate(db, SCREEN_MIGRATIONS);
  }

  save(id: string, createdAt: number, run: ScreenRun): void {
    const { variants, ...head } = run;
    const insRun = this.db.prepare(
      `INSERT INTO screen_runs (id, created_at, timeframe, symbols, preset, seed, variants, passed, headline, run_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insVar = this.db.prepare(
      `INSERT INTO screen_variants (run_id, rank, variant_id, family, symbol, params_json, oos_sharpe, dsr,
         max_drawdown, bh_sharpe, passed, reasons_json, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
    try {
      this.db.transaction(() => {
        insRun.run(
          id,
          createdAt,
          run.timeframe,
          JSON.stringify(run.symbols),
          run.preset,
          run.seed,
          variants.length,
          run.passed,
          run.headline,
          JSON.stringify(head, replacer),
        );
        variants.forEach((v, rank) => {
          insVar.run(
            id,
            rank + 1,
            v.id,
            v.family,
            v.symbol,
            JSON.stringify(v.params),
            num(v.oos.sharpeAnnual),
            num(v.dsr.probability),
            num(v.oos.maxDrawdown),
            num(v.buyAndHold.sharpeAnnual),
            v.verdict.passed ? 1 : 0,
            JSON.stringify(v.verdict.reasons),
            JSON.stringify(v, replacer),
          );
        });
      })();
    } catch (err) {
      if (err instanceof Error && /UNIQUE|PRIMARY KEY/.test(err.message))
        throw new AppError("CONFLICT", `a screen run with id ${id} is already stored`, { cause: err });
      throw err;
    }
  }

  load(id: string): { info: ScreenRunInfo; run: ScreenRun } {
    const row = this.db.prepare("SELECT * FROM screen_runs WHERE id = ?").get(id) as
      | (RunRow & { run_json: string })
      | undefined;
    if (row === undefined) {
      const ids = this.list()
        .slice(0, 5)
        .map((r) => r.id);
      throw new AppError(
        "NOT_FOUND",
        `no screen run "${id}" in this home${ids.length > 0 ? `; recent runs: ${ids.join(", ")}` : "; run `kairos screen` first"}`,
      );
    }
    const head = JSON.parse(row.run_json, reviver) as Omit<ScreenRun, "variants">;
    const rows = this.db
      .prepare("SELECT detail_json FROM screen_variants WHERE run_id = ? ORDER BY rank")
      .all(id) as { detail_json: string }[];
    const variants = rows.map((r) => JSON.parse(r.detail_json, reviver) as JudgedVariant);
    return { info: infoOf(row), run: { ...head, variants } };
  }

  list(): ScreenRunInfo[] {
    const rows = this.db
      .prepare(
        "SELECT id, created_at, timeframe, symbols, preset, seed, variants, passed, headline FROM screen_runs ORDER BY created_at DESC, id DESC",
      )
      .all() as RunRow[];
    return rows.map(infoOf);
  }
}
