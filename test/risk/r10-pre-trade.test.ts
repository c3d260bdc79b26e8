// R10 pre-trade checks: generated orders whose verdict is known by construction (each valid, or
// breaking exactly one named limit), plus NaN, Infinity, 0, negative and beyond-precision values:
// every violation refused, nothing valid refused, and refused orders never reach the wire.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRiskLimits, type RiskLimits } from "../../src/risk/limits.ts";
import {
  type AccountView,
  type CheckName,
  type MarketView,
  type OrderToCheck,
  PreTradeGate,
} from "../../src/risk/pre-trade-gate.ts";
import { BTC_USDT as BTC } from "../support/risk-instrument.ts";

const NOW = 1_780_000_000_000;
const limits: RiskLimits = {
  ...defaultRiskLimits("2026-12-04T00:00:00Z"),
  maxOrderValue: 1000,
  maxOrderQty: 1,
};
const flat: AccountView = {
  positions: new Map(),
  equity: 10_000,
  peakEquity: 10_000,
  dayStartEquity: 10_000,
};

type Violation =
  | "none"
  | "nan-qty"
  | "inf-qty"
  | "zero-qty"
  | "neg-qty"
  | "nan-price"
  | "inf-price"
  | "neg-price"
  | "lot"
  | "tick"
  | "collar"
  | "value"
  | "qty"
  | "min-notional"
  | "allowlist"
  | "stale"
  | "skew"
  | "no-limits"
  | "no-account"
  | "no-price"
  | "halted"
  | "daily-loss"
  | "drawdown"
  | "exposure"
  | "drift";
const VIOLATIONS: Violation[] = [
  "none",
  "nan-qty",
  "inf-qty",
  "zero-qty",
  "neg-qty",
  "nan-price",
  "inf-price",
  "neg-price",
  "lot",
  "tick",
  "collar",
  "value",
  "qty",
  "min-notional",
  "allowlist",
  "stale",
  "skew",
  "no-limits",
  "no-account",
  "no-price",
  "halted",
  "daily-loss",
  "drawdown",
  "exposure",
  "drift",
];
/** the check that must refuse each violation (independent of the gate's own bookkeeping) */
const EXPECTED: Record<Exclude<Violation, "none">, CheckName> = {
  "nan-qty": "input",
  "inf-qty": "input",
  "zero-qty": "input",
  "neg-qty": "input",
  "nan-price": "input",
  "inf-price": "input",
  "neg-price": "input",
  lot: "precision",
  tick: "precision",
  collar: "price-collar",
  value: "order-value",
  qty: "order-qty",
  "min-notional": "min-notional",
  allowlist: "allowlist",
  stale: "stale-price",
  skew: "clock-skew",
  "no-limits": "limits",
  "no-account": "account",
  "no-price": "reference-price",
  halted: "trading-state",
  "daily-loss": "daily-loss",
  drawdown: "drawdown",
  exposure: "exposure-symbol",
  drift: "price-drift",
};

interface Case {
  order: OrderToCheck;
  market: MarketView;
  account: AccountView | undefined;
  gate: PreTradeGate;
}

