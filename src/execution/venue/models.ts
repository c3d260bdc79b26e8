/**
 * The pluggable parts of the execution model: fee, slippage, funding and margin. The engine asks
 * these and nothing else, so a venue's own schedule can replace any one of them.
 */
import type { SlippageSpec, VenueConfig } from "./types.ts";

export interface FeeModel {
  /** fee rate for a fill; maker for resting limits, taker otherwise */
  rate(symbol: string, liquidity: "maker" | "taker"): number;
}

export interface SlippageModel {
  /** adverse price move as a fraction of the reference price for a taker fill of |qty| */
  fraction(qty: number, open: number, high: number, low: number, volume: number): number;
}

export interface FundingModel {
  /** funding rate charged at funding instant `ts` (longs pay when positive) */
  rate(symbol: string, ts: number): number;
  readonly intervalMs: number;
}

export interface MarginModel {
  /** isolated-margin liquidation price for a position entered at `entry` with leverage `leverage` */
  liquidationPrice(side: 1 | -1, entry: number, leverage: number): number;
  readonly liquidationFee: number;
}

export interface ExecutionModels {
  fee: FeeModel;
  slippage: SlippageModel;
  funding: FundingModel;
  margin: MarginModel;
}

/** Fee rates from config; `perSymbol` carries ccxt market metadata (maker/taker) when known */
export function configuredFees(
  cfg: VenueConfig,
  perSymbol: Record<string, { maker: number; taker: number }> = {},
): FeeModel {
  const maker = cfg.makerFee ?? cfg.fee;
  return {
    rate: (symbol, liquidity) => {
      const m = perSymbol[symbol];
      if (m !== undefined) return liquidity === "maker" ? m.maker : m.taker;
      return liquidity === "maker" ? maker : cfg.fee;
    },
  };
}

/** Fixed fraction, or base + k * range/open * sqrt(qty/volume) (square-root impact on the bar's range) */
export function slippageFrom(spec: SlippageSpec): SlippageModel {
  if (spec.kind === "fixed") {
    const r = spec.rate;
    return { fraction: () => r };
  }
  const { base, k } = spec;
  return {
    fraction: (qty, open, high, low, volume) =>
      volume > 0 && open > 0 ? base + ((k * (high - low)) / open) * Math.sqrt(Math.abs(qty) / volume) : base,
  };
}

/** Stored history (rate at the latest stored instant <= ts, exact instants expected), else a constant */
export function fundingFrom(cfg: VenueConfig): FundingModel {
  const hist = cfg.fundingHistory ?? {};
  return {
    intervalMs: cfg.fundingIntervalMs,
    rate: (symbol, ts) => {
      const h = hist[symbol];
      if (h === undefined || h.ts.length === 0) return cfg.fundingRate;
      // binary search for the last stored instant <= ts
      let lo = 0;
      let hi = h.ts.length - 1;
      if (ts < h.ts[0]!) return cfg.fundingRate;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (h.ts[mid]! <= ts) lo = mid;
        else hi = mid - 1;
      }
      // a stored rate applies only to its own instant; between stored instants the configured rate
      return h.ts[lo] === ts ? h.rate[lo]! : cfg.fundingRate;
    },
  };
}

/** Isolated margin: equity of the position = margin + pnl; liquidated when it reaches mm * notional */
export function isolatedMargin(cfg: VenueConfig): MarginModel {
  const mm = cfg.maintenanceMargin;
  return {
    liquidationFee: cfg.liquidationFee,
    liquidationPrice: (side, entry, leverage) =>
      side === 1 ? (entry * (1 - 1 / leverage)) / (1 - mm) : (entry * (1 + 1 / leverage)) / (1 + mm),
  };
}

export function modelsFrom(cfg: VenueConfig, overrides: Partial<ExecutionModels> = {}): ExecutionModels {
  return {
    fee: overrides.fee ?? configuredFees(cfg),
    slippage: overrides.slippage ?? slippageFrom(cfg.slippage),
    funding: overrides.funding ?? fundingFrom(cfg),
    margin: overrides.margin ?? isolatedMargin(cfg),
  };
}
