// Every indicator against an independent reference (TA-Lib 1.1.6, trading-signals, @ixjb94/indicators,
// pandas) on bundled BTC/USDT 1d and 1h; the references were computed once by make-golden.ts
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { getIndicator, INDICATORS } from "../../../src/indicators/registry.ts";
import { CASES, DATASETS, type GoldenCase } from "./cases.ts";
import { datasetInput } from "./dataset.ts";

const here = dirname(fileURLToPath(import.meta.url));
const TOL = 1e-9;

/** |a - b| within 1e-9 absolute or 1e-9 relative, whichever is looser */
const close = (a: number, b: number): boolean => Math.abs(a - b) <= TOL * Math.max(1, Math.abs(b));

const label = (c: GoldenCase) => `${c.indicator}(${JSON.stringify(c.params)}).${c.output} vs ${c.reference}`;

describe.each(DATASETS)("indicator golden files: $key", (ds) => {
  const x = datasetInput(ds);
  const n = x.close.length;
  const manifest = JSON.parse(readFileSync(join(here, `${ds.key}.json`), "utf8")) as {
    n: number;
    firstTs: number;
    cases: GoldenCase[];
  };
  const raw = gunzipSync(readFileSync(join(here, `${ds.key}.f64.gz`)));
  const all = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);

  it("is current: same bars and the same cases as cases.ts (else rerun make-golden.ts)", () => {
    expect(manifest.n).toBe(n);
    expect(manifest.firstTs).toBe(x.ts[0]);
    expect(manifest.cases).toEqual(CASES);
    expect(all.length).toBe(n * CASES.length);
  });

  it.each(CASES.map((c, j) => [label(c), c, j] as const))("%s", (_l, c, j) => {
    const ind = getIndicator(c.indicator);
    const ours = ind.batch(x, c.params)[c.output]!;
    const ref = all.subarray(j * n, (j + 1) * n);
    const warm = ind.warmup(c.params);
    const from = Math.max(warm, c.from ?? 0);
    let compared = 0;
    const bad: string[] = [];
    for (let i = from; i < n; i++) {
      const r = ref[i]!;
      if (Number.isNaN(r)) continue;
      compared++;
      if (!close(ours[i]!, r) && bad.length < 5) bad.push(`bar ${i}: ours ${ours[i]} reference ${r}`);
    }
    expect(bad).toEqual([]);
    // the reference must cover (almost) everything after the warm-up, or the test proves little
    expect(compared).toBeGreaterThan((n - from) * 0.95);
  });

  it("covers every indicator in the registry", () => {
    const covered = new Set(CASES.map((c) => c.indicator));
    expect(INDICATORS.map((i) => i.name).filter((name) => !covered.has(name))).toEqual([]);
  });
});