/** Builds an order from integer draws so the valid case is valid exactly (ticks and lots as integers) */
function build(
  v: Violation,
  refTicks: number,
  qtyLots: number,
  collarBp: number,
  side: "buy" | "sell",
  limit: boolean,
): Case {
  const ref = refTicks / 100; // 100.00 .. 900.00
  // quantity in lots such that 10 < notional <= 1000 and qty <= 1 (0.001 lot)
  const maxLots = Math.min(1000, Math.floor((1000 * 1000) / (ref * 1.05)));
  const minLots = Math.ceil((10.5 * 1000) / (ref * 0.95));
  let qty = (minLots + (qtyLots % Math.max(1, maxLots - minLots + 1))) / 1000;
  const priceTicks = Math.round(refTicks * (1 + ((collarBp % 400) - 200) / 10_000)); // within ±2%
  let price: number | undefined = limit ? priceTicks / 100 : undefined;
  let refTs = NOW - 1000;
  let venueTime: MarketView["venueTime"] = { server: NOW - 300, local: NOW };
  let symbol = "BTC/USDT";
  let account: AccountView | undefined = flat;
  let reference: MarketView["reference"] = { price: ref, ts: refTs };
  const gate = new PreTradeGate(limits, "h");
  switch (v) {
    case "nan-qty":
      qty = Number.NaN;
      break;
    case "inf-qty":
      qty = Number.POSITIVE_INFINITY;
      break;
    case "zero-qty":
      qty = 0;
      break;
    case "neg-qty":
      qty = -qty;
      break;
    case "nan-price":
      price = Number.NaN;
      break;
    case "inf-price":
      price = Number.POSITIVE_INFINITY;
      break;
    case "neg-price":
      price = -(price ?? ref);
      break;
    case "lot":
      qty += 0.0004;
      break; // beyond the amount precision
    case "tick":
      price = priceTicks / 100 + 0.004;
      break; // beyond the price precision
    case "collar":
      price = Math.round(refTicks * (side === "buy" ? 1.06 : 0.94)) / 100;
      qty = 0.001 * Math.ceil(11_000 / ref);
      break;
    case "value":
      qty = Math.ceil((1001 * 1000) / (ref * 0.98)) / 1000;
      price = refTicks / 100;
      break;
    case "qty":
      qty = 1.001;
      price = refTicks / 100;
      gate.setLimits(
        { ...limits, maxOrderValue: 1e9, maxExposurePerSymbol: 1e9, maxExposureTotal: 1e9 },
        "h2",
      );
      break;
    case "min-notional":
      qty = 0.001;
      price = refTicks / 100;
      break; // at most 0.90 < 10
    case "allowlist":
      symbol = "XRP/USDT";
      break;
    case "stale":
      reference = { price: ref, ts: NOW - 5001 };
      break;
    case "skew":
      venueTime = { server: NOW - 1001, local: NOW };
      break;
    case "no-limits":
      gate.setLimits(undefined, undefined);
      break;
    case "no-account":
      account = undefined;
      break;
    case "no-price":
      reference = undefined;
      break;
    case "halted":
      gate.setMode("halted");
      break;
    case "daily-loss":
      account = { ...flat, equity: 9_899, peakEquity: 9_899, dayStartEquity: 10_000 };
      if (side === "sell") side = "buy";
      break;
    case "drawdown":
      account = { ...flat, equity: 8_999, peakEquity: 10_000, dayStartEquity: 8_999 };
      if (side === "sell") side = "buy";
      break;
    case "exposure":
      account = { ...flat, positions: new Map([["BTC/USDT", (2000 / ref) * 1.0]]) };
      if (side === "sell") side = "buy";
      break;
    case "drift":
      // the price was 12% lower 2 minutes ago: cumulative drift beyond 10% in the 5-minute window
      gate.observePrice(symbol, ref / 1.12, NOW - 120_000);
      break;
  }
  refTs = reference?.ts ?? refTs;
  return {
    order: {
      id: "o",
      venue: "sim",
      strategyId: "s1",
      symbol,
      side,
      type:
        price === undefined && !["nan-price", "inf-price", "neg-price", "tick"].includes(v)
          ? "market"
          : "limit",
      qty,
      ...(price === undefined ? {} : { limitPrice: price }),
    },
    market: { instrument: symbol === "BTC/USDT" ? BTC : undefined, reference, venueTime },
    account,
    gate,
  };
}

