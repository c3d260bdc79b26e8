/**
 * Block kernels of the slow stochastic, generated per (kPeriod, kSmooth, dPeriod) and compiled once.
 *
 * Why generated: the stochastic's window extremes run by blocks of kPeriod bars (van Herk /
 * Gil-Werman, see stochastic.ts). Written as a loop over the bars of a block, V8 re-checks every
 * array at each back-edge, computes and checks every index at run time, and loads every high and
 * low twice (once for the block's running prefix, once for the suffix the next block needs),
 * because it cannot see that the prefix's bar s + u is the suffix's bar s + p - 1 - u' for some u'.
 * A kernel written out for the period does two blocks per pass: it loads each bar once into a
 * local, indexes by constants, hands the first block's suffixes to the second in locals (the
 * second's go through `sf` at fixed places), and picks the smoothing ring when it is generated.
 * On 1,000,000 bars (bench/indicators.ts, stochastic-14-3-3) that is ~12 ns per bar against ~20
 * for the loop. It runs the same operations in the same order as `stochasticSmallRun`, so the
 * outputs are the same bits (stochastic.test.ts checks them against the stream for every period).
 *
 * The cost: V8 compiles a kernel in the background in ~50-150 ms (more for longer periods), once
 * per parameter set and process; the first long series runs mostly in the interpreter meanwhile.
 * The generated source holds only integers the caller validated (checkInt) and fixed text: no
 * input reaches it. Periods above MAX_BLOCK_PERIOD use the loop (longer kernels compile slowly).
 */

/** The largest kPeriod with a generated kernel */
export const MAX_BLOCK_PERIOD = 24;

/**
 * Runs the full blocks from bar `s` (a block start after the warm-up) while one fits before `n`;
 * returns where it stopped. State in `st`: [kSmooth, dPeriod, flat %K, ksum, dsum, f1, f2, k1, k2,
 * a] (a = the offset of the previous block's suffixes in `sf`), read at the start, written after
 * every pass (a = 0: the kernel leaves the last suffixes in the first half of `sf`).
 */
export type BlockKernel = (
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  ko: Float64Array,
  dout: Float64Array,
  sf: Float64Array,
  sel: Float64Array,
  n: number,
  s: number,
  st: Float64Array,
) => number;

const kernels = new Map<string, BlockKernel | null>();

/**
 * The kernel for these parameters (compiled on first use), or undefined above MAX_BLOCK_PERIOD or
 * where code generation is switched off (node --disallow-code-generation-from-strings): the
 * caller then runs its loop, with the same outputs
 */
export function blockKernel(p: number, kSmooth: number, dPeriod: number): BlockKernel | undefined {
  if (!(Number.isInteger(p) && p >= 1 && p <= MAX_BLOCK_PERIOD)) return undefined;
  if (!(kSmooth >= 1 && kSmooth <= 3 && dPeriod >= 1 && dPeriod <= 3)) return undefined;
  const key = `${p},${kSmooth},${dPeriod}`;
  let k = kernels.get(key);
  if (k === undefined) {
    try {
      // a named function (stochasticBlock) shows up as such in profiles and --print-opt-code
      k = new Function(
        `return function stochasticBlock(high, low, close, ko, dout, sf, sel, n, s, st) {\n${blockKernelSource(p, kSmooth, dPeriod)}\n};`,
      )() as BlockKernel;
    } catch {
      k = null;
    }
    kernels.set(key, k);
  }
  return k ?? undefined;
}

/** The body of a block kernel; exported for the test that reads it */
export function blockKernelSource(p: number, kSmooth: number, dPeriod: number): string {
  const q = p + 1;
  const L: string[] = [
    '"use strict";',
    "const ks = st[0], ds = st[1], flatK = st[2];",
    "let ksum = st[3], dsum = st[4], f1 = st[5], f2 = st[6], k1 = st[7], k2 = st[8];",
    // the previous block's suffixes are read from the first half of sf: move them there
    `if ((st[9] | 0) !== 0) sf.copyWithin(0, ${2 * q}, ${4 * q});`,
    `for (; s + ${2 * p} <= n; s += ${2 * p}) {`,
  ];
  // the fast %K and %K leaving the smoothing windows (a ring of at most 3 in locals)
  const kOut = kSmooth === 3 ? "f2" : kSmooth === 2 ? "f1" : "fast";
  const dOut = dPeriod === 3 ? "k2" : dPeriod === 2 ? "k1" : "k";
  // two blocks per pass: the first hands its suffixes to the second in locals, the second hands
  // its suffixes to the next pass through sf, at fixed indexes
  for (const b of [0, 1]) {
    const at = b === 0 ? "s" : `s + ${p}`;
    L.push("  {", "  let ph = -Infinity, pl = Infinity, mh = -Infinity, ml = Infinity;");
    for (let u = 0; u < p; u++) L.push(`  const h${u} = high[${at} + ${u}], l${u} = low[${at} + ${u}];`);
    if (b === 0) for (let v = 0; v < p; v++) L.push(`  let sh${v} = 0, sl${v} = 0;`);
    for (let u = 0; u < p; u++) {
      // bar u extends the block's prefix; bar v its suffix, from the end
      const v = p - 1 - u;
      // the window: the previous block's suffix from offset u + 1, and this block's prefix
      const prevHi = b === 0 ? `sf[${u + 1}]` : u + 1 < p ? `sh${u + 1}` : "-Infinity";
      const prevLo = b === 0 ? `sf[${u + 1 + q}]` : u + 1 < p ? `sl${u + 1}` : "Infinity";
      const keep = b === 0 ? `sh${v} = mh; sl${v} = ml;` : `sf[${v}] = mh; sf[${v + q}] = ml;`;
      L.push(
        "  {",
        `    sel[0] = ph; sel[1] = h${u}; sel[2] = pl; sel[3] = l${u};`,
        `    sel[4] = mh; sel[5] = h${v}; sel[6] = ml; sel[7] = l${v};`,
        `    ph = sel[+(h${u} >= ph)]; pl = sel[2 + +(l${u} <= pl)];`,
        `    mh = sel[4 + +(h${v} >= mh)]; ml = sel[6 + +(l${v} <= ml)];`,
        `    ${keep}`,
        `    const hi = Math.max(${prevHi}, ph), lo = Math.min(${prevLo}, pl);`,
        `    const cv = close[${at} + ${u}];`,
        // fastK (stochastic.ts), written out
        "    const diff = (hi - lo) / 100;",
        "    const raw = (cv - lo) / diff + (diff - diff);",
        "    const fast = diff !== 0 ? raw : flatK;",
        "    ksum += fast;",
        "    const k = ksum / ks;",
        `    ksum -= ${kOut};`,
        ...(kSmooth >= 3 ? ["    f2 = f1;"] : []),
        ...(kSmooth >= 2 ? ["    f1 = fast;"] : []),
        `    ko[${at} + ${u}] = k;`,
        "    dsum += k;",
        `    dout[${at} + ${u}] = dsum / ds;`,
        `    dsum -= ${dOut};`,
        ...(dPeriod >= 3 ? ["    k2 = k1;"] : []),
        ...(dPeriod >= 2 ? ["    k1 = k;"] : []),
        "  }",
      );
    }
  }
  L.push(
    ...Array(2).fill("  }"),
    // the state after every pass, in the loop: code after a long loop has no type feedback when V8
    // optimises the loop in the middle of its first run, and would be thrown away on reaching it
    "  st[3] = ksum; st[4] = dsum; st[5] = f1; st[6] = f2; st[7] = k1; st[8] = k2; st[9] = 0;",
    "}",
    "return s;",
  );
  return L.join("\n");
}
