// The shapes the dashboard reads from the API (the JSON `kairos ... --json` prints), only the fields it uses

export interface SeriesSummary {
  exchange: string;
  symbol: string;
  timeframe: string;
  rows: number;
  first: number;
  last: number;
  gaps: number;
  missing: number;
}

export interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SeriesView {
  selected: number;
  head: Bar[];
  tail: Bar[];
}

export interface IndicatorInfo {
  name: string;
  description: string;
  category: string;
  outputs: string[];
  needs: string[];
  params: Record<string, { type?: string; default?: unknown; minimum?: number; maximum?: number }>;
}

export interface IndicatorResult {
  outputs: string[];
  rows: { ts: number; values: Record<string, number | null> }[];
}

export interface StrategyParam {
  name: string;
  type: string;
  default: number | boolean | string;
  min: number | null;
  max: number | null;
  meaning: string;
}

export interface StrategyInfo {
  name: string;
  description: string;
  kind: string;
  optIn: boolean;
  params: StrategyParam[];
}

export interface Trade {
  symbol: string;
  side: string;
  entryTs: number;
  entryPrice: number;
  exitTs: number;
  exitPrice: number;
  pnl: number;
  returnPct: number;
  entryReason: string;
  exitReason: string;
}

export interface BacktestReport {
  strategy: string;
  params: Record<string, unknown>;
  exchange: string;
  symbols: string[];
  timeframe: string;
  from: string;
  to: string;
  bars: number;
  metrics: Record<string, number | Record<string, number>> & {
    initialEquity: number;
    finalEquity: number;
    buyAndHold?: Record<string, number>;
  };
  trades: Trade[];
}

export interface SessionEntry {
  id: string;
  mode: string;
  state: string;
  strategy: string;
  symbols: string[];
  timeframe: string;
  created: string;
  lastBar?: string;
}

export interface SessionStatus extends SessionEntry {
  haltReason?: string;
  capital: number;
  equity: string;
  pnl: string;
  balances: Record<string, string>;
  positions: Record<
    string,
    { qty: string; averagePrice: string | null; realisedPnl: string; unrealisedPnl: string | null }
  >;
  openOrders: {
    clientOrderId: string;
    symbol: string;
    side: string;
    qty: string;
    filledQty: string;
    state: string;
  }[];
  orders: number;
  fills: number;
  latestDecision?: { seq: number; bar: string; targets: Record<string, number>; explanation: string };
}

export interface RiskShow {
  written: boolean;
  problem?: string;
  hash?: string;
  limits: Record<string, unknown>;
}

export interface ModelEntry {
  id: string;
  [k: string]: unknown;
}
