// `--fee exchange`: published maker/taker fees from ccxt's metadata, offline, through the FeeSchedule port
import { describe, expect, it } from "vitest";
import { CcxtFeeSchedule } from "../../src/adapters/ccxt/ccxt-fee-schedule.ts";
import { exchangeFees } from "../../src/app/run-backtest.ts";

describe("ccxt fee schedule", () => {
  it("reads base-tier maker/taker fees without network and refuses unknown exchanges", async () => {
    const f = new CcxtFeeSchedule();
    expect(await f.tradingFees("binance", "BTC/USDT")).toEqual({ maker: 0.001, taker: 0.001 });
    expect(await f.tradingFees("kraken", "BTC/USD")).toEqual({ maker: 0.0016, taker: 0.0026 });
    expect(await f.tradingFees("no-such-exchange", "BTC/USDT")).toBeUndefined();
    expect(await exchangeFees(f, "kraken", ["BTC/USD", "ETH/USD"])).toEqual({
      "BTC/USD": { maker: 0.0016, taker: 0.0026 },
      "ETH/USD": { maker: 0.0016, taker: 0.0026 },
    });
    await expect(exchangeFees(f, "nowhere", ["BTC/USDT"])).rejects.toThrow(/no published fees for nowhere/);
  });
});
