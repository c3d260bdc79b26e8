import { describe, expect, it } from "vitest";
import { barsPerYear, parseTimeframe, timeframeMs } from "./timeframe.ts";

describe("timeframe", () => {
  it("knows bar lengths and the 365-day annualisation of DESIGN.md", () => {
    expect(timeframeMs("1h")).toBe(3_600_000);
    expect(timeframeMs("5m")).toBe(300_000);
    expect(barsPerYear("1h")).toBe(8760);
    expect(barsPerYear("1d")).toBe(365);
  });
  it("names the valid timeframes when given a bad one", () => {
    expect(() => parseTimeframe("7x")).toThrow(/unknown timeframe "7x": use one of 1m/);
  });
});
