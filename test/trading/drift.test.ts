// `kairos trade drift` on paper dca and grid sessions (trade start and bot start) over the bundled
// BTC/USDT and ETH/USDT 1h bars, through the CLI on a real SQLite home: a session that made the
// backtest's fills reports no divergence, and a real one (a fill's price moved, a fill lost, a
// partial fill, a reject, a late fill, a fee, a person's stop --flatten, an order the risk gate
// refused) is named as the first divergence with its cause. The plants are written into the home's
// kairos.db as a venue or a broken write would leave them; drift reads them through the real order store.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runBacktest } from "../../src/app/run-backtest.ts";
import { createContainer } from "../../src/composition-root.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-drift-", ["binance_BTC-USDT_1h.csv", "binance_ETH-USDT_1h.csv"]);

const FROM = "2025-08-01";
const TO = "2025-08-20";
const RANGE = ["--timeframe", "1h", "--from", FROM, "--to", TO];
// within the default risk limits (orders up to 1,000 USDT), as README's examples
const DCA = ["--every", "24", "--step", "0.05", "--take-profit", "0.05", "--capital", "900"];
const GRID = ["--levels", "4", "--spacing", "0.005", "--anchor", "24", "--capital", "900"];

interface Fill {
  ts: string;
  symbol: string;
  side: string;
  qty: number;
  price: number;
  fee: number;
}
interface Drift {
  fills: { session: number; backtest: number; matched: number };
  decisions: { session: number; backtest: number; matched: number };
  pnl: { session: number; backtest: number; diff: number };
  firstDivergence?: { kind: string; index: number; session?: Fill; backtest?: Fill; cause: string };
  zero: boolean;
}

