// R1 crash anywhere: 100 kill -9 of the trading process (KAIROS_R1_KILLS to change), at random
// lifecycle points and random moments; after restart and reconciliation nothing is doubled, lost
// or unknown, and kairos's books equal the paper venue's and the uncrashed run's exactly
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type R1Env, runR1, setupR1, teardownR1 } from "./r1-harness.ts";

let env: R1Env;
beforeAll(async () => {
  env = await setupR1();
}, 120_000);
afterAll(() => {
  if (env !== undefined) teardownR1(env);
});

describe("R1 crash anywhere", () => {
  it("kill -9 at 100 random points: 0 duplicates, 0 unknown venue orders, 0 lost fills, books = venue = uncrashed run", async () => {
    expect(env.reference.length).toBeGreaterThan(10);
    // both markets traded and reused trade ids: the per-symbol fill key is exercised
    const ids = (sym: string) =>
      new Set(
        env.reference.filter((f) => f.startsWith(`${sym}#`)).map((f) => f.split(" ")[0]!.split("#")[1]),
      );
    const eth = ids("ETH/USDT");
    expect([...ids("BTC/USDT")].filter((id) => eth.has(id)).length).toBeGreaterThan(3);
    const kills = Number(process.env.KAIROS_R1_KILLS ?? 100);
    const s = await runR1(env, kills, Number(process.env.KAIROS_R1_SEED ?? 20261204));
    process.stderr.write(`R1: ${JSON.stringify(s)}\n`);
    expect(s.kills).toBe(kills);
    expect(s.mismatches).toEqual([]);
    expect(s.duplicateOrders).toBe(0);
    expect(s.unknownVenueOrders).toBe(0);
    expect(s.lostFills).toBe(0);
    expect(s.extraFills).toBe(0);
  }, 1_800_000);
});
