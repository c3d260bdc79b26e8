// `kairos trade start --live` against `kairos sim --speed 20`, both real CLI processes: the
// simulated exchange runs 20x faster than real time, so a risk gate on this machine's clock would
// refuse every order for clock skew; the session takes the exchange's clock because the API base is
// a simulated exchange on this machine that says it is time-scaled (GET /sim/clock), and records it.
// The trading process is killed; `trade resume` refuses the key file once it is world-readable,
// takes the key file at its new place with --key-file (mode 0600), trades on the exchange's clock
// again and is stopped. kairos's orders and fills equal the exchange's ledger. `--venue-clock`
// against a host that is not this machine is refused in one line naming the fix, nothing sent.
import type { ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createContainer } from "../../src/composition-root.ts";
import { amount } from "../../src/execution/amount.ts";
import {
  bundledHome,
  runKairos,
  startKairos,
  startTimeScaledSim,
  tempHome,
  waitUntil,
} from "../support/cli.ts";
import { TEST_LIMITS, writeTestLimits } from "./trading-limits.ts";

const KEY = "kairosLiveCliKey0123456789";
const SECRET = "kairosLiveCliSecretNeverPrinted";
const simHome = bundledHome("kairos-live-cli-sim-", ["bitstamp_BTC-USD_1m.csv.gz"]);
const home = tempHome("kairos-live-cli-");
const keys = mkdtempSync(join(tmpdir(), "kairos-live-cli-keys-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(keys, { recursive: true, force: true });
});

/** `node bin/kairos.js --home H ...args` in the background, its output collected */
const start = (h: string, args: string[]) => startKairos(h, args, children);
const waitFor = waitUntil;

