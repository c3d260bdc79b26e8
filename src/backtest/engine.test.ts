// Hand-computed 20-bar examples: every figure below was worked out by hand from the TWENTY path
import { describe, expect, it } from "vitest";
import { scripted, seriesOf, TWENTY } from "../../test/support/backtest-fixtures.ts";
import { runEngine } from "./engine.ts";
import { defaultExecution, type ExecutionConfig } from "./types.ts";

//  t:  0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19
//  o: 100 100 100 100 104 106 108 110 112 110 108 106 104 102 100  98 100 102 104 106
//  h: 101 101 101 105 107 109 111 113 113 111 109 107 105 103 101 101 103 105 107 107
//  l:  99  99  99  99 103 105 107 109 109 107 105 103 101  99  97  97  99 101 103 105
//  c: 100 100 100 104 106 108 110 112 110 108 106 104 102 100  98 100 102 104 106 106
const S = seriesOf(TWENTY);
const cfg = (o: Partial<ExecutionConfig> = {}): ExecutionConfig => defaultExecution({ fee: 0.001, ...o });
const close = (a: number, b: number): void => expect(a).toBeCloseTo(b, 9);

describe("market fills from a target exposure", () => {
  it("decided at bar 2's close, filled at bar 3's open; exit at bar 9's open", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({ 2: { targets: { "BTC/USDT": 0.5 } }, 8: { targets: { "BTC/USDT": 0 } } }),
      config: cfg(),
    });
    // qty = 0.5 * 10000 / close2 (100) = 50, at open3 = 100, fee 5
    expect(r.fills.map((f) => [f.bar, f.side, f.qty, f.price])).toEqual([
      [3, "buy", 50, 100],
      [9, "sell", 50, 110],
    ]);
    close(r.fills[0]!.fee, 5);
    close(r.fills[1]!.fee, 5.5);
    close(r.cash[3]!, 4995);
    close(r.equity[2]!, 10000);
    close(r.equity[3]!, 4995 + 50 * 104);
    close(r.equity[8]!, 4995 + 50 * 110);
    close(r.equity[9]!, 4995 + 5500 - 5.5);
    close(r.equity[19]!, 10489.5);
    const t = r.trades[0]!;
    close(t.pnl, 50 * 10 - 5 - 5.5);
    close(t.returnPct, 489.5 / 5000);
    expect(t.bars).toBe(6);
    close(t.mae, -0.01);
    close(t.mfe, 0.13);
    expect([t.entryReason, t.exitReason]).toEqual(["signal", "signal"]);
    close(r.metrics.fees, 10.5);
  });

  it("an all-in buy is capped by cash at the fill price plus fee, with slippage", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({ 2: { targets: { "BTC/USDT": 1 } } }),
      config: cfg({ slippage: { kind: "fixed", rate: 0.002 } }),
    });
    const price = 100 * 1.002;
    close(r.fills[0]!.price, price);
    close(r.fills[0]!.qty, 10000 / (price * 1.001));
    close(r.cash[3]!, 0);
    // still open at the end: marked at the last close, no exit fee
    const t = r.trades[0]!;
    expect(t.exitReason).toBe("end-of-data");
    close(t.exitPrice, 106);
    close(r.equity[19]!, r.fills[0]!.qty * 106);
  });

  it("slippage never pushes a fill outside its bar", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({ 2: { targets: { "BTC/USDT": 0.5 } } }),
      config: cfg({ slippage: { kind: "fixed", rate: 0.05 } }),
    });
    // open 100 * 1.05 = 105 is clamped to bar 3's high, 105
    close(r.fills[0]!.price, 105);
  });
});

describe("limit orders", () => {
  it("rests below the open and fills at its price as maker; a reduce-only gtc sell fills later", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        3: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "limit", qty: 50, limitPrice: 103.5 }] },
        5: {
          orders: [
            { symbol: "BTC/USDT", side: "buy", type: "limit", qty: 10, limitPrice: 90, timeInForce: "ioc" },
            { symbol: "BTC/USDT", side: "sell", type: "limit", qty: 80, limitPrice: 112.5, reduceOnly: true },
          ],
        },
      }),
      config: cfg({ makerFee: 0.0005 }),
    });
    // bar 4: open 104 > 103.5, low 103 <= 103.5: fills at 103.5, maker fee 0.05% = 2.5875
    // bar 7: high 113 >= 112.5: the reduce-only sell is cut to the 50 held; the ioc buy at 90 never fills
    expect(r.fills.map((f) => [f.bar, f.side, f.qty, f.price, f.liquidity])).toEqual([
      [4, "buy", 50, 103.5, "maker"],
      [7, "sell", 50, 112.5, "maker"],
    ]);
    close(r.cash[4]!, 10000 - 5175 - 2.5875);
    close(r.equity[4]!, 4822.4125 + 50 * 106);
    close(r.cash[7]!, 4822.4125 + 5625 - 2.8125);
    close(r.trades[0]!.pnl, 450 - 2.5875 - 2.8125);
  });

  it("a marketable limit fills at the open as taker", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        0: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "limit", qty: 50, limitPrice: 120 }] },
      }),
      config: cfg({ makerFee: 0.0005 }),
    });
    expect(r.fills.map((f) => [f.bar, f.price, f.liquidity])).toEqual([[1, 100, "taker"]]);
    close(r.fills[0]!.fee, 5);
  });

  it("a gtc limit expires after its bars", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        3: {
          orders: [
            { symbol: "BTC/USDT", side: "buy", type: "limit", qty: 50, limitPrice: 100, expireAfterBars: 5 },
          ],
        },
      }),
      config: cfg(),
    });
    // lows reach 99 only at bar 13, after the 5 active bars (4..8)
    expect(r.fills).toEqual([]);
  });
});

