// RFC 8785 canonical JSON: round-trips through JSON.parse, key order by UTF-16 code units,
// the RFC's number examples (Appendix B) and its worked example (section 3.2.2), refusal of
// what JSON cannot carry. References are the RFC's own strings, not this code's output.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/audit/canonical-json.ts";

// RFC 8785 Appendix B: IEEE-754 bit patterns and their required serialisation
const NUMBERS: [string, string][] = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"],
  ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"],
  ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"],
  ["4430000000000000", "295147905179352830000"],
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"],
];

const fromBits = (hex: string): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, BigInt(`0x${hex}`));
  return v.getFloat64(0);
};

describe("canonical JSON (RFC 8785)", () => {
  it("serialises the RFC's Appendix B numbers exactly", () => {
    for (const [bits, want] of NUMBERS) expect(canonicalJson(fromBits(bits)), bits).toBe(want);
  });

  it("gives the RFC's section 3.2.2 example byte for byte", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)", () => {
    const keys = ["\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6"];
    const obj = Object.fromEntries(keys.map((k, i) => [k, i]));
    // the RFC's required order (Object.keys would move "1" first, so the text itself is compared)
    const want = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"];
    expect(canonicalJson(obj)).toBe(
      `{${want.map((k) => `${JSON.stringify(k)}:${keys.indexOf(k)}`).join(",")}}`,
    );
  });

  it("round-trips: JSON.parse(canonical(v)) deep-equals v, and canonical is idempotent and order-blind", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        const back = JSON.parse(c);
        // -0 is written "0" (as JSON.stringify does), so compare with v as JSON itself carries it
        expect(back).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(back)).toBe(c);
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          const shuffled = Object.fromEntries(Object.entries(v).reverse());
          expect(canonicalJson(shuffled)).toBe(c);
        }
        expect(c).not.toMatch(/\s(?=(?:[^"\\]|\\.)*(?:"(?:[^"\\]|\\.)*"(?:[^"\\]|\\.)*)*$)/);
      }),
      { numRuns: 2000 },
    );
  });

  it("numbers are ECMAScript's shortest round-trip form", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = canonicalJson(x);
        expect(Number(s)).toBe(Object.is(x, -0) ? 0 : x);
        expect(s).toBe(String(Object.is(x, -0) ? 0 : x));
      }),
      { numRuns: 5000 },
    );
  });

  it("refuses NaN, Infinity, lone surrogates, bigint and non-plain objects with one line naming where", () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(/a\.b: NaN/);
    expect(() => canonicalJson([1, Number.POSITIVE_INFINITY])).toThrow(/\[1\]: Infinity/);
    expect(() => canonicalJson({ s: "x\ud800" })).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/Date/);
  });
});