describe("R10 pre-trade checks", () => {
  it("100,000 generated orders with known verdicts: 100% of violations refused, 0 false refusals, 0 refused orders on the wire", () => {
    let wire = 0;
    let refused = 0;
    let violations = 0;
    const counts = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.constantFrom(...VIOLATIONS),
        fc.integer({ min: 10_000, max: 90_000 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom<"buy" | "sell">("buy", "sell"),
        fc.boolean(),
        (v, refTicks, qtyLots, collarBp, side, limit) => {
          const c = build(v, refTicks, qtyLots, collarBp, side, limit);
          const d = c.gate.check(c.order, c.market, c.account, NOW);
          counts.set(v, (counts.get(v) ?? 0) + 1);
          if (d.accepted) wire++;
          else refused++;
          if (v === "none") {
            expect(d.reason, JSON.stringify(c.order)).toBeUndefined();
            expect(d.accepted).toBe(true);
          } else {
            violations++;
            expect(d.accepted, `${v} ${JSON.stringify(c.order)}`).toBe(false);
            const failed = d.checks.filter((x) => !x.pass).map((x) => x.check);
            expect(failed, v).toContain(EXPECTED[v]);
          }
          // every decision names its limits' hash and records limit, observed value and verdict
          for (const x of d.checks) expect(x).toHaveProperty("observed");
        },
      ),
      { numRuns: 100_000, seed: 16 },
    );
    expect(wire + refused).toBe(100_000);
    expect(refused).toBe(violations);
    expect(counts.size).toBe(VIOLATIONS.length);
    // 41 s under load on this 2-vCPU machine; CI is 2-3x slower
  }, 300_000);

  it("a duplicate within the window is refused, after the window accepted", () => {
    const g = new PreTradeGate(limits, "h");
    const o: OrderToCheck = {
      id: "a",
      venue: "sim",
      strategyId: "s",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      qty: 0.03,
    };
    const m = (t: number): MarketView => ({
      instrument: BTC,
      reference: { price: 500, ts: t },
      venueTime: { server: t, local: t },
    });
    expect(g.check(o, m(NOW), flat, NOW).accepted).toBe(true);
    const again = g.check({ ...o, id: "b" }, m(NOW + 1999), flat, NOW + 1999);
    expect(again.accepted).toBe(false);
    expect(again.reason).toMatch(/^duplicate/);
    expect(g.check({ ...o, id: "c" }, m(NOW + 2000), flat, NOW + 2000).accepted).toBe(true);
  });

  it("REDUCING passes only orders that reduce exposure", () => {
    const g = new PreTradeGate(limits, "h");
    g.setMode("reducing");
    const long: AccountView = { ...flat, positions: new Map([["BTC/USDT", 1]]) };
    const m: MarketView = {
      instrument: BTC,
      reference: { price: 500, ts: NOW },
      venueTime: { server: NOW, local: NOW },
    };
    const base = { venue: "sim", strategyId: "s", symbol: "BTC/USDT", type: "market" as const, qty: 0.5 };
    expect(g.check({ ...base, id: "1", side: "buy" }, m, long, NOW).accepted).toBe(false);
    expect(g.check({ ...base, id: "2", side: "sell" }, m, long, NOW).accepted).toBe(true);
  });

  it("1,000 concurrent submits never jointly exceed the exposure, value or message limits", async () => {
    const g = new PreTradeGate(
      {
        ...limits,
        maxMessagesPerSecondVenue: 1000,
        maxMessagesPerSecondStrategy: 1000,
        duplicateWindowMs: 0,
      },
      "h",
    );
    const m: MarketView = {
      instrument: BTC,
      reference: { price: 500, ts: NOW },
      venueTime: { server: NOW, local: NOW },
    };
    let sentNotional = 0;
    let sent = 0;
    const submit = async (i: number) => {
      await new Promise<void>((r) => setImmediate(r));
      const d = g.check(
        {
          id: `c${i}`,
          venue: "sim",
          strategyId: `s${i % 7}`,
          symbol: "BTC/USDT",
          side: "buy",
          type: "market",
          qty: 0.1 + (i % 5) / 1000,
        },
        m,
        flat,
        NOW,
      );
      if (d.accepted) {
        await new Promise<void>((r) => setImmediate(r));
        sent++;
        sentNotional += (0.1 + (i % 5) / 1000) * 500;
      }
    };
    await Promise.all(Array.from({ length: 1000 }, (_, i) => submit(i)));
    expect(sentNotional).toBeLessThanOrEqual(limits.maxExposurePerSymbol);
    expect(sent).toBeGreaterThan(30); // the limit binds, not a blanket refusal
    // message buckets: at most the burst in one instant, per strategy and per venue
    const g2 = new PreTradeGate(
      { ...limits, duplicateWindowMs: 0, maxExposurePerSymbol: 1e9, maxExposureTotal: 1e9 },
      "h",
    );
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        await Promise.resolve();
        return g2.check(
          {
            id: `m${i}`,
            venue: "sim",
            strategyId: `s${i % 3}`,
            symbol: "BTC/USDT",
            side: i % 2 ? "buy" : "sell",
            type: "market",
            qty: 0.02,
          },
          m,
          flat,
          NOW,
        );
      }),
    );
    expect(results.filter((r) => r.accepted).length).toBe(limits.maxMessagesPerSecondVenue);
  });
});
