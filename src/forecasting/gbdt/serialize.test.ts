import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { predict } from "./predict.ts";
import { deserializeModel, serializeModel } from "./serialize.ts";
import { trainGbdt } from "./train.ts";

describe("gbdt model payload", () => {
  it("save then load reproduces predictions bit for bit", () => {
    const rng = createRng(9);
    const rows = 2000;
    const cols = Array.from({ length: 6 }, () => Float64Array.from({ length: rows }, () => rng.normal()));
    cols[2]![5] = Number.NaN;
    const y = Float64Array.from({ length: rows }, (_, r) => cols[0]![r]! * cols[1]![r]! + 0.1 * rng.normal());
    for (const objective of ["squared", "logistic"] as const) {
      const yy = objective === "logistic" ? y.map((v) => (v > 0 ? 1 : 0)) : y;
      const model = trainGbdt(
        { x: { rows, cols }, y: yy },
        { objective, nTrees: 30, maxDepth: 5, seed: 2 },
        {
          featureNames: ["a", "b", "c", "d", "e", "f"],
        },
      );
      const bytes = serializeModel(model);
      const back = deserializeModel(bytes.slice());
      const p1 = predict(model, { rows, cols });
      const p2 = predict(back, { rows, cols });
      expect(Buffer.from(p2.buffer).equals(Buffer.from(p1.buffer))).toBe(true);
      expect(back.featureNames).toEqual(["a", "b", "c", "d", "e", "f"]);
      expect(back.params).toEqual(model.params);
      expect(Buffer.from(serializeModel(back)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it("refuses a damaged payload with a clear message", () => {
    expect(() => deserializeModel(new Uint8Array(20))).toThrow(/not readable \(bad magic\)/);
  });
});
