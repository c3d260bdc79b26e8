import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plantedNonLinear } from "../../../test/support/gbdt-data.ts";
import { createGbdtPool } from "../../../test/support/gbdt-pool.ts";
import type { WorkerPool } from "../../ports/worker-pool.ts";
import { trainGbdtParallel } from "./parallel.ts";
import { predict } from "./predict.ts";
import { serializeModel } from "./serialize.ts";
import { trainGbdt } from "./train.ts";

describe("gbdt histograms on worker threads", () => {
  let pool2: WorkerPool;
  let pool3: WorkerPool;
  beforeAll(async () => {
    pool2 = await createGbdtPool(1);
    pool3 = await createGbdtPool(2);
  });
  afterAll(async () => {
    await pool2.close();
    await pool3.close();
  });

  it("gives the same model, byte for byte, on 1, 2 and 3 threads (pool workers + the calling thread)", async () => {
    const d = plantedNonLinear(3000, 7, 5);
    const train = { x: { rows: d.rows, cols: d.cols }, y: d.y };
    for (const params of [
      { objective: "logistic" as const, nTrees: 8, maxDepth: 5, subsample: 0.8, colsample: 0.7, seed: 3 },
      {
        objective: "squared" as const,
        nTrees: 6,
        growth: "leafwise" as const,
        maxLeaves: 15,
        minSamplesLeaf: 5,
      },
    ]) {
      const one = serializeModel(trainGbdt(train, params));
      const two = serializeModel(await trainGbdtParallel(train, params, pool2, {}, 0));
      const three = await trainGbdtParallel(train, params, pool3, {}, 0);
      expect(Buffer.from(two).equals(Buffer.from(one))).toBe(true);
      expect(Buffer.from(serializeModel(three)).equals(Buffer.from(one))).toBe(true);
      expect(predict(three, train.x)).toHaveLength(3000);
    }
  });
});
