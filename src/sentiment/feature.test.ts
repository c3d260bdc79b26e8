import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { evaluateSentimentFeature, type ScoredHeadline, sentimentFeature } from "./feature.ts";

const DAY = 86_400_000;

/** daily bars of a random walk, and one headline on half the days whose score says `informative` of the next day's move */
function market(seed: number, informative: boolean, n = 800) {
  const rng = createRng(seed);
  const ts = Float64Array.from({ length: n }, (_, i) => i * DAY);
  const r = Float64Array.from({ length: n }, () => 0.02 * rng.normal());
  const close = new Float64Array(n);
  close[0] = 100;
  for (let i = 1; i < n; i++) close[i] = close[i - 1]! * (1 + r[i]!);
  const headlines: ScoredHeadline[] = [];
  for (let t = 0; t + 1 < n; t++)
    if (rng.next() < 0.5)
      headlines.push({
        publishedAt: ts[t]! + 0.5 * DAY, // inside bar t, before its close
        score: (informative ? 2 * Math.sign(r[t + 1]!) : 0) + 2 * rng.normal(),
      });
  return { ts, close, headlines };
}

describe("the daily sentiment feature", () => {
  it("averages the headlines of the 24 h before each bar's close (hand-counted)", () => {
    const ts = Float64Array.from([0, DAY, 2 * DAY]);
    const f = sentimentFeature(
      [
        { publishedAt: 0.5 * DAY, score: 2 },
        { publishedAt: 0.9 * DAY, score: -1 },
        { publishedAt: 1.5 * DAY, score: 4 },
        { publishedAt: 3 * DAY, score: 9 }, // at the last bar's close: not yet published
      ],
      ts,
      DAY,
    );
    expect(Array.from(f.count)).toEqual([2, 1, 0]);
    expect(Array.from(f.mean)).toEqual([0.5, 4, 0]);
  });

  it("a headline published after a bar's close never changes that bar's feature", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            publishedAt: fc.integer({ min: 0, max: 30 * DAY }),
            score: fc.integer({ min: -5, max: 5 }),
          }),
        ),
        fc.array(
          fc.record({
            publishedAt: fc.integer({ min: 0, max: 30 * DAY }),
            score: fc.integer({ min: -5, max: 5 }),
          }),
        ),
        fc.integer({ min: 0, max: 29 }),
        (base, later, k) => {
          const ts = Float64Array.from({ length: 30 }, (_, i) => i * DAY);
          const close = ts[k]! + DAY;
          const a = sentimentFeature(base, ts, DAY);
          const b = sentimentFeature([...base, ...later.filter((h) => h.publishedAt >= close)], ts, DAY);
          for (let t = 0; t <= k; t++) {
            expect(b.count[t]).toBe(a.count[t]);
            expect(b.mean[t]).toBeCloseTo(a.mean[t]!, 9);
          }
        },
      ),
    );
  });

  it("out of sample: found when headlines carry the next day's move, not found when they carry nothing", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const m = market(seed, true);
      const f = sentimentFeature(m.headlines, m.ts, DAY);
      const e = evaluateSentimentFeature({ close: m.close, mean: f.mean, count: f.count, horizon: 1 });
      expect(e.adds, `seed ${seed}`).toBe(true);
      expect(e.arSentiment.directional).toBeGreaterThan(e.ar.directional);
    }
    let falsePositives = 0;
    for (let seed = 101; seed <= 120; seed++) {
      const m = market(seed, false);
      const f = sentimentFeature(m.headlines, m.ts, DAY);
      const e = evaluateSentimentFeature({ close: m.close, mean: f.mean, count: f.count, horizon: 1 });
      expect(e.n).toBe(800 - 1 - 1 - 60);
      if (e.adds) falsePositives++;
    }
    // a 5% test on 20 uninformative markets: about 1 false positive expected, 4 or more happens < 2% of the time
    expect(falsePositives).toBeLessThanOrEqual(3);
  });
});
