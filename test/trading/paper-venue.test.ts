// PaperBroker's matching is the one simulated venue's: its fills equal the venue driven directly on
// the same bars; trades are numbered per market as Binance does, and a home written before that
// keeps the ids its fills were reported with
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase, PAPER_MIGRATIONS } from "../../src/adapters/paper/paper-venue-store.ts";
import { dbPath, migrate, openDatabase } from "../../src/adapters/sqlite/database.ts";
import { defineInstrument } from "../../src/domain/instrument.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { createVenue } from "../../src/execution/venue/venue.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const SYMS = ["BTC/USDT", "ETH/USDT"] as const;
const series = Object.fromEntries(SYMS.map((s) => [s, loadBundledSeries("binance", s, "1h")]));
const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const at = (sym: string, i: number) => {
  const s = series[sym]!;
  return {
    ts: s.ts[i]!,
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close: s.close[i]!,
    volume: s.volume[i]!,
  };
};

function paper(home: string, t0: number) {
  const db = openPaperDatabase(home);
  const broker = new PaperBroker(db, {
    account: "p",
    takerFee: "0.001",
    slippage: 0.0005,
    rules: SYMS.map((s) => defaultRules(s, series[s]!.close[t0]!)),
    clock: { now: () => 0 },
  });
  broker.fund({ USDT: "100000" });
  return { db, broker };
}

describe("paper venue", () => {
  it("fills where and at the price the simulated venue gives for the same bars (market and limit, two markets)", async () => {
    const home = mkdtempSync(join(tmpdir(), "kairos-paper-venue-"));
    homes.push(home);
    const t0 = series["BTC/USDT"]!.ts.length - 60;
    const { db, broker } = paper(home, t0);
    const rules = await Promise.all(SYMS.map((s) => broker.marketRules(s)));
    const venue = createVenue({
      config: {
        initialCash: 100_000,
        market: "spot",
        fee: 0.001,
        slippage: { kind: "fixed", rate: 0.0005 },
        leverage: 1,
        maintenanceMargin: 0.005,
        liquidationFee: 0.005,
        fundingRate: 0,
        fundingIntervalMs: 8 * 3_600_000,
        exits: {},
        cooldownBars: 0,
      },
      symbols: [...SYMS],
      barMs: 3_600_000,
      instruments: Object.fromEntries(
        rules.map((r) => [
          r.symbol,
          defineInstrument({
            symbol: r.symbol,
            tickSize: Number(r.tickSize),
            lotSize: Number(r.stepSize),
            minNotional: Number(r.minNotional),
          }),
        ]),
      ),
    });
    broker.onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0) })));
    const ours: string[] = [];
    const theirs: string[] = [];
    for (let k = 1; k <= 40; k++) {
      const sym = SYMS[k % 2]!;
      const close = series[sym]!.close[t0 + k - 1]!;
      const qty = sym === "BTC/USDT" ? "0.01" : "0.2";
      const side = k % 5 < 3 ? "buy" : "sell";
      // every third order a limit 0.3% through the close, resting until the bar reaches it
      const limit =
        k % 3 === 0
          ? Number(rules[k % 2]!.tickSize) *
            Math.round((close * (side === "buy" ? 0.997 : 1.003)) / Number(rules[k % 2]!.tickSize))
          : undefined;
      const cid = `o${k}`;
      const sub = await broker.submit({
        clientOrderId: cid,
        symbol: sym,
        side,
        type: limit === undefined ? "market" : "limit",
        quantity: qty,
        ...(limit === undefined ? {} : { price: limit.toFixed(8).replace(/\.?0+$/, "") }),
      });
      if (sub.kind !== "accepted") continue;
      venue.submit({
        clientOrderId: cid,
        symbol: sym,
        side,
        type: limit === undefined ? "market" : "limit",
        qty: Number(qty),
        ...(limit === undefined ? {} : { limitPrice: limit }),
      });
      for (const f of broker.onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0 + k) }))))
        ours.push(
          `${f.clientOrderId} ${f.symbol} ${f.side} ${f.quantity} @ ${Number(f.price).toFixed(2)} ${f.liquidity}`,
        );
      for (const e of venue.onBar(k, Object.fromEntries(SYMS.map((s) => [s, at(s, t0 + k)]))))
        if (e.type === "fill")
          theirs.push(
            `${e.clientOrderId} ${e.fill.symbol} ${e.fill.side} ${Number(e.fill.qty.toFixed(8))} @ ${e.fill.price.toFixed(2)} ${e.fill.liquidity}`,
          );
    }
    db.close();
    expect(ours.length).toBeGreaterThan(20);
    expect(ours.some((x) => x.endsWith("maker"))).toBe(true);
    // the same fills; within one bar the books apply sells first (freed cash funds buys)
    expect(ours.sort()).toEqual(theirs.sort());
  });

  it("numbers trades per market, and a home written before keeps its fills' ids", async () => {
    const home = mkdtempSync(join(tmpdir(), "kairos-paper-ids-"));
    homes.push(home);
    // a home as the previous build left it: the paper tables without the per-market numbering
    openDatabase(home).close();
    const old = new Database(dbPath(home));
    migrate(old, { owner: PAPER_MIGRATIONS.owner, steps: PAPER_MIGRATIONS.steps.slice(0, 6) });
    const ins = old.prepare(
      `INSERT INTO paper_fills (account, venue_order_id, client_order_id, symbol, side, qty, price, fee, fee_asset, liquidity, ts)
       VALUES ('p', 1, ?, ?, 'buy', '1', '1', '0', 'USDT', 'taker', 0)`,
    );
    ins.run("a", "BTC/USDT");
    ins.run("b", "ETH/USDT");
    ins.run("c", "BTC/USDT");
    old.close();
    const t0 = series["BTC/USDT"]!.ts.length - 10;
    const { db, broker } = paper(home, t0);
    expect((await broker.fillsSince("BTC/USDT", 0)).map((f) => f.tradeId)).toEqual(["1", "3"]);
    expect((await broker.fillsSince("ETH/USDT", 0)).map((f) => f.tradeId)).toEqual(["2"]);
    broker.onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0) })));
    for (const [i, sym] of SYMS.entries())
      await broker.submit({
        clientOrderId: `n${i}`,
        symbol: sym,
        side: "buy",
        type: "market",
        quantity: sym === "BTC/USDT" ? "0.01" : "0.2",
      });
    const fills = broker.onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0 + 1) })));
    // each market continues from its own highest id
    expect(fills.map((f) => `${f.symbol}#${f.tradeId}`)).toEqual(["BTC/USDT#4", "ETH/USDT#3"]);
    db.close();

    // a fresh home: both markets start at trade 1
    const fresh = mkdtempSync(join(tmpdir(), "kairos-paper-ids-"));
    homes.push(fresh);
    const p2 = paper(fresh, t0);
    p2.broker.onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0) })));
    for (const [i, sym] of SYMS.entries())
      await p2.broker.submit({
        clientOrderId: `n${i}`,
        symbol: sym,
        side: "buy",
        type: "market",
        quantity: sym === "BTC/USDT" ? "0.01" : "0.2",
      });
    expect(
      p2.broker
        .onBars(SYMS.map((s) => ({ symbol: s, bar: at(s, t0 + 1) })))
        .map((f) => `${f.symbol}#${f.tradeId}`),
    ).toEqual(["BTC/USDT#1", "ETH/USDT#1"]);
    p2.db.close();
  });
});
