import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { sma } from "../../indicators/sma.ts";
import { buildEnsemble } from "./ensemble.ts";
import type { EnsembleInput, EnsembleMember } from "./types.ts";
import { weightAt } from "./weights.ts";

/** Long-only SMA-cross variant on a price path, with next-bar returns and a 0.1% fee per change */
function smaCrossMember(close: Float64Array, fast: number, slow: number, symbol: string): EnsembleMember {
  const f = sma(close, fast);
  const s = sma(close, slow);
  const n = close.length;
  const exposure = new Float64Array(n);
  const returns = new Float64Array(n);
  for (let t = 0; t < n; t++) exposure[t] = f[t]! > s[t]! ? 1 : 0;
  for (let t = 1; t < n; t++) {
    const e = exposure[t - 1]!;
    const fee = t >= 2 && exposure[t - 1] !== exposure[t - 2] ? 0.001 : 0;
    returns[t] = e * (close[t]! / close[t - 1]! - 1) - fee;
  }
  return {
    id: `sma-cross:${fast},${slow}@${symbol}`,
    family: "sma-cross",
    symbol,
    params: { fast, slow },
    returns,
    exposure,
  };
}

function randomWalk(seed: number, n: number, drift = 0, vol = 0.02): Float64Array {
  const rng = createRng(seed);
  const c = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    p *= Math.exp(drift + vol * rng.normal());
    c[t] = p;
  }
  return c;
}

function universe(seed: number, n: number, symbols = 3): EnsembleInput {
  const members: EnsembleMember[] = [];
  const bench = new Float64Array(n);
  for (let k = 0; k < symbols; k++) {
    const close = randomWalk(seed * 31 + k, n);
    for (let t = 1; t < n; t++) bench[t] = bench[t]! + (close[t]! / close[t - 1]! - 1) / symbols;
    for (const [f, s] of [
      [5, 20],
      [10, 40],
      [20, 80],
      [3, 12],
    ] as const)
      members.push(smaCrossMember(close, f, s, `S${k}/USD`));
  }
  return {
    timeframe: "1d",
    ts: Float64Array.from({ length: n }, (_, t) => t * 86_400_000),
    members,
    benchmark: bench,
  };
}

const cfg = {
  window: 120,
  rebalanceEvery: 10,
  halfLife: 40,
  minHistory: 60,
  demoteWindow: 40,
  maxMembers: 4,
};

