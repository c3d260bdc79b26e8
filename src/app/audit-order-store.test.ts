import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plain } from "./audit-order-store.ts";

describe("plain (the audit records' copy without undefined)", () => {
  it("equals a JSON round trip on any JSON-like value, dates and sparse arrays included", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withDate: true,
          withSparseArray: true,
          withNullPrototype: false,
          withBoxedValues: false,
          withMap: false,
          withSet: false,
          withBigInt: false,
          withTypedArray: false,
          withObjectString: false,
          maxDepth: 4,
        }),
        (v) => {
          const viaJson = JSON.stringify(v) === undefined ? undefined : JSON.parse(JSON.stringify(v));
          if (typeof v !== "object" || v === null) return;
          expect(plain(v)).toStrictEqual(viaJson);
        },
      ),
      { numRuns: 5000, seed: 20261204 },
    );
  });
});
