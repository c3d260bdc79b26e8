import type { FeeSchedule, TradingFees } from "../../ports/fee-schedule.ts";

/**
 * Base-tier maker/taker fees from ccxt's exchange metadata (`exchange.fees.trading`, and a loaded
 * market's own fees when present). Needs no network: ccxt ships these with each exchange class.
 */
export class CcxtFeeSchedule implements FeeSchedule {
  async tradingFees(exchange: string, _symbol: string): Promise<TradingFees | undefined> {
    const mod = (await import("ccxt")) as unknown as Record<string, unknown> & {
      default?: Record<string, unknown>;
    };
    const lib = (mod.default ?? mod) as Record<string, unknown>;
    const Cls = lib[exchange.toLowerCase()];
    if (typeof Cls !== "function") return undefined;
    const ex = new (Cls as new () => { fees?: { trading?: { maker?: unknown; taker?: unknown } } })();
    const t = ex.fees?.trading;
    const maker = typeof t?.maker === "number" ? t.maker : undefined;
    const taker = typeof t?.taker === "number" ? t.taker : undefined;
    return maker === undefined || taker === undefined ? undefined : { maker, taker };
  }
}