describe("stop orders", () => {
  it("a stop buy fills at its level with slippage; a stop sell gapped through fills at the open", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        3: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "stop", qty: 50, stopPrice: 105 }] },
        12: {
          orders: [
            { symbol: "BTC/USDT", side: "sell", type: "stop", qty: 50, stopPrice: 104, reduceOnly: true },
          ],
        },
      }),
      config: cfg({ slippage: { kind: "fixed", rate: 0.001 } }),
    });
    // bar 4: open 104 < 105 <= high 107: 105 * 1.001 = 105.105
    // bar 13: open 102 already below 104: at the open, 102 * 0.999 = 101.898
    expect(r.fills.map((f) => [f.bar, f.side, f.qty])).toEqual([
      [4, "buy", 50],
      [13, "sell", 50],
    ]);
    close(r.fills[0]!.price, 105.105);
    close(r.fills[1]!.price, 101.898);
    close(r.cash[4]!, 10000 - 5255.25 - 5.25525);
    close(r.cash[13]!, 4739.49475 + 5094.9 - 5.0949);
    close(r.trades[0]!.pnl, 50 * (101.898 - 105.105) - 5.25525 - 5.0949);
  });

  it("stop-limit: fills at the trigger when the limit allows, else rests as a limit", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        3: {
          orders: [
            {
              symbol: "BTC/USDT",
              side: "buy",
              type: "stop-limit",
              qty: 10,
              stopPrice: 105,
              limitPrice: 106,
              tag: "a",
            },
            {
              symbol: "BTC/USDT",
              side: "buy",
              type: "stop-limit",
              qty: 20,
              stopPrice: 105,
              limitPrice: 104.5,
              tag: "b",
            },
          ],
        },
      }),
      config: cfg({ makerFee: 0 }),
    });
    // a: triggers at 105 in bar 4, 105 <= 106: fills at 105 (taker)
    // b: triggers at 105 > 104.5: rests; first low <= 104.5 is bar 11 (103), open 106: fills at 104.5 (maker)
    expect(r.fills.map((f) => [f.bar, f.qty, f.price, f.liquidity, f.reason])).toEqual([
      [4, 10, 105, "taker", "a"],
      [11, 20, 104.5, "maker", "b"],
    ]);
    close(r.fills[1]!.fee, 0);
  });

  it("fok with a participation cap fills nothing; gtc fills the cap per bar", () => {
    const fok = runEngine({
      series: [S],
      strategy: scripted({
        2: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "market", qty: 50, timeInForce: "fok" }] },
      }),
      config: cfg({ participationCap: 0.02 }),
    });
    expect(fok.fills).toEqual([]);
    const gtc = runEngine({
      series: [S],
      strategy: scripted({ 2: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "market", qty: 50 }] } }),
      config: cfg({ participationCap: 0.02 }),
    });
    // 2% of 1000 volume = 20 per bar: 20, 20, 10 at the opens of bars 3, 4, 5
    expect(gtc.fills.map((f) => [f.bar, f.qty, f.price])).toEqual([
      [3, 20, 100],
      [4, 20, 104],
      [5, 10, 106],
    ]);
  });

  it("lot size floors quantities and min notional rejects small orders", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted({
        2: { targets: { "BTC/USDT": 0.5 } },
        4: { orders: [{ symbol: "BTC/USDT", side: "buy", type: "market", qty: 0.05 }] },
      }),
      config: cfg({ lotSize: 0.3, minNotional: 10 }),
    });
    // 50 is not a multiple of 0.3: floor(50 / 0.3) * 0.3 = 49.8; 0.05 * 106 = 5.3 < 10 is rejected
    expect(r.fills.length).toBe(1);
    close(r.fills[0]!.qty, 49.8);
  });
});

