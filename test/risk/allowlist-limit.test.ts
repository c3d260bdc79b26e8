// The allowlist check names a long allowlist by its size instead of copying it into every order's
// check (a 100-market session wrote 1.1 kB of names into each risk.check record), a short one is
// written out as before, a refusal still names the market that is not on it, and a record written
// with the whole list (by kairos before this change) still replays as matched.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gateCheckData, replayGateChecks } from "../../src/risk/gate-replay.ts";
import { defaultRiskLimits } from "../../src/risk/limits.ts";
import { type AccountView, allowlistLimit, PreTradeGate } from "../../src/risk/pre-trade-gate.ts";
import { BTC_USDT as BTC } from "../support/risk-instrument.ts";

const T0 = 1_780_000_000_000;
const flat: AccountView = {
  positions: new Map(),
  equity: 10_000,
  peakEquity: 10_000,
  dayStartEquity: 10_000,
};
const sha = (t: string): string => createHash("sha256").update(t).digest("hex");
const markets = (n: number): string[] => [
  "BTC/USDT",
  ...Array.from({ length: n - 1 }, (_, i) => `M${String(i).padStart(3, "0")}/USDT`),
];

function judge(allowlist: string[], symbol: string) {
  const limits = { ...defaultRiskLimits("x"), allowlist };
  const text = JSON.stringify(limits);
  const g = new PreTradeGate(limits, sha(text));
  const order = {
    id: `o-${symbol}`,
    venue: "v",
    strategyId: "s",
    symbol,
    side: "buy" as const,
    type: "market" as const,
    qty: 0.001,
  };
  const market = { instrument: BTC, reference: { price: 500, ts: T0 }, venueTime: { server: T0, local: T0 } };
  const d = g.check(order, market, flat, T0);
  const data = gateCheckData({
    gate: "g1",
    sessionId: "s",
    decisionId: "s/1",
    order,
    market,
    account: flat,
    now: T0,
    mode: "active",
    released: [],
    decision: d,
  });
  return { d, data, text, hash: sha(text) };
}

describe("the allowlist check's limit", () => {
  it("is the list up to ten markets, the count beyond, and a refusal names the market", () => {
    expect(allowlistLimit(markets(10))).toBe(markets(10).join(","));
    expect(allowlistLimit(markets(11))).toBe("11 markets (the allowlist in the limits file)");
    const long = judge(markets(100), "BTC/USDT");
    const c = long.d.checks.find((x) => x.check === "allowlist")!;
    expect(c).toEqual({
      check: "allowlist",
      limit: "100 markets (the allowlist in the limits file)",
      observed: "BTC/USDT",
      pass: true,
    });
    expect(JSON.stringify(long.data)).not.toContain("M050/USDT");
    const short = judge(["BTC/USDT", "ETH/USDT"], "BTC/USDT");
    expect(short.d.checks.find((x) => x.check === "allowlist")!.limit).toBe("BTC/USDT,ETH/USDT");
    const refused = judge(markets(100), "XRP/USDT");
    expect(refused.d.accepted).toBe(false);
    expect(refused.d.reason).toBe(
      "allowlist: observed XRP/USDT, limit 100 markets (the allowlist in the limits file)",
    );
  });

  it("a check recorded with the whole list (before) replays as matched; a changed outcome does not", () => {
    const { data, text, hash } = judge(markets(100), "BTC/USDT");
    const old = {
      ...data,
      checks: data.checks.map((c) => (c.check === "allowlist" ? { ...c, limit: markets(100).join(",") } : c)),
    };
    const log = (d: typeof data) => [
      { seq: 1, kind: "limits.change", data: { hash, limitsText: text } },
      { seq: 2, kind: "risk.check", data: d as unknown as Record<string, unknown> },
    ];
    expect(replayGateChecks(log(old), sha)).toMatchObject({ checks: 1, matched: 1 });
    const forged = {
      ...old,
      checks: old.checks.map((c) => (c.check === "allowlist" ? { ...c, pass: false } : c)),
    };
    expect(replayGateChecks(log(forged), sha)).toMatchObject({ checks: 1, matched: 0 });
  });
});
