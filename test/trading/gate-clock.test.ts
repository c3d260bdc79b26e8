// Whose clock the pre-trade gate keeps for a live session (app/trade-live.ts liveGateClock): the
// machine's for a real exchange, always; a simulated exchange's own only when it runs on this machine
// and says so (GET /sim/clock, asked through the real probe). Real sims and a plain local server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { probeSimClock } from "../../src/adapters/sim-exchange/sim-clock-probe.ts";
import { isLoopbackBase, liveGateClock } from "../../src/app/trade-live.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

const sim = async (speed: number | "manual"): Promise<SimExchange> => {
  const s = await startBundledSimExchange(speed === "manual" ? {} : { clock: { kind: "real", speed } });
  closers.push(() => s.close());
  return s;
};

/**
 * every origin the gate's clock choice asks (it may ask only this machine's), asked with the probe's
 * own timeout as kairos asks it (a 1 s one here timed out when this process stalled a second on a
 * loaded machine: the simulated exchanges answer from this process)
 */
const asked: string[] = [];
const probe = (apiBase: string) => {
  asked.push(apiBase);
  return probeSimClock(apiBase);
};

describe("the pre-trade gate's clock for a live session", () => {
  it("knows this machine's origins", () => {
    for (const u of ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:9", "http://127.3.2.1"])
      expect(isLoopbackBase(u)).toBe(true);
    for (const u of [
      "https://api.binance.com",
      "http://192.0.2.1:9",
      "http://127.0.0.1.example.com",
      "nonsense",
    ])
      expect(isLoopbackBase(u)).toBe(false);
  });

  it("takes a local time-scaled simulated exchange's clock, and this machine's for one at real time", async () => {
    const fast = await sim(20);
    const manual = await sim("manual");
    const real = await sim(1);
    expect(await probeSimClock(fast.url)).toEqual({ kind: "real", speed: 20 });
    expect(await liveGateClock(probe, fast.url, undefined)).toBe("venue");
    expect(await liveGateClock(probe, manual.url, undefined)).toBe("venue");
    expect(await liveGateClock(probe, real.url, undefined)).toBe("wall");
    // asked for, a local simulated exchange at any speed
    expect(await liveGateClock(probe, real.url, true)).toBe("venue");
  });

  it("keeps this machine's clock for anything else, asks nothing of other hosts, and refuses --venue-clock there in one line", async () => {
    const plain: Server = createServer((_req, res) => {
      res.writeHead(404).end("{}");
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise<void>((r) => plain.close(() => r())));
    const local = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    asked.length = 0;
    expect(await liveGateClock(probe, "https://api.binance.com", undefined)).toBe("wall");
    expect(await liveGateClock(probe, undefined, undefined)).toBe("wall");
    expect(asked).toEqual([]);
    await expect(liveGateClock(probe, "https://api.binance.com", true)).rejects.toThrow(
      /^--venue-clock: api\.binance\.com is not this machine; .*drop --venue-clock/,
    );
    await expect(liveGateClock(probe, undefined, true)).rejects.toThrow(/^--venue-clock: no --api-base/);
    expect(asked).toEqual([]);
    // a local server that is not a simulated exchange
    expect(await liveGateClock(probe, local, undefined)).toBe("wall");
    await expect(liveGateClock(probe, local, true)).rejects.toThrow(
      /does not answer as a simulated exchange .*drop --venue-clock/,
    );
    const f = await sim(20);
    expect(await liveGateClock(probe, f.url, false)).toBe("wall");
  });
});
