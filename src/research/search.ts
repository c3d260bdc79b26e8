import type { Rng } from "../domain/random.ts";
import { invalidInput } from "../errors.ts";
import type { VariantSpec } from "./screen-evaluate.ts";

/** Candidate values per parameter of one family, and the symbols it may trade */
export interface FamilySpace {
  family: string;
  params: Record<string, readonly number[]>;
  symbols: readonly string[];
  /** rejects combinations the family's schema refuses (e.g. fast >= slow) */
  valid: (p: Record<string, number>) => boolean;
}

export type SearchMethod = "grid" | "random" | "evolutionary";

/** Size of the whole space: every family's product of value counts times its symbols */
export function spaceSize(spaces: readonly FamilySpace[]): number {
  let total = 0;
  for (const s of spaces)
    total += Object.values(s.params).reduce((a, v) => a * v.length, 1) * s.symbols.length;
  return total;
}

const keyOf = (v: VariantSpec): string =>
  `${v.family}|${v.symbol}|${Object.keys(v.params)
    .sort()
    .map((k) => `${k}=${v.params[k]}`)
    .join(",")}`;

/** Decodes the i-th point of a family space (mixed radix: params in key order, then the symbol) */
function decode(s: FamilySpace, i: number): VariantSpec {
  const params: Record<string, number> = {};
  let rest = i;
  for (const k of Object.keys(s.params).sort()) {
    const vals = s.params[k]!;
    params[k] = vals[rest % vals.length]!;
    rest = Math.floor(rest / vals.length);
  }
  return { family: s.family, params, symbol: s.symbols[rest % s.symbols.length]! };
}

/**
 * Every valid point of the spaces in order, thinned to at most `budget` by an even stride when the
 * grid is larger: families are interleaved so a small budget still covers every family.
 */
export function gridSearch(spaces: readonly FamilySpace[], budget: number): VariantSpec[] {
  const per = spaces.map((s) => {
    const size = Object.values(s.params).reduce((a, v) => a * v.length, 1) * s.symbols.length;
    const pts: VariantSpec[] = [];
    for (let i = 0; i < size; i++) {
      const v = decode(s, i);
      if (s.valid(v.params as Record<string, number>)) pts.push(v);
    }
    return pts;
  });
  const total = per.reduce((a, p) => a + p.length, 0);
  const out: VariantSpec[] = [];
  const share = Math.min(1, budget / Math.max(1, total));
  const takes = per.map((pts) => Math.min(pts.length, Math.max(1, Math.floor(pts.length * share))));
  // every family keeps at least one point; trim the largest shares until the budget holds
  let sum = takes.reduce((a, b) => a + b, 0);
  while (sum > budget) {
    let big = 0;
    for (let i = 1; i < takes.length; i++) if (takes[i]! > takes[big]!) big = i;
    if (takes[big]! <= 1) break;
    takes[big]!--;
    sum--;
  }
  per.forEach((pts, i) => {
    const take = takes[i]!;
    for (let j = 0; j < take; j++) out.push(pts[Math.floor((j * pts.length) / take)]!);
  });
  return out.slice(0, budget);
}

/** Seeded sampling without repeats: a family uniformly, then a point of its space uniformly */
export function randomSearch(spaces: readonly FamilySpace[], budget: number, rng: Rng): VariantSpec[] {
  const sizes = spaces.map(
    (s) => Object.values(s.params).reduce((a, v) => a * v.length, 1) * s.symbols.length,
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0)
    throw invalidInput("screen: the search space is empty: check the preset's families and symbols");
  const seen = new Set<string>();
  const out: VariantSpec[] = [];
  let misses = 0;
  while (out.length < budget && misses < budget * 20 + 1000) {
    // a family uniformly (so big wrapper spaces do not crowd out small ones), then a point in it
    let f = rng.int(spaces.length);
    while (sizes[f] === 0) f = rng.int(spaces.length);
    const v = decode(spaces[f]!, rng.int(sizes[f]!));
    const k = keyOf(v);
    if (seen.has(k) || !spaces[f]!.valid(v.params as Record<string, number>)) {
      misses++;
      continue;
    }
    seen.add(k);
    out.push(v);
  }
  return out;
}

/**
 * Evolutionary search for large spaces, a (mu + lambda) scheme: a random first generation, then
 * children mutated from the fittest quarter (each parameter moves to a neighbouring value with
 * probability 1/2, or the symbol changes), never re-trying a point. `fitness` sees only in-sample
 * figures; every point tried is returned, since deflation counts them all.
 */
export async function evolutionarySearch(
  spaces: readonly FamilySpace[],
  budget: number,
  rng: Rng,
  fitness: (batch: readonly VariantSpec[]) => Promise<number[]>,
  generations = 5,
): Promise<{ tried: VariantSpec[]; fitness: number[] }> {
  const first = Math.max(2, Math.round(budget * 0.4));
  const tried = randomSearch(spaces, Math.min(first, budget), rng);
  const fit = await fitness(tried);
  const seen = new Set(tried.map(keyOf));
  const bySpace = new Map(spaces.map((s) => [s.family, s]));
  const perGen = Math.max(1, Math.ceil((budget - tried.length) / generations));
  while (tried.length < budget) {
    const order = tried.map((_, i) => i).sort((a, b) => fit[b]! - fit[a]!);
    const parents = order.slice(0, Math.max(2, Math.floor(order.length / 4)));
    const batch: VariantSpec[] = [];
    let misses = 0;
    while (batch.length < Math.min(perGen, budget - tried.length) && misses < 2000) {
      const p = tried[parents[rng.int(parents.length)]!]!;
      const s = bySpace.get(p.family)!;
      const params = { ...(p.params as Record<string, number>) };
      let symbol = p.symbol;
      for (const k of Object.keys(s.params)) {
        if (rng.next() < 0.5) continue;
        const vals = s.params[k]!;
        const at = vals.indexOf(params[k]!);
        const step = rng.next() < 0.5 ? -1 : 1;
        params[k] = vals[Math.min(vals.length - 1, Math.max(0, at + step * (1 + rng.int(2))))]!;
      }
      if (rng.next() < 0.2) symbol = s.symbols[rng.int(s.symbols.length)]!;
      const child = { family: p.family, params, symbol };
      const key = keyOf(child);
      if (seen.has(key) || !s.valid(params)) {
        misses++;
        continue;
      }
      seen.add(key);
      batch.push(child);
    }
    if (batch.length === 0) {
      // the neighbourhood is exhausted: fill up with fresh random points
      const extra = randomSearch(spaces, budget, rng).filter((v) => !seen.has(keyOf(v)));
      const take = extra.slice(0, budget - tried.length);
      if (take.length === 0) break;
      batch.push(...take);
      for (const v of take) seen.add(keyOf(v));
    }
    tried.push(...batch);
    fit.push(...(await fitness(batch)));
  }
  return { tried, fitness: fit };
}
