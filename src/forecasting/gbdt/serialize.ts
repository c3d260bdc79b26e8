import { AppError } from "../../errors.ts";
import type { BinEdges } from "./binning.ts";
import type { GbdtModel } from "./model.ts";
import { GbdtParamsSchema } from "./params.ts";
import type { Tree } from "./tree.ts";

const MAGIC = 0x5442474b; // "KGBT" little-endian
const VERSION = 1;

interface Header {
  format: "kairos-gbdt";
  objective: GbdtModel["objective"];
  featureNames: string[];
  params: unknown;
  roundsTrained: number;
  validLoss: number[];
  treeSizes: number[];
  edgeSizes: number[];
}

/**
 * Compact binary form: magic, version, JSON header, then float64 and int32 sections written
 * little-endian from the exact bits, so a loaded model predicts bit for bit the same
 */
export function serializeModel(m: GbdtModel): Uint8Array {
  const header: Header = {
    format: "kairos-gbdt",
    objective: m.objective,
    featureNames: [...m.featureNames],
    params: m.params,
    roundsTrained: m.roundsTrained,
    validLoss: [...m.validLoss],
    treeSizes: m.trees.map((t) => t.feature.length),
    edgeSizes: m.edges.upper.map((u) => u.length),
  };
  const hb = new TextEncoder().encode(JSON.stringify(header));
  const nodes = header.treeSizes.reduce((a, b) => a + b, 0);
  const edges = header.edgeSizes.reduce((a, b) => a + b, 0);
  const nF64 = 1 + 5 * nodes + edges;
  const nI32 = 4 * nodes;
  const headAt = 12;
  const f64At = align8(headAt + hb.length);
  const i32At = f64At + 8 * nF64;
  const out = new Uint8Array(i32At + 4 * nI32);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, hb.length, true);
  out.set(hb, headAt);
  let p = f64At;
  const f64 = (v: number): void => {
    dv.setFloat64(p, v, true);
    p += 8;
  };
  f64(m.baseMargin);
  for (const t of m.trees)
    for (const a of [t.threshold, t.value, t.cover, t.count, t.gain]) for (const v of a) f64(v);
  for (const u of m.edges.upper) for (const v of u) f64(v);
  for (const t of m.trees)
    for (const a of [t.feature, t.bin, t.left, t.right])
      for (const v of a) {
        dv.setInt32(p, v, true);
        p += 4;
      }
  return out;
}

const align8 = (n: number): number => (n + 7) & ~7;

const corrupt = (why: string): AppError =>
  new AppError(
    "INVALID_INPUT",
    `gbdt model payload is not readable (${why}); retrain the model or restore the file`,
  );

/** Reads what serializeModel wrote */
export function deserializeModel(bytes: Uint8Array): GbdtModel {
  if (bytes.length < 12) throw corrupt("too short");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw corrupt("bad magic");
  if (dv.getUint32(4, true) !== VERSION) throw corrupt(`unknown version ${dv.getUint32(4, true)}`);
  const hl = dv.getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hl))) as Header;
  } catch (e) {
    throw new AppError("INVALID_INPUT", "gbdt model payload header is not JSON; retrain the model", {
      cause: e,
    });
  }
  if (header.format !== "kairos-gbdt") throw corrupt("not a kairos-gbdt payload");
  const params = GbdtParamsSchema.parse(header.params);
  let p = align8(12 + hl);
  const nodes = header.treeSizes.reduce((a, b) => a + b, 0);
  const edges = header.edgeSizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== p + 8 * (1 + 5 * nodes + edges) + 16 * nodes) throw corrupt("wrong length");
  const f64s = (n: number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++, p += 8) a[i] = dv.getFloat64(p, true);
    return a;
  };
  const i32s = (n: number): Int32Array => {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++, p += 4) a[i] = dv.getInt32(p, true);
    return a;
  };
  const baseMargin = f64s(1)[0]!;
  const floats = header.treeSizes.map((n) => ({
    threshold: f64s(n),
    value: f64s(n),
    cover: f64s(n),
    count: f64s(n),
    gain: f64s(n),
  }));
  const upper: BinEdges["upper"] = header.edgeSizes.map((n) => f64s(n));
  const trees: Tree[] = header.treeSizes.map((n, i) => ({
    ...floats[i]!,
    feature: i32s(n),
    bin: i32s(n),
    left: i32s(n),
    right: i32s(n),
  }));
  return {
    objective: header.objective,
    baseMargin,
    trees,
    featureNames: header.featureNames,
    params,
    edges: { upper },
    roundsTrained: header.roundsTrained,
    validLoss: header.validLoss,
  };
}
