import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ERROR_CODES, ERROR_TABLE, isAppError } from "../errors.ts";
import {
  checkWorkSize,
  parseInput,
  parseUtcTime,
  rangeRefinement,
  rateField,
  strictNumber,
  wholeNumberField,
} from "./contract.ts";

// days per month written out, leap years by the Gregorian rule: an oracle independent of Date
const daysIn = (y: number, m: number): number =>
  [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    m - 1
  ]!;
const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

const thrown = (fn: () => unknown): Record<string, unknown> => {
  try {
    fn();
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message, ...e.details };
    throw e;
  }
  throw new Error("did not throw");
};

describe("parseUtcTime: the one date parser", () => {
  it("reads every real ISO date and time as UTC, whatever the separator and Z", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom("T", " "),
        fc.constantFrom("", "Z", "+00:00"),
        (y, m, d0, h, mi, s, sep, zone) => {
          const d = Math.min(d0, daysIn(y, m));
          const day = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
          const secondsSinceEpoch = (Date.UTC(y, m - 1, d) + ((h * 60 + mi) * 60 + s) * 1000) as number;
          expect(parseUtcTime(day)).toBe(Date.UTC(y, m - 1, d));
          expect(parseUtcTime(`${day}${sep}${pad(h)}:${pad(mi)}:${pad(s)}${zone}`)).toBe(secondsSinceEpoch);
        },
      ),
    );
  });

  it("refuses every day a month does not have (2024-02-30 is not 2024-03-01)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1970, max: 2200 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        for (let d = daysIn(y, m) + 1; d <= 31; d++)
          expect(parseUtcTime(`${y}-${pad(m)}-${pad(d)}`)).toHaveProperty("problem");
      }),
    );
    expect(parseUtcTime("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseUtcTime("2023-02-29")).toHaveProperty("problem");
    expect(parseUtcTime("2100-02-29")).toHaveProperty("problem");
  });

  it("refuses what is not ISO 8601 in UTC", () => {
    for (const bad of [
      "01/02/2024",
      "2024/01/05",
      "5",
      "-1",
      "foo 2020",
      "2024-1-5",
      "2024-01-05T10:00+09:00",
      "2024-01-05T24:00",
      "2024-13-01",
      "1969-12-31",
      "",
      "1704067200000",
    ])
      expect(parseUtcTime(bad), bad).toHaveProperty("problem");
    expect((parseUtcTime("2024-01-05T10:00+09:00") as { problem: string }).problem).toMatch(/offset/);
  });
});

describe("strict numbers", () => {
  it("takes plain numerals and nothing else", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(strictNumber(String(x))).toBe(x === 0 ? 0 : x);
      }),
    );
    for (const bad of ["", " ", "abc", "1.5.2", "0x10", "Infinity", "NaN", "1_000", "12abc", "--1"])
      expect(strictNumber(bad), bad).toBeUndefined();
  });

  it("whole numbers in range, with the allowed range in the error", () => {
    const S = z.object({ rows: wholeNumberField({ min: 0, max: 100 }) });
    expect(parseInput(S, { rows: "7" }).rows).toBe(7);
    expect(parseInput(S, { rows: 7 }).rows).toBe(7);
    expect(thrown(() => parseInput(S, { rows: "1.5" }))).toMatchObject({
      code: "INVALID_INPUT",
      field: "rows",
      problem: "1.5 is not a whole number",
      allowed: "a whole number from 0 to 100",
    });
    expect(thrown(() => parseInput(S, { rows: "-1" }))).toMatchObject({
      field: "rows",
      problem: "-1 is out of range",
    });
    expect(thrown(() => parseInput(S, {}))).toMatchObject({ field: "rows", problem: "is required" });
  });

  it("rates as fractions, percentages or basis points give the same fraction", () => {
    const S = z.object({ fee: rateField(0.1) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (bps) => {
        const f = parseInput(S, { fee: `${bps}bps` }).fee;
        expect(f).toBeCloseTo(bps / 10_000, 12);
        expect(parseInput(S, { fee: `${bps / 100}%` }).fee).toBeCloseTo(f, 12);
      }),
    );
    expect(thrown(() => parseInput(S, { fee: "ten" }))).toMatchObject({ field: "fee" });
    expect(thrown(() => parseInput(S, { fee: "20%" }))).toMatchObject({ problem: "20% is out of range" });
  });
});

describe("field paths and ranges", () => {
  it("a reversed range names `to` and the field it must follow", () => {
    const S = z
      .object({ from: z.number().optional(), to: z.number().optional() })
      .superRefine(rangeRefinement);
    const e = thrown(() => parseInput(S, { from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 1, 1) }));
    expect(e).toMatchObject({ field: "to" });
    expect(e.message).toMatch(/^to must be after from \(2024-02-01 is not after 2024-03-01\)/);
  });

  it("oversized work is refused with its size", () => {
    expect(() => checkWorkSize("params", 10, 10, "combinations", "")).not.toThrow();
    const e = thrown(() => checkWorkSize("params", 1e10, 2e6, "combinations", "use larger steps"));
    expect(e).toMatchObject({ field: "params" });
    expect(e.message).toMatch(/asks for 1\.00e10 combinations, too many to finish; use larger steps/);
  });
});

describe("one error table", () => {
  it("maps every code to an exit code, an HTTP status and an MCP error code", () => {
    for (const c of ERROR_CODES) {
      const t = ERROR_TABLE[c];
      expect(Number.isInteger(t.exit), c).toBe(true);
      expect(t.http >= 400 && t.http <= 599, c).toBe(true);
      expect(t.mcp < 0, c).toBe(true);
    }
    expect(ERROR_TABLE.INVALID_INPUT).toEqual({ exit: 2, http: 400, mcp: -32602 });
    expect(ERROR_TABLE.INTERNAL).toEqual({ exit: 1, http: 500, mcp: -32603 });
    // distinct MCP codes, so a client can tell every kind apart
    expect(new Set(ERROR_CODES.map((c) => ERROR_TABLE[c].mcp)).size).toBe(ERROR_CODES.length);
  });
});
