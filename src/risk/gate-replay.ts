/**
 * What one pre-trade check puts into the audit log, and the replay that re-runs it (pure).
 *
 * A `risk.check` record carries everything the gate judged by: the order, the market view
 * (instrument, reference price and its time, venue time), the account view, the time, the trading
 * state, the hash of the limits, the reservations released since the gate's previous check, and
 * the stored in-flight orders it adopted (judged elsewhere: another process, or before a restart).
 * The gate is stateful (token buckets, in-flight exposure, the duplicate and drift windows), so the
 * replay feeds each gate instance's records to a fresh PreTradeGate in log order and compares
 * every check's verdict and observed value with the recorded ones. Limits are found by hash among
 * the log's `limits.change` records, whose exact file text is re-hashed before it is trusted.
 */
import type { Instrument } from "../domain/instrument.ts";
import { RiskLimits } from "./limits.ts";
import {
  type AccountView,
  type CheckResult,
  type GateDecision,
  type MarketView,
  type OrderToCheck,
  PreTradeGate,
  type TradingMode,
} from "./pre-trade-gate.ts";

/** JSON has no NaN or Infinity: such numbers are written as their text ("NaN", "Infinity") */
export type Num = number | string;
export const enc = (x: number): Num => (Number.isFinite(x) ? x : String(x));
export const dec = (x: Num | undefined): number => (typeof x === "number" ? x : Number(x));

export interface GateCheckData {
  /** one SessionRiskGate instance: its records replay on one fresh gate */
  gate: string;
  sessionId: string;
  decisionId: string;
  clientOrderId: string;
  order: {
    id: string;
    venue: string;
    strategyId: string;
    symbol: string;
    side: "buy" | "sell";
    type: "market" | "limit";
    qty: Num;
    limitPrice?: Num;
  };
  market: {
    instrument: Record<string, Num | string> | null;
    reference: { price: Num; ts: Num } | null;
    venueTime: { server: Num; local: Num } | null;
  };
  /**
   * the account view; "as-before" = the same view as this gate's previous record (the other orders
   * of one decision are judged against one account: written once, not once per order)
   */
  account: AccountData | null | "as-before";
  now: Num;
  mode: TradingMode;
  released: string[];
  /** in-flight orders this gate did not judge but reserves (absent in records written before adoption existed) */
  adopted?: AdoptedOrder[];
  limitsHash: string | null;
  limitsRevision: number | null;
  verdict: "accepted" | "refused";
  reason: string | null;
  checks: { check: string; limit: Num; observed: Num; pass: boolean }[];
}

export interface AccountData {
  positions: [string, Num][];
  equity: Num;
  peakEquity: Num;
  dayStartEquity: Num;
}

export interface AdoptedOrder {
  id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: Num;
  price: Num;
}

/** One check as it is written to the log */
export const encodeCheck = (c: CheckResult): GateCheckData["checks"][number] => ({
  check: c.check,
  limit: typeof c.limit === "number" ? enc(c.limit) : c.limit,
  observed: typeof c.observed === "number" ? enc(c.observed) : c.observed,
  pass: c.pass,
});

const encNums = <T extends object>(o: T): Record<string, Num | string> => {
  const out: Record<string, Num | string> = {};
  for (const [k, v] of Object.entries(o))
    out[k] = typeof v === "number" ? enc(v) : (v as string | number as Num | string);
  return out;
};

/** The record of one check (inputs and outcome), ready for canonical JSON */
export function gateCheckData(a: {
  gate: string;
  sessionId: string;
  decisionId: string;
  order: OrderToCheck;
  market: MarketView;
  account: AccountView | undefined;
  now: number;
  mode: TradingMode;
  released: readonly string[];
  adopted?: readonly { id: string; symbol: string; side: "buy" | "sell"; qty: number; price: number }[];
  decision: GateDecision;
  /** the account view is the one the gate's previous record holds: written as "as-before" */
  accountAsBefore?: boolean;
}): GateCheckData {
  const { order: o, market: m, account: acc, decision: d } = a;
  return {
    gate: a.gate,
    sessionId: a.sessionId,
    decisionId: a.decisionId,
    clientOrderId: o.id,
    order: {
      id: o.id,
      venue: o.venue,
      strategyId: o.strategyId,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty: enc(o.qty),
      ...(o.limitPrice === undefined ? {} : { limitPrice: enc(o.limitPrice) }),
    },
    market: {
      instrument: m.instrument === undefined ? null : encNums(m.instrument),
      reference:
        m.reference === undefined ? null : { price: enc(m.reference.price), ts: enc(m.reference.ts) },
      venueTime:
        m.venueTime === undefined ? null : { server: enc(m.venueTime.server), local: enc(m.venueTime.local) },
    },
    account:
      acc === undefined
        ? null
        : a.accountAsBefore === true
          ? "as-before"
          : {
              positions: [...acc.positions].map(([s, q]) => [s, enc(q)] as [string, Num]),
              equity: enc(acc.equity),
              peakEquity: enc(acc.peakEquity),
              dayStartEquity: enc(acc.dayStartEquity),
            },
    now: enc(a.now),
    mode: a.mode,
    released: [...a.released],
    ...(a.adopted === undefined || a.adopted.length === 0
      ? {}
      : { adopted: a.adopted.map((x) => ({ ...x, qty: enc(x.qty), price: enc(x.price) })) }),
    limitsHash: d.limitsHash ?? null,
    limitsRevision: d.limitsRevision ?? null,
    verdict: d.accepted ? "accepted" : "refused",
    reason: d.reason ?? null,
    checks: d.checks.map(encodeCheck),
  };
}