describe("stops inside a bar", () => {
  const both = seriesOf({
    ...TWENTY,
    h: TWENTY.h.map((x, i) => (i === 6 ? 116 : x)),
    l: TWENTY.l.map((x, i) => (i === 6 ? 94 : x)),
  });
  const entry = { 2: { targets: { "BTC/USDT": 0.5 } } };

  it("stop-loss and take-profit both inside the bar: the stop is taken (pessimistic)", () => {
    const r = runEngine({
      series: [both],
      strategy: scripted(entry),
      config: cfg({ exits: { stopLoss: 0.05, takeProfit: 0.15 } }),
    });
    // entry 100: stop 95, target 115; bar 6 spans 94..116
    expect(r.fills.map((f) => [f.bar, f.side, f.price, f.reason])).toEqual([
      [3, "buy", 100, "signal"],
      [6, "sell", 95, "stop-loss"],
    ]);
    close(r.trades[0]!.pnl, 50 * -5 - 5 - 4.75);
    expect(r.trades[0]!.exitReason).toBe("stop-loss");
    // the target (0.5) did not change, so the position is not re-entered
    expect(r.fills.length).toBe(2);
  });

  it("only the take-profit inside the bar: filled at its level as maker", () => {
    const tp = seriesOf({ ...TWENTY, h: TWENTY.h.map((x, i) => (i === 6 ? 116 : x)) });
    const r = runEngine({
      series: [tp],
      strategy: scripted(entry),
      config: cfg({ exits: { stopLoss: 0.05, takeProfit: 0.15 } }),
    });
    expect(r.fills[1]).toMatchObject({
      bar: 6,
      price: expect.closeTo(115, 9),
      liquidity: "maker",
      reason: "take-profit",
    });
    close(r.trades[0]!.pnl, 750 - 5 - 5.75);
  });

  it("a trailing stop trails the highest high of earlier bars", () => {
    const r = runEngine({
      series: [S],
      strategy: scripted(entry),
      config: cfg({ exits: { trailingStop: 0.05 } }),
    });
    // highest high of bars 3..8 is 113: level 107.35, hit by bar 9's low 107
    expect(r.fills[1]).toMatchObject({ bar: 9, reason: "trailing-stop" });
    close(r.fills[1]!.price, 107.35);
    close(r.trades[0]!.pnl, 367.5 - 5 - 5.3675);
  });

  it("finer detail bars decide the order: the take-profit came first", () => {
    const step = 15 * 60_000;
    const t6 = both.ts[6]!;
    // bar 6 as four 15m bars: up to 116 first, then down to 94
    const detail = seriesOf(
      { o: [108, 115, 110, 100], h: [116, 115, 110, 101], l: [107, 109, 100, 94], c: [115, 110, 100, 110] },
      "BTC/USDT",
      "15m",
      t6,
    );
    expect(detail.ts[3]).toBe(t6 + 3 * step);
    const r = runEngine({
      series: [both],
      strategy: scripted(entry),
      config: cfg({ exits: { stopLoss: 0.05, takeProfit: 0.15 } }),
      detail: { "BTC/USDT": detail },
    });
    expect(r.fills[1]).toMatchObject({ bar: 6, price: expect.closeTo(115, 9), reason: "take-profit" });
  });

  it("cooldown blocks entries after a stop; the drawdown stop closes all and halts", () => {
    const r = runEngine({
      series: [both],
      strategy: scripted({
        ...entry,
        7: { targets: { "BTC/USDT": 1 } },
        12: { targets: { "BTC/USDT": 0.8 } },
      }),
      config: cfg({ exits: { stopLoss: 0.05 }, cooldownBars: 3 }),
    });
    // stopped at bar 6; the new target at bar 7 would fill at bar 8 <= 6 + 3: dropped; bar 12's fills at 13
    expect(r.fills.map((f) => [f.bar, f.side])).toEqual([
      [3, "buy"],
      [6, "sell"],
      [13, "buy"],
    ]);
    const dd = runEngine({
      series: [S],
      strategy: scripted({
        8: { targets: { "BTC/USDT": 1 } },
        16: { targets: { "BTC/USDT": 0 } },
        17: { targets: { "BTC/USDT": 1 } },
      }),
      config: cfg({ maxDrawdownStop: 0.05 }),
    });
    // long from bar 9 at 110; the close 104 at bar 11 is > 5% below the peak: out at bar 12's open
    expect(dd.fills.map((f) => [f.bar, f.side, f.reason])).toEqual([
      [9, "buy", "signal"],
      [12, "sell", "drawdown-stop"],
    ]);
    expect(dd.haltedAt).toBe(11);
  });
});