describe("kairos trade start --live on a time-scaled kairos sim", () => {
  it("trades on the exchange's clock, survives a kill, resumes with --key-file (0600 checked again), and equals the ledger", async () => {
    // the exchange: 1m candles, 20x real time (a bar every 3 s)
    const { sim, url, ledger } = await startTimeScaledSim(simHome, KEY, SECRET, children);
    const ours = async () => (await ledger()).orders.filter((o) => o.clientOrderId.startsWith("kr-clilive-"));

    // price age is judged in the exchange's time (two of its minutes); the market is BTC/USD
    writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: "120000", allowlist: "BTC/USD" });
    const keyFile = join(keys, "binance.json");
    writeFileSync(keyFile, JSON.stringify({ apiKey: KEY, secret: SECRET }), { mode: 0o600 });
    const live = [
      "--symbols",
      "BTC/USD",
      "--timeframe",
      "1m",
      "--strategy",
      "sma-cross",
      "--fast",
      "2",
      "--slow",
      "4",
      "--size",
      "0.05",
      "--id",
      "clilive",
    ];
    const trader = start(home, [
      "trade",
      "start",
      "--live",
      "--exchange",
      "binance",
      "--confirm-live",
      "binance",
      "--api-base",
      url,
      "--key-file",
      keyFile,
      ...live,
    ]);
    // orders reach the exchange: the gate did not refuse them for clock skew
    await waitFor(async () => (await ours()).length >= 2, 120_000, "two orders of the session");
    trader.child.kill("SIGKILL");
    await trader.exited;
    expect(`${trader.io.out}${trader.io.err}`).not.toMatch(/clock-skew|clock skew/);

    // the key file became readable by others: resume refuses it in one line, nothing is sent
    chmodSync(keyFile, 0o644);
    const before = (await ours()).length;
    const refused = runKairos(["trade", "resume", "clilive"], { home, timeout: 60_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /--key-file .*binance\.json: readable by others \(mode 644\); run `chmod 600/,
    );
    const refused2 = runKairos(["trade", "resume", "clilive", "--key-file", keyFile], {
      home,
      timeout: 60_000,
    });
    expect(refused2.code).toBe(2);
    expect(refused2.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused2.stderr).toMatch(/readable by others/);
    expect((await ours()).length).toBe(before);

    // the key file moved to a new place, owner-only: resume reads it there and trades on
    const moved = join(keys, "moved.json");
    copyFileSync(keyFile, moved);
    chmodSync(moved, 0o600);
    rmSync(keyFile);
    const resumed = start(home, ["trade", "resume", "clilive", "--key-file", moved]);
    await waitFor(async () => (await ours()).length >= before + 1, 120_000, "an order after the resume");
    const stop = runKairos(["trade", "stop", "clilive"], { home, timeout: 60_000 });
    expect(stop.code).toBe(0);
    const end = await resumed.exited;
    process.stderr.write(`live-cli resume: ${end.code} ${resumed.io.err.split("\n").slice(-5).join("\n")}\n`);
    expect(end.code).toBe(0);
    expect(`${resumed.io.out}${resumed.io.err}`).not.toMatch(/clock-skew|clock skew/);

    // the new key file was recorded: a reconciliation from a fresh process reads it, and agrees
    const rec = runKairos(["trade", "reconcile", "clilive"], { home, timeout: 60_000 });
    expect(rec.stdout).toMatch(/kairos and the venue agree/);
    expect(rec.code).toBe(0);
    // kairos's books equal the exchange's ledger
    const status = JSON.parse(
      runKairos(["--json", "trade", "status", "clilive"], { home, timeout: 60_000 }).stdout,
    ) as { orders: number; fills: number; openOrders: unknown[]; balances: Record<string, string> };
    const l = await ledger();
    const mine = l.orders.filter((o) => o.clientOrderId.startsWith("kr-clilive-"));
    const fills = l.fills.filter((f) => f.clientOrderId.startsWith("kr-clilive-"));
    process.stderr.write(
      `live-cli: ${mine.length} orders (${before} before the kill), ${fills.length} fills on the exchange; kairos ${status.orders} orders, ${status.fills} fills\n`,
    );
    expect(status.orders).toBe(mine.length);
    expect(status.fills).toBe(fills.length);
    expect(status.openOrders).toEqual([]);
    // order by order: the same client ids, each filled as much as the exchange says
    const c = createContainer({ home });
    const t = c.trading();
    const kept = t.orders.ordersOf("clilive").map((o) => [o.clientOrderId, amount(o.filledQty)]);
    const cfg = t.orders.getSession("clilive")!.config;
    c.close();
    expect(kept.sort()).toEqual(mine.map((o) => [o.clientOrderId, amount(o.executedQty)]).sort());
    // what the session recorded: the exchange's clock (checked again at resume) and the key file's new place
    expect(cfg).toMatchObject({ venueClock: true, keyFile: moved, apiBase: url });
    const total = (a: string) => Number(l.balances[a]!.free) + Number(l.balances[a]!.locked);
    expect(Number(status.balances.BTC ?? 0)).toBeCloseTo(total("BTC"), 8);
    expect(Number(status.balances.USD)).toBeCloseTo(total("USD"), 8);
    // the keys never appear in any output
    for (const text of [trader.io.out, trader.io.err, resumed.io.out, resumed.io.err, refused.stderr])
      expect(text).not.toContain(SECRET);
    sim.child.kill("SIGTERM");
    await sim.exited;
  }, 400_000);

  it("refuses --key-file on resuming a paper session, in one line", () => {
    const paper = runKairos(
      [
        "trade",
        "start",
        "--strategy",
        "sma-cross",
        "--fast",
        "2",
        "--slow",
        "4",
        "--symbols",
        "BTC/USD",
        "--timeframe",
        "1m",
        "--from",
        "2025-01-10T00:00:00Z",
        "--to",
        "2025-01-10T01:00:00Z",
        "--id",
        "paperk",
      ],
      { home: simHome, timeout: 120_000 },
    );
    expect(paper.code).toBe(0);
    const r = runKairos(["trade", "resume", "paperk", "--key-file", join(keys, "any.json")], {
      home: simHome,
      timeout: 60_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/--key-file: session paperk is paper; API keys are for live sessions only/),
    ]);
  });

  it("refuses --venue-clock against a host that is not this machine, in one line naming the fix", () => {
    const r = runKairos(
      [
        "trade",
        "start",
        "--live",
        "--exchange",
        "binance",
        "--confirm-live",
        "binance",
        // TEST-NET: nothing answers there, and nothing is asked
        "--api-base",
        "http://192.0.2.1:9",
        "--venue-clock",
        "--symbols",
        "BTC/USDT",
        "--timeframe",
        "1h",
        "--strategy",
        "sma-cross",
      ],
      { home, timeout: 60_000, env: { KAIROS_BINANCE_API_KEY: KEY, KAIROS_BINANCE_SECRET: SECRET } },
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /--venue-clock: 192\.0\.2\.1:9 is not this machine; a real exchange is checked against this machine's clock: drop --venue-clock/,
    );
  });
});
