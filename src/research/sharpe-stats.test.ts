import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { normalCdf } from "../maths/distributions.ts";
import {
  deflatedSharpe,
  expectedMaxSharpe,
  minTrackRecordLength,
  probabilisticSharpe,
} from "./sharpe-stats.ts";
import { moments, sharpePerBar } from "./stats.ts";

describe("deflated Sharpe ratio", () => {
  it("reproduces the numerical example of Bailey and López de Prado (2014), section 5", () => {
    // Inputs quoted from the paper: N = 100 independent trials, the best has an annualised SR of 2.5
    // over T = 1,250 daily observations (5 years of 250 days), the annualised SR estimates vary across
    // trials with V = 1/2, skewness -3 and kurtosis 10. The paper finds E[max SR] ~ 0.1132 (daily,
    // i.e. ~1.79 annualised) and DSR ~ 0.9004: the best trial is not significant at 95%.
    const days = 250;
    const r = deflatedSharpe({
      sr: 2.5 / Math.sqrt(days),
      n: 1250,
      skew: -3,
      kurtosis: 10,
      nTrials: 100,
      trialVariance: 0.5 / days,
    });
    expect(r.sr0).toBeCloseTo(0.1132, 4);
    expect(r.sr0 * Math.sqrt(days)).toBeCloseTo(1.7894, 3);
    expect(r.probability).toBeCloseTo(0.9004, 3);
    // to full precision (also the value the pypbo package's test asserts for this example)
    expect(r.probability).toBeCloseTo(0.9003968344493903, 8);
    expect(r.probability).toBeLessThan(0.95);
  });

  it("with one trial the deflated Sharpe is the PSR against zero", () => {
    const x = { sr: 0.08, n: 500, skew: -0.5, kurtosis: 6 };
    const d = deflatedSharpe({ ...x, nTrials: 1, trialVariance: 0.01 });
    expect(d.sr0).toBe(0);
    expect(d.probability).toBe(probabilisticSharpe({ ...x, benchmark: 0 }));
  });

  it("expected max of N standard normals matches simulation", () => {
    // E[max of 100 iid N(0,1)] is 2.5076 (order statistics tables); the Gumbel approximation gives ~2.53
    expect(expectedMaxSharpe(100, 1)).toBeCloseTo(2.5306, 3);
    const rng = createRng(11);
    let s = 0;
    const reps = 4000;
    for (let k = 0; k < reps; k++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < 1000; i++) m = Math.max(m, rng.normal());
      s += m;
    }
    // E[max of 1000] = 3.2414 exactly; the approximation is within 1%
    expect(s / reps).toBeCloseTo(3.24, 1);
    expect(Math.abs(expectedMaxSharpe(1000, 1) - s / reps)).toBeLessThan(0.04);
  });
});

describe("probabilistic Sharpe ratio", () => {
  it("reproduces the example of Bailey and López de Prado (2012), The Sharpe Ratio Efficient Frontier", () => {
    // Inputs quoted from the paper: an annualised Sharpe of 1.585 on T = 24 monthly returns
    // (SR = 1.585 / sqrt(12) per month), skewness -2.448, kurtosis 10.164; the paper's PSR(0) is
    // 0.9132 (0.91323430688486 to full precision, as the pypbo package also reproduces it)
    const p = probabilisticSharpe({
      sr: 1.585 / Math.sqrt(12),
      benchmark: 0,
      n: 24,
      skew: -2.448,
      kurtosis: 10.164,
    });
    expect(p).toBeCloseTo(0.9132343068848602, 9);
    // the same Sharpe with normal returns would look far more certain
    expect(
      probabilisticSharpe({ sr: 1.585 / Math.sqrt(12), benchmark: 0, n: 24, skew: 0, kurtosis: 3 }),
    ).toBeGreaterThan(0.98);
  });

  it("applies eq. 9 of Bailey and López de Prado (2012) to a hand-worked case", () => {
    // SR^ = 0.1, SR* = 0, T = 101, g3 = -1, g4 = 5: z = 0.1 * 10 / sqrt(1 + 0.1 + 0.01) = 0.949158
    const p = probabilisticSharpe({ sr: 0.1, benchmark: 0, n: 101, skew: -1, kurtosis: 5 });
    expect(p).toBeCloseTo(normalCdf(1 / Math.sqrt(1.11)), 14);
    expect(p).toBeCloseTo(0.828727, 5);
    // negative skew and fat tails lower the confidence against the normal case
    expect(p).toBeLessThan(probabilisticSharpe({ sr: 0.1, benchmark: 0, n: 101, skew: 0, kurtosis: 3 }));
  });

  it("is calibrated: with true SR equal to the benchmark, PSR > 0.95 about 5% of the time", () => {
    // skewed returns: shifted exponentials, true per-bar SR = mu / 1; each track record is 250 bars
    const rng = createRng(5);
    const trueSr = 0.05;
    let hits = 0;
    const reps = 3000;
    const xs = new Float64Array(250);
    for (let k = 0; k < reps; k++) {
      for (let i = 0; i < xs.length; i++) xs[i] = -Math.log(1 - rng.next()) - 1 + trueSr;
      const m = moments(xs);
      const p = probabilisticSharpe({
        sr: sharpePerBar(xs),
        benchmark: trueSr,
        n: m.n,
        skew: m.skew,
        kurtosis: m.kurtosis,
      });
      if (p > 0.95) hits++;
    }
    expect(hits / reps).toBeGreaterThan(0.03);
    expect(hits / reps).toBeLessThan(0.07);
  });

  it("minimum track record length inverts PSR", () => {
    const x = { sr: 0.12, benchmark: 0.02, skew: -0.8, kurtosis: 7 };
    const n = minTrackRecordLength(x, 0.95);
    expect(probabilisticSharpe({ ...x, n })).toBeCloseTo(0.95, 10);
    expect(minTrackRecordLength({ ...x, sr: 0.01 })).toBe(Number.POSITIVE_INFINITY);
  });
});