const decInstrument = (i: Record<string, Num | string>): Instrument =>
  ({
    ...i,
    tickSize: dec(i.tickSize),
    lotSize: dec(i.lotSize),
    minQty: dec(i.minQty),
    minNotional: dec(i.minNotional),
    pricePrecision: dec(i.pricePrecision),
    amountPrecision: dec(i.amountPrecision),
    maxLeverage: dec(i.maxLeverage),
  }) as unknown as Instrument;

export interface ReplayMismatch {
  seq: number;
  clientOrderId: string;
  recorded: string;
  replayed: string;
}

export interface GateReplayResult {
  /** risk.check records compared (those at or after `fromSeq`) */
  checks: number;
  /** of them, replayed with the recorded verdict and every check's verdict and observed value */
  matched: number;
  gates: number;
  mismatches: ReplayMismatch[];
  firstMismatchSeq: number | null;
}

const checkLine = (c: { check: string; observed: Num; pass: boolean }): string =>
  `${c.check}=${c.pass ? "pass" : "FAIL"}(${String(c.observed)})`;

/**
 * Re-runs every risk.check record on fresh gates and compares. `sha256Hex` re-hashes a limits text
 * so a record naming limits the log cannot produce is a mismatch, not a silent pass.
 */
export function replayGateChecks(
  records: Iterable<{ seq: number; kind: string; data: Record<string, unknown> }>,
  sha256Hex: (text: string) => string,
  fromSeq = 1,
): GateReplayResult {
  const limitsByHash = new Map<string, RiskLimits>();
  const gates = new Map<string, PreTradeGate>();
  const accounts = new Map<string, AccountData | null>();
  const mismatches: ReplayMismatch[] = [];
  let checks = 0;
  let matched = 0;
  for (const r of records) {
    if (r.kind === "limits.change") {
      const text = r.data.limitsText;
      const hash = r.data.hash;
      if (typeof text === "string" && typeof hash === "string" && sha256Hex(text) === hash) {
        const p = RiskLimits.safeParse(JSON.parse(text));
        if (p.success) limitsByHash.set(hash, p.data);
      }
      continue;
    }
    if (r.kind !== "risk.check") continue;
    const d = r.data as unknown as GateCheckData;
    let g = gates.get(d.gate);
    if (g === undefined) gates.set(d.gate, (g = new PreTradeGate()));
    const limits = d.limitsHash === null ? undefined : limitsByHash.get(d.limitsHash);
    g.setLimits(limits, limits === undefined ? undefined : (d.limitsHash ?? undefined));
    g.setMode(d.mode);
    for (const id of d.released) g.release(id);
    for (const x of d.adopted ?? [])
      g.adopt({ id: x.id, symbol: x.symbol, side: x.side, qty: dec(x.qty), price: dec(x.price) });
    const o = d.order;
    // "as-before": the account of this gate's previous record (none before it: a record cut from its decision)
    const acc = d.account === "as-before" ? (accounts.get(d.gate) ?? null) : d.account;
    accounts.set(d.gate, acc);
    const replayed = g.check(
      {
        id: o.id,
        venue: o.venue,
        strategyId: o.strategyId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        qty: dec(o.qty),
        ...(o.limitPrice === undefined ? {} : { limitPrice: dec(o.limitPrice) }),
      },
      {
        instrument: d.market.instrument === null ? undefined : decInstrument(d.market.instrument),
        reference:
          d.market.reference === null
            ? undefined
            : { price: dec(d.market.reference.price), ts: dec(d.market.reference.ts) },
        venueTime:
          d.market.venueTime === null
            ? undefined
            : { server: dec(d.market.venueTime.server), local: dec(d.market.venueTime.local) },
      },
      acc === null
        ? undefined
        : {
            positions: new Map(acc.positions.map(([s, q]) => [s, dec(q)])),
            equity: dec(acc.equity),
            peakEquity: dec(acc.peakEquity),
            dayStartEquity: dec(acc.dayStartEquity),
          },
      dec(d.now),
    );
    if (r.seq < fromSeq) continue;
    checks++;
    const want = d.checks.map(checkLine).join(" ");
    const got = replayed.checks.map((c) => checkLine(encodeCheck(c))).join(" ");
    const verdict = replayed.accepted ? "accepted" : "refused";
    if (verdict === d.verdict && want === got) matched++;
    else
      mismatches.push({
        seq: r.seq,
        clientOrderId: d.clientOrderId,
        recorded: `${d.verdict}: ${want}`,
        replayed: `${verdict}: ${got}`,
      });
  }
  return {
    checks,
    matched,
    gates: gates.size,
    mismatches: mismatches.slice(0, 20),
    firstMismatchSeq: mismatches[0]?.seq ?? null,
  };
}