async function cli(args: string[]) {
  const r = await runKairosInProcess(args, { home });
  if (r.code !== 0) throw new Error(`kairos ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const drift = async (id: string): Promise<Drift> =>
  JSON.parse(await cli(["trade", "drift", id, "--json"])) as Drift;

/** the home's kairos.db on a connection of the test's own (what a venue or a crash could leave) */
function plant(fn: (db: Database.Database) => void): void {
  const db = new Database(join(home, "kairos.db"));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

/** the session's k-th fill in time order (one per order here: paper market orders fill whole) */
function fillAt(db: Database.Database, id: string, k: number) {
  return db
    .prepare(
      "SELECT rowid, client_order_id, qty, price, ts FROM trade_fills WHERE session_id = ? ORDER BY ts, rowid LIMIT 1 OFFSET ?",
    )
    .get(id, k) as { rowid: number; client_order_id: string; qty: string; price: string; ts: number };
}

function expectNone(id: string, d: Drift): void {
  process.stderr.write(`drift ${id}: ${JSON.stringify({ ...d, firstDivergence: d.firstDivergence })}\n`);
  expect(d.firstDivergence, `${id}: ${d.firstDivergence?.cause}`).toBeUndefined();
  expect(d.zero).toBe(true);
  expect(d.fills.session).toBe(d.fills.backtest);
  expect(d.fills.matched).toBe(d.fills.session);
  expect(d.decisions.matched).toBe(d.decisions.session);
  expect(d.decisions.session).toBe(d.decisions.backtest);
  expect(Math.abs(d.pnl.diff)).toBeLessThan(1e-6);
}

describe("trade drift on dca and grid sessions", () => {
  it("paper dca and grid sessions (trade start and bot start) on stored bars: no divergence", async () => {
    await cli([
      "trade",
      "start",
      "--strategy",
      "dca",
      ...DCA,
      "--symbols",
      "BTC/USDT",
      ...RANGE,
      "--id",
      "tdca",
    ]);
    await cli(["bot", "start", "dca", ...DCA, "--symbol", "BTC/USDT", ...RANGE, "--id", "bdca"]);
    await cli(["bot", "start", "grid", ...GRID, "--symbol", "BTC/USDT", ...RANGE, "--id", "bgrid"]);
    // two markets with different lot sizes (BTC 0.00001, ETH 0.001 at their prices)
    await cli([
      "trade",
      "start",
      "--strategy",
      "grid",
      ...GRID,
      "--symbols",
      "BTC/USDT,ETH/USDT",
      ...RANGE,
      "--id",
      "tgrid2",
    ]);
    for (const id of ["tdca", "bdca", "bgrid", "tgrid2"]) {
      const d = await drift(id);
      expectNone(id, d);
      expect(d.fills.session).toBeGreaterThan(id.includes("dca") ? 15 : 20);
    }
    // the session's fills, counted independently of drift, are the ones drift compared
    const c = createContainer({ home });
    try {
      const orders = new Set(
        c
          .trading()
          .orders.fillsOf("tdca")
          .map((f) => f.clientOrderId),
      );
      expect((await drift("tdca")).fills.session).toBe(orders.size);
      expect(
        new Set(
          c
            .trading()
            .orders.fillsOf("tgrid2")
            .map((f) => f.symbol),
        ),
      ).toEqual(new Set(["BTC/USDT", "ETH/USDT"]));
      // why a replay must feed the strategy the session's own bars: dca counts bars from the first one
      // loaded, and a plain backtest from --from loads a different first bar (the replay drift used
      // before, which reported "a late candle" at fill #2 here); its fills are not the session's
      const plain = runBacktest(
        { store: c.store },
        {
          strategy: "dca",
          params: { every: 24, step: 0.05, takeProfit: 0.05 },
          symbols: "BTC/USDT",
          timeframe: "1h",
          from: FROM,
          to: TO,
          initialCash: 900,
          lotSize: 0.00001,
          priceTick: 0.01,
          minNotional: 5,
        },
      ).result.fills.map((f) => new Date(f.ts).toISOString());
      const session = c
        .trading()
        .orders.fillsOf("tdca")
        .map((f) => new Date(f.ts).toISOString());
      expect(plain[1]).not.toBe(session[1]);
    } finally {
      c.close();
    }
  }, 120_000);

  it("names a planted divergence as the first one, with its cause", async () => {
    const ids = ["gprice", "glost", "gpart", "grej", "glate", "dfee"];
    for (const id of ids)
      await (id.startsWith("d")
        ? cli(["bot", "start", "dca", ...DCA, "--symbol", "BTC/USDT", ...RANGE, "--id", id])
        : cli(["bot", "start", "grid", ...GRID, "--symbol", "BTC/USDT", ...RANGE, "--id", id]));
    for (const id of ids) expect((await drift(id)).zero, id).toBe(true);
    const K = 3;
    let planted = { qty: 0, price: 0, ts: 0, order: "" };
    const at = (db: Database.Database, id: string) => {
      const f = fillAt(db, id, K);
      planted = { qty: Number(f.qty), price: Number(f.price), ts: f.ts, order: f.client_order_id };
      return f;
    };

    // the venue filled 0.5% above the model's price (a buy: worse)
    plant((db) => {
      const f = at(db, "gprice");
      db.prepare("UPDATE trade_fills SET price = ? WHERE rowid = ?").run(
        String(Number(f.price) * 1.005),
        f.rowid,
      );
    });
    let d = await drift("gprice");
    expect(d.zero).toBe(false);
    expect(d.firstDivergence?.kind).toBe("fill");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.backtest?.price).toBeCloseTo(planted.price, 6);
    expect(d.firstDivergence?.cause).toMatch(/^slippage beyond the model: .* \(50\.00 bp (worse|better)\)$/);
    expect(d.fills.matched).toBe(K);

    // a fill the order store lost: the order says filled, no fill of it is recorded
    plant((db) => {
      db.prepare("DELETE FROM trade_fills WHERE rowid = ?").run(at(db, "glost").rowid);
    });
    d = await drift("glost");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.backtest?.qty).toBeCloseTo(planted.qty, 12);
    expect(d.firstDivergence?.cause).toMatch(new RegExp(`^a lost fill: order ${planted.order} is filled`));

    // a partial fill: half the order filled, the rest expired
    plant((db) => {
      const f = at(db, "gpart");
      const half = (Number(f.qty) / 2).toFixed(8);
      db.prepare("UPDATE trade_fills SET qty = ? WHERE rowid = ?").run(half, f.rowid);
      db.prepare("UPDATE trade_orders SET state = 'expired', filled_qty = ? WHERE client_order_id = ?").run(
        half,
        f.client_order_id,
      );
    });
    d = await drift("gpart");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.session?.qty).toBeCloseTo(planted.qty / 2, 8);
    expect(d.firstDivergence?.cause).toMatch(
      new RegExp(`^a partial fill: [0-9.]+ of [0-9.]+ filled \\(order ${planted.order} expired\\)`),
    );

    // the venue rejected the order: no fill
    plant((db) => {
      const f = at(db, "grej");
      db.prepare("DELETE FROM trade_fills WHERE rowid = ?").run(f.rowid);
      db.prepare(
        "UPDATE trade_orders SET state = 'rejected', filled_qty = '0', reason = ? WHERE client_order_id = ?",
      ).run("-2010 Account has insufficient balance for requested action.", f.client_order_id);
    });
    d = await drift("grej");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.cause).toMatch(
      new RegExp(`^a reject: -2010 Account has insufficient balance .*\\(order ${planted.order}, `),
    );

    // a late candle: the order filled a bar after the backtest's
    plant((db) => {
      const f = at(db, "glate");
      db.prepare("UPDATE trade_fills SET ts = ? WHERE rowid = ?").run(f.ts + 3_600_000, f.rowid);
    });
    d = await drift("glate");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.cause).toBe(
      `a late candle: the order decided at ${new Date(planted.ts - 3_600_000).toISOString()} filled at ${new Date(planted.ts + 3_600_000).toISOString()} in the session, at ${new Date(planted.ts).toISOString()} in the backtest`,
    );

    // a person's decision the strategy never took: `trade stop --flatten` (its sell rests: no bar after it)
    await cli(["bot", "start", "dca", ...DCA, "--symbol", "BTC/USDT", ...RANGE, "--id", "dflat"]);
    await cli(["trade", "stop", "dflat", "--flatten"]);
    d = await drift("dflat");
    expect(d.fills.matched).toBe(d.fills.backtest);
    expect(d.decisions.session).toBe(d.decisions.backtest + 1);
    expect(d.firstDivergence?.kind).toBe("decision");
    expect(d.firstDivergence?.index).toBe(d.decisions.backtest);
    expect(d.firstDivergence?.cause).toBe(
      `a different decision: the session's target 0 on BTC/USDT at 2025-08-19T23:00:00.000Z ("stop --flatten: close every position"), the backtest's none`,
    );

    // a dca session charged a different fee on one fill
    plant((db) => {
      const f = at(db, "dfee");
      db.prepare("UPDATE trade_fills SET fee = '0.5' WHERE rowid = ?").run(f.rowid);
    });
    d = await drift("dfee");
    expect(d.firstDivergence?.index).toBe(K);
    expect(d.firstDivergence?.cause).toMatch(/^a different fee: 0\.5 against /);
  }, 120_000);

  it("names an order the pre-trade gate refused (no plant: the session's own limits) as the first divergence", async () => {
    // the default limits refuse orders above 1,000 USDT: a 5,000 USDT dca stepping 50% is refused from its first buy
    await cli([
      "bot",
      "start",
      "dca",
      "--every",
      "24",
      "--step",
      "0.5",
      "--capital",
      "5000",
      "--symbol",
      "BTC/USDT",
      ...RANGE,
      "--id",
      "drefused",
    ]);
    const d = await drift("drefused");
    process.stderr.write(`drift drefused: ${JSON.stringify(d.firstDivergence)}\n`);
    expect(d.zero).toBe(false);
    expect(d.fills.session).toBe(0);
    expect(d.fills.backtest).toBeGreaterThan(0);
    expect(d.decisions.matched).toBe(d.decisions.backtest);
    expect(d.firstDivergence?.index).toBe(0);
    expect(d.firstDivergence?.cause).toMatch(
      /^no order sent for the backtest's buy [0-9.]+ BTC\/USDT at 2025-08-01T01:00:00\.000Z: the session decided it \(target 0\.5\) and sent nothing, refused by the risk gate \(order-value: observed [0-9.]+, limit 1000\)$/,
    );
  }, 60_000);
});
