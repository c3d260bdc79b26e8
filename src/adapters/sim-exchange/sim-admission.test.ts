// The simulated exchange's admission of a request over raw HTTP: the weight limit (429 with
// Retry-After, then a 418 ban), the window it states, and seeded faults per endpoint
import { afterEach, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import type { SimExchange } from "./server.ts";
import { call, simsOn } from "./sim-test-client.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const { sim, closeSims } = simsOn(btc);
afterEach(closeSims);

describe("simulated exchange: limits and faults", () => {
  it("answers 429 with Retry-After over the weight limit, then bans (418) a client that ignores it", async () => {
    const s = await sim({ weightLimit: 50 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await call(s, "GET", "/api/v3/account");
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get("retry-after");
    }
    expect(statuses).toEqual([200, 200, 429, 418]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // weight is counted for what was served (20 per account call), reported per window
    expect(s.weight()).toMatchObject({ limit: 50, windows: [{ used: 40 }] });
  });

  it("states the weight window it really counts in: exchangeInfo and the used-weight header name it", async () => {
    const rl = async (s: SimExchange) => {
      const r = await call(s, "GET", "/api/v3/exchangeInfo");
      const info = r.body as {
        rateLimits: { rateLimitType: string; interval: string; intervalNum: number }[];
      };
      const w = info.rateLimits.find((x) => x.rateLimitType === "REQUEST_WEIGHT")!;
      const used = [...r.headers.keys()].filter((k) => /^x-mbx-used-weight-/.test(k));
      return { interval: w.interval, intervalNum: w.intervalNum, used };
    };
    expect(await rl(await sim())).toEqual({
      interval: "MINUTE",
      intervalNum: 1,
      used: ["x-mbx-used-weight-1m"],
    });
    // Binance's minute at 60x
    expect(await rl(await sim({ weightWindowMs: 1000 }))).toEqual({
      interval: "SECOND",
      intervalNum: 1,
      used: ["x-mbx-used-weight-1s"],
    });
    expect(await rl(await sim({ weightWindowMs: 10_000 }))).toEqual({
      interval: "SECOND",
      intervalNum: 10,
      used: ["x-mbx-used-weight-10s"],
    });
    await expect(sim({ weightWindowMs: 1500 })).rejects.toThrow(/not a whole number of seconds/);
  });

  it("a client that waits out the Retry-After is served again, and windows reset the weight", async () => {
    const s = await sim({ weightLimit: 30, weightWindowMs: 1000 });
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
    const r = await call(s, "GET", "/api/v3/account");
    expect(r.status).toBe(429);
    // waited out on the exchange's own clock (a timer may fire a millisecond early by Date.now)
    const until = Date.now() + Number(r.headers.get("retry-after")) * 1000;
    while (Date.now() < until) await new Promise((w) => setTimeout(w, until - Date.now()));
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
    expect(s.weight().windows.map((w) => w.used)).toEqual([20, 20]);
  });

  it("draws the same faults for the same seed, per endpoint", async () => {
    const spec = "account:429=0.1,account:5xx=0.2,time:5xx=0.5";
    const run = async (seed: number): Promise<number[]> => {
      const s = await sim({ seed, faults: spec, banMs: 0, retryAfterMs: 20 });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await call(s, "GET", i % 3 === 0 ? "/api/v3/time" : "/api/v3/account");
        out.push(r.status);
        // a 429 is waited out to the end of its Retry-After on the exchange's own clock (Date.now, read
        // after the answer left it): requests sent within it were refused (418) until a wall-clock second
        // had passed, so how many of the 30 drew a fault hung on how fast they ran
        if (r.status === 429) {
          const until = Date.now() + Number(r.headers.get("retry-after")) * 1000;
          while (Date.now() < until) await new Promise((w) => setTimeout(w, until - Date.now()));
        }
      }
      return out;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(a.some((x) => x === 503)).toBe(true);
  });
});
