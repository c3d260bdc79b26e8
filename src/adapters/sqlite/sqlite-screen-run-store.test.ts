import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { runScreen } from "../../research/screen.ts";
import { defaultValidationConfig } from "../../research/validation-config.ts";
import { openDatabase } from "./database.ts";
import { SqliteScreenRunStore } from "./sqlite-screen-run-store.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-screen-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("SqliteScreenRunStore", () => {
  it("stores every variant of a run and reopens it exactly, in a real kairos.db", async () => {
    const series = ["BTC/USDT", "ETH/USDT"].map((s) => loadBundledSeries("binance", s, "1d"));
    const run = await runScreen({
      series,
      variants: 40,
      seed: 3,
      search: "random",
      config: defaultValidationConfig({ monteCarloTop: 3 }),
    });
    const db = openDatabase(home);
    const store = new SqliteScreenRunStore(db);
    store.save("s-1", 1_700_000_000_000, run);
    db.close();
    // a new connection (a new process, as far as SQLite knows) sees the committed run
    const db2 = openDatabase(home);
    const again = new SqliteScreenRunStore(db2);
    const { info, run: back } = again.load("s-1");
    expect(info).toMatchObject({ id: "s-1", variants: 40, seed: 3, timeframe: "1d", passed: run.passed });
    expect(back).toEqual(run);
    expect(back.variants).toHaveLength(40);
    const rows = db2.prepare("SELECT COUNT(*) AS n FROM screen_variants WHERE run_id = 's-1'").get() as {
      n: number;
    };
    expect(rows.n).toBe(40);
    expect(again.list().map((r) => r.id)).toEqual(["s-1"]);
    expect(() => again.save("s-1", 1, run)).toThrow(/already stored/);
    expect(() => again.load("nope")).toThrow(/no screen run "nope" in this home; recent runs: s-1/);
    db2.close();
  });
});
