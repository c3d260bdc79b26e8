import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  anyInstrument,
  decimalsOf,
  defineInstrument,
  filterFailure,
  floorToLot,
  roundPrice,
} from "./instrument.ts";

const btc = defineInstrument({
  symbol: "BTC/USDT",
  tickSize: 0.01,
  lotSize: 0.00001,
  minQty: 0.00001,
  minNotional: 5,
});

describe("instrument", () => {
  it("derives decimals from the steps and splits the symbol", () => {
    expect(btc).toMatchObject({
      base: "BTC",
      quote: "USDT",
      market: "spot",
      pricePrecision: 2,
      amountPrecision: 5,
      maxLeverage: 1,
    });
    expect(defineInstrument({ symbol: "ETH/USDT:USDT", market: "perp", maxLeverage: 20 }).quote).toBe("USDT");
    expect([decimalsOf(1), decimalsOf(0.5), decimalsOf(0.001), decimalsOf(1e-8), decimalsOf(10)]).toEqual([
      0, 1, 3, 8, 0,
    ]);
  });

  it("refuses a bad symbol, a negative step and leverage on spot, in one line", () => {
    expect(() => defineInstrument({ symbol: "BTCUSDT" })).toThrow(
      'instrument "BTCUSDT": write the symbol as BASE/QUOTE, e.g. BTC/USDT',
    );
    expect(() => defineInstrument({ symbol: "BTC/USDT", tickSize: -1 })).toThrow(
      "tickSize must be a finite number >= 0",
    );
    expect(() => defineInstrument({ symbol: "BTC/USDT", maxLeverage: 3 })).toThrow("exactly 1 on spot");
  });

  it("names the filter an order breaks, as Binance does", () => {
    expect(filterFailure(btc, 0.001, 50_000)).toBeUndefined();
    expect(filterFailure(btc, 0.000015, 50_000)?.filter).toBe("LOT_SIZE");
    expect(filterFailure(btc, 0.000001, 50_000)?.filter).toBe("LOT_SIZE");
    expect(filterFailure(btc, 0.001, 50_000.005)?.filter).toBe("PRICE_FILTER");
    expect(filterFailure(btc, 0.00001, 50_000)).toEqual({
      filter: "MIN_NOTIONAL",
      message: "BTC/USDT: order value 0.5 is below the minimum notional 5",
    });
    expect(filterFailure(anyInstrument("BTC/USDT"), 1e-9, 1e-9)).toBeUndefined();
  });

  it("property: floorToLot never rounds up, loses less than a lot and lands on the lot", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.constantFrom(1, 0.1, 0.001, 0.00001, 0.25),
        (q, lot) => {
          const inst = defineInstrument({ symbol: "X/Y", lotSize: lot });
          const f = floorToLot(inst, q);
          expect(f).toBeLessThanOrEqual(q * (1 + 1e-9) + 1e-12);
          expect(q - f).toBeLessThan(lot * (1 + 1e-9));
          expect(filterFailure(inst, f, 1)?.filter === "LOT_SIZE" && f > 0).toBe(false);
        },
      ),
    );
  });

  it("rounds prices against the trader and keeps exact multiples", () => {
    expect(roundPrice(btc, 100.001, "buy")).toBeCloseTo(100.01, 12);
    expect(roundPrice(btc, 100.009, "sell")).toBeCloseTo(100, 12);
    expect(roundPrice(btc, 0.1 + 0.2, "buy")).toBeCloseTo(0.3, 12);
    expect(roundPrice(anyInstrument("BTC/USDT"), 1.2345, "buy")).toBe(1.2345);
  });
});