describe("buildEnsemble", () => {
  it("never changes a past weight when bars are appended (every scheme)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 80, max: 260 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom("decay", "inverse-variance", "stake"),
        (seed, n, extra, scheme) => {
          const full = universe(seed, n + extra, 2);
          const cut: EnsembleInput = {
            ...full,
            ts: full.ts.subarray(0, n),
            benchmark: full.benchmark.subarray(0, n),
            members: full.members.map((mb) => ({
              ...mb,
              returns: mb.returns.subarray(0, n),
              exposure: mb.exposure!.subarray(0, n),
            })),
          };
          const c = { ...cfg, scheme, window: 50, minHistory: 30, rebalanceEvery: 7 };
          const a = buildEnsemble(cut, c);
          const b = buildEnsemble(full, c);
          for (let t = 0; t <= n; t++)
            for (let i = 0; i < full.members.length; i++)
              expect(weightAt(b.schedule, t, i)).toBe(weightAt(a.schedule, t, i));
          for (let t = 0; t < n; t++) expect(b.returns[t]).toBe(a.returns[t]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("keeps weights non-negative, fully or partly invested, and inside member, family and symbol caps", () => {
    const input = universe(3, 600, 3);
    for (const scheme of ["decay", "inverse-variance", "stake"] as const) {
      const r = buildEnsemble(input, {
        ...cfg,
        scheme,
        symbolCap: 0.4,
        familyCap: 0.9,
        maxMemberWeight: 0.3,
      });
      const { rows, m } = r.schedule;
      for (let k = 0; k < rows.length / m; k++) {
        let sum = 0;
        const bySym = new Map<string, number>();
        for (let i = 0; i < m; i++) {
          const w = rows[k * m + i]!;
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(0.3 + 1e-12);
          sum += w;
          const s = input.members[i]!.symbol;
          bySym.set(s, (bySym.get(s) ?? 0) + w);
        }
        expect(sum).toBeLessThanOrEqual(0.9 + 1e-12);
        for (const v of bySym.values()) expect(v).toBeLessThanOrEqual(0.4 + 1e-12);
      }
    }
  });

  it("weights two uncorrelated members by inverse variance, as worked by hand", () => {
    // A alternates +2%/0% (mean 1%), B two bars +4% then two -1% (mean 1.5%): both positive, so both weighted
    const n = 41;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let t = 1; t < n; t++) {
      a[t] = t % 2 === 0 ? 0.02 : 0;
      b[t] = t % 4 < 2 ? 0.04 : -0.01;
    }
    const input: EnsembleInput = {
      timeframe: "1d",
      ts: Float64Array.from({ length: n }, (_, t) => t),
      benchmark: new Float64Array(n),
      members: [
        { id: "a", family: "x", symbol: "A", params: {}, returns: a },
        { id: "b", family: "y", symbol: "B", params: {}, returns: b },
      ],
    };
    const r = buildEnsemble(input, {
      scheme: "inverse-variance",
      window: 20,
      minHistory: 20,
      rebalanceEvery: 40,
      correlationPenalty: 0,
      maxMemberWeight: 1,
      familyCap: 1,
      symbolCap: 1,
      demoteWindow: 20,
      demoteBelow: -1e9,
      rebalanceFee: 0,
    });
    // window at bar 40 holds bars 20..39: A has ten 2% and ten 0% (var 1.0526e-4); B ten 4%, ten -1% (var 6.5789e-4)
    const va = (20 * 0.01 ** 2) / 19; // mean 0.01, deviations +-0.01
    const vb = (20 * 0.025 ** 2) / 19; // mean 0.015, deviations +-0.025
    const wa = 1 / va / (1 / va + 1 / vb);
    expect(weightAt(r.schedule, 40, 0)).toBeCloseTo(wa, 12);
    expect(weightAt(r.schedule, 40, 1)).toBeCloseTo(1 - wa, 12);
    expect(weightAt(r.schedule, 39, 0)).toBe(0);
  });

  it("demotes a member whose recent record decays and records the event", () => {
    const n = 300;
    const good = new Float64Array(n);
    const other = new Float64Array(n);
    const rng = createRng(5);
    for (let t = 1; t < n; t++) {
      good[t] = (t < 200 ? 0.004 : -0.006) + 0.01 * rng.normal();
      other[t] = 0.001 + 0.01 * rng.normal();
    }
    const input: EnsembleInput = {
      timeframe: "1d",
      ts: Float64Array.from({ length: n }, (_, t) => t),
      benchmark: new Float64Array(n),
      members: [
        { id: "fading", family: "x", symbol: "A", params: {}, returns: good },
        { id: "steady", family: "y", symbol: "B", params: {}, returns: other },
      ],
    };
    const r = buildEnsemble(input, {
      ...cfg,
      scheme: "decay",
      window: 150,
      halfLife: 200,
      demoteWindow: 30,
      maxMemberWeight: 1,
      familyCap: 1,
      symbolCap: 1,
    });
    const ev = r.demotions.find((d) => d.memberId === "fading");
    expect(ev).toBeDefined();
    expect(ev!.bar).toBeGreaterThan(200);
    expect(ev!.bar).toBeLessThan(260);
    expect(weightAt(r.schedule, 290, 0)).toBe(0);
    expect(weightAt(r.schedule, 150, 0)).toBeGreaterThan(0);
  });

  it("reports the ensemble as no better than buy-and-hold on random walks", () => {
    let better = 0;
    for (let seed = 1; seed <= 20; seed++) {
      for (const scheme of ["decay", "inverse-variance", "stake"] as const) {
        const r = buildEnsemble(universe(seed, 800, 3), { ...cfg, scheme });
        if (r.versusBuyAndHold.better) better++;
        expect(r.folds).toHaveLength(5);
        expect(r.versusBuyAndHold.reason).toMatch(/buy-and-hold/);
      }
    }
    expect(better).toBeLessThanOrEqual(4); // 60 runs at a 5% one-sided level: about 3 expected
  });

  it("finds a planted edge and reports it as better than buy-and-hold", () => {
    const base = universe(11, 800, 2);
    const rng = createRng(99);
    // a member that knows the sign of the next bar a little better than chance
    const edge = new Float64Array(800);
    for (let t = 1; t < 800; t++) edge[t] = Math.abs(base.benchmark[t]!) * (rng.next() < 0.62 ? 1 : -1);
    const input = {
      ...base,
      members: [
        ...base.members,
        { id: "edge", family: "oracle", symbol: "S0/USD", params: {}, returns: edge },
      ],
    };
    const r = buildEnsemble(input, { ...cfg, scheme: "decay" });
    expect(r.versusBuyAndHold.better).toBe(true);
    expect(weightAt(r.schedule, 700, input.members.length - 1)).toBeGreaterThan(0.2);
  });

  it("earns exactly a lone member's returns while it holds the whole weight, and nothing while it is out", () => {
    const input = universe(4, 400, 1);
    const one = { ...input, members: [input.members[1]!] };
    const r = buildEnsemble(one, {
      ...cfg,
      maxMemberWeight: 1,
      familyCap: 1,
      symbolCap: 1,
      rebalanceFee: 0,
      demoteBelow: -1e9,
      correlationPenalty: 0,
    });
    let held = 0;
    for (let t = r.recordStart; t < 400; t++) {
      const w = weightAt(r.schedule, t, 0);
      expect(w === 0 || w === 1).toBe(true);
      expect(r.returns[t]! - w * one.members[0]!.returns[t]!).toBe(0);
      held += w;
    }
    expect(held).toBeGreaterThan(0);
    expect(r.equity[399]).toBeCloseTo(
      r.returns.subarray(r.recordStart).reduce((e, x) => e * (1 + x), 1),
      12,
    );
  });

  it("regresses on the benchmark: a lone member worth 0.5 x benchmark + 10 bp has that alpha and beta", () => {
    const n = 400;
    const rng = createRng(8);
    const bench = Float64Array.from({ length: n }, () => 0.01 * rng.normal());
    const mine = Float64Array.from(bench, (b, t) => (t === 0 ? 0 : 0.001 + 0.5 * b + 0.0001 * rng.normal()));
    const r = buildEnsemble(
      {
        timeframe: "1d",
        ts: Float64Array.from({ length: n }, (_, t) => t),
        benchmark: bench,
        members: [{ id: "x", family: "f", symbol: "S", params: {}, returns: mine }],
      },
      { ...cfg, maxMemberWeight: 1, familyCap: 1, symbolCap: 1, rebalanceFee: 0, demoteBelow: -1e9 },
    );
    const v = r.versusBuyAndHold;
    expect(v.beta).toBeCloseTo(0.5, 2);
    expect(v.alpha).toBeCloseTo(0.001, 4);
    expect(v.alphaT).toBeGreaterThan(10);
    expect(v.better).toBe(v.tStat > 1.645);
  });

  it("rejects misaligned members with one clear line", () => {
    const input = universe(1, 100, 1);
    const bad = { ...input, members: [{ ...input.members[0]!, returns: new Float64Array(99) }] };
    expect(() => buildEnsemble(bad)).toThrow(
      /member sma-cross:5,20@S0\/USD has 99 bars, the clock 100: align members first/,
    );
    expect(() => buildEnsemble(input, { window: 3 })).toThrow(/ensemble config: window/);
  });
});
