// SIGTERM to the trading process is the kill switch: a real `trade start --live` child process on
// the simulated exchange gets a real SIGTERM while it trades; it latches HALTED, cancels every open
// order (its own and one placed behind its back), sweeps again after its last step and exits;
// nothing stays open on the exchange and nothing is sent after.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { createContainer } from "../../src/composition-root.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { TEST_LIMITS, writeTestLimits } from "./trading-limits.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const HOUR = 3_600_000;
const KEY = "kairosSigtermKey0123456789";
const SECRET = "kairosSigtermSecretDoNotPrint";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("SIGTERM pulls the kill switch", () => {
  it("a live trading process sent SIGTERM latches HALTED, cancels every open order and exits; nothing is sent after", async () => {
    const sim: SimExchange = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET },
      // one 1h candle per second: a market order rests up to a second before its bar fills it
      clock: { kind: "real", speed: 3600 },
      start: btc.ts[600]!,
      fees: { maker: 0.001, taker: 0.001 },
    });
    cleanup.push(() => sim.close());
    const home = mkdtempSync(join(tmpdir(), "kairos-sigterm-"));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "test/trading/term-child.ts"), home, sim.url],
      {
        cwd: ROOT,
        env: { ...process.env, KAIROS_BINANCE_API_KEY: KEY, KAIROS_BINANCE_SECRET: SECRET },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("close", (code, signal) => done({ code, signal })),
    );
    cleanup.push(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const ours = () => sim.ledger().orders.filter((o) => String(o.clientOrderId).startsWith("kr-term1-"));
    // the session trades: its first order is on the exchange
    await waitFor(() => ours().length > 0, 90_000);
    // an order placed by hand on the exchange, resting far below the market: the kill cancels it too
    const manual = sim.placeManualOrder(
      "BTCUSDT",
      "BUY",
      "LIMIT",
      "0.001",
      String(Math.round(btc.close[600]! / 2)),
    );
    expect(manual.status).toBe(200);
    child.kill("SIGTERM");
    const { code, signal } = await exited;
    process.stderr.write(
      `sigterm child: code ${code} signal ${signal}\n${err.split("\n").slice(-4).join("\n")}\n${out}\n`,
    );
    expect(signal).toBeNull();
    expect(code).toBe(0);
    const r = JSON.parse(out.trim().split("\n").at(-1)!) as {
      state: string;
      terminated?: {
        first: { state: string; sessions: string[]; foreignCancelled: number; stillOpen: number };
        sweep: { stillOpen: number };
      };
    };
    expect(r.state).toBe("halted");
    expect(r.terminated?.first.state).toBe("halted");
    expect(r.terminated?.first.sessions).toContain("term1");
    expect(r.terminated?.first.foreignCancelled).toBe(1);
    expect(r.terminated?.sweep.stillOpen).toBe(0);
    // the exchange's own books: nothing open, the manual order cancelled
    const open = sim.ledger().orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED");
    expect(open).toEqual([]);
    expect(sim.ledger().orders.find((o) => String(o.clientOrderId).startsWith("web_"))?.status).toBe(
      "CANCELED",
    );
    // nothing is sent after: two more bars pass without a new order
    const n = sim.ledger().orders.length;
    const t = sim.now();
    await waitFor(() => sim.now() >= t + 2 * HOUR, 10_000);
    expect(sim.ledger().orders.length).toBe(n);
    // the latch survives the process: the session is halted, and so is the account's trading state
    const c = createContainer({ home });
    cleanup.push(() => c.close());
    const s = c.trading().orders.getSession("term1")!;
    expect(s.state).toBe("halted");
    expect(s.haltReason).toMatch(/kill switch .* by SIGTERM/);
    expect(`${out}${err}`).not.toContain(SECRET);
  }, 180_000);
});
