// `kairos bot start|list|stop|resume|backtest` on the paper venue, through the CLI: a paper bot
// places exactly the orders `kairos bot backtest` lists on the same bars (all four bots); an order
// the risk gate refuses is never stored nor sent; a bot killed with SIGKILL mid-run and resumed
// places no order twice and ends with an uncrashed run's orders and fills; stop cancels what rests.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configOf } from "../../src/app/trade-runtime.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairos, runKairosInProcess } from "../support/cli.ts";
import { writeTestLimits } from "../trading/trading-limits.ts";

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const bars = sliceSeries(all, all.ts.length - 400);
const iso = (i: number): string => new Date(bars.ts[i]!).toISOString();
const FROM = iso(100);
const TO = iso(399);

/** a home holding the bars; `limits` raises the risk limits for bots that trade the whole account */
function homeWith(limits: boolean): string {
  const home = mkdtempSync(join(tmpdir(), "kairos-bots-cli-"));
  homes.push(home);
  const c = createContainer({ home });
  c.store.upsert(bars);
  c.close();
  if (limits) writeTestLimits(home);
  return home;
}

const MARKET = ["--symbol", "BTC/USDT", "--timeframe", "1h", "--from", FROM, "--to", TO];
const BOTS: Record<string, string[]> = {
  grid: ["--levels", "4", "--spacing", "0.005", "--anchor", "24", "--size", "0.95"],
  dca: ["--every", "10", "--step", "0.1", "--take-profit", "0.02", "--size", "0.95"],
  twap: ["--qty", "0.05", "--side", "buy", "--duration", "2d", "--participation", "0.0001"],
  iceberg: [
    "--qty",
    "0.02",
    "--side",
    "buy",
    "--price",
    String(Math.round(bars.close[130]! * 0.99)),
    "--clip",
    "0.004",
  ],
};

async function cli(home: string, args: string[]) {
  const r = await runKairosInProcess(args, { home });
  if (r.code !== 0) throw new Error(`kairos ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** what kairos stored and what the paper venue holds for one bot */
async function books(home: string, id: string) {
  const c = createContainer({ home });
  try {
    const deps = c.trading();
    const cfg = configOf(deps.orders.getSession(id)!);
    const venue = deps.paperVenue({ account: id, takerFee: String(cfg.fee), rules: cfg.rules });
    const orders = deps.orders.ordersOf(id);
    return {
      orders: orders.map((o) => ({
        id: o.clientOrderId,
        side: o.side,
        type: o.type,
        qty: o.qty,
        price: o.limitPrice,
        state: o.state,
      })),
      fills: deps.orders
        .fillsOf(id)
        .map((f) => ({ ts: f.ts, side: f.side, qty: f.qty, price: f.price, order: f.clientOrderId })),
      venueFills: (await venue.fillsSince("BTC/USDT", 0)).length,
      venueOrders: (await venue.openOrders("BTC/USDT")).length,
      state: deps.orders.getSession(id)!.state,
    };
  } finally {
    c.close();
  }
}

describe("kairos bot", () => {
  it("each bot places on the paper venue exactly the orders `kairos bot backtest` lists on the same bars", async () => {
    const home = homeWith(true);
    for (const [kind, flags] of Object.entries(BOTS)) {
      const id = kind.slice(0, 4);
      const started = JSON.parse(
        (await cli(home, ["bot", "start", kind, ...MARKET, ...flags, "--id", id, "--json"])).stdout,
      );
      expect(started.state).toBe("active");
      const bt = JSON.parse(
        (await cli(home, ["bot", "backtest", kind, ...MARKET, ...flags, "--json"])).stdout,
      ) as {
        fills: { bar: string; side: string; qty: number; price: number }[];
      };
      const b = await books(home, id);
      process.stderr.write(
        `bot ${kind}: ${b.fills.length} fills on the paper venue, ${bt.fills.length} in bot backtest\n`,
      );
      expect(bt.fills.length).toBeGreaterThan(2);
      expect(b.fills.map((f) => [new Date(f.ts).toISOString(), f.side])).toEqual(
        bt.fills.map((f) => [f.bar, f.side]),
      );
      for (const [i, f] of b.fills.entries()) {
        expect(Number(f.qty)).toBeCloseTo(bt.fills[i]!.qty, 9);
        expect(Number(f.price)).toBeCloseTo(bt.fills[i]!.price, 6);
      }
      expect(b.venueFills).toBe(b.fills.length);
      // the drift monitor, replaying the bot's period through the backtest on the bars the bot
      // loaded (dca counts bars from the first one), finds none
      const drift = JSON.parse((await cli(home, ["trade", "drift", id, "--json"])).stdout);
      expect(drift.zero, JSON.stringify(drift.firstDivergence)).toBe(true);
    }
    const list = JSON.parse((await cli(home, ["bot", "list", "--json"])).stdout) as {
      id: string;
      kind: string;
      fills: number;
    }[];
    expect(list.map((b) => b.kind)).toEqual(["grid", "dca", "twap", "iceberg"]);
  }, 300_000);

  it("an iceberg shows one clip at a time, and `bot stop` cancels the resting clip", async () => {
    const home = homeWith(true);
    // just above the lowest low of the run: the market reaches it on a few bars only, so the last clip rests
    const price = (Math.round(Math.min(...bars.low.subarray(101, 399)) * 1.0005 * 100) / 100).toFixed(2);
    await cli(home, [
      "bot",
      "start",
      "iceberg",
      ...MARKET,
      "--qty",
      "0.05",
      "--side",
      "buy",
      "--price",
      price,
      "--clip",
      "0.01",
      "--id",
      "ice",
    ]);
    const before = await books(home, "ice");
    const open = before.orders.filter((o) => o.state === "acknowledged" || o.state === "partially_filled");
    expect(before.fills.length).toBeGreaterThan(0);
    expect(open.length).toBe(1);
    expect(
      before.orders.every(
        (o) => o.type === "limit" && Number(o.qty) <= 0.01 && Number(o.price) === Number(price),
      ),
    ).toBe(true);
    expect(before.venueOrders).toBe(1);
    const stopped = await cli(home, ["bot", "stop", "ice"]);
    expect(stopped.stdout).toContain("1 open order(s) cancelled");
    const after = await books(home, "ice");
    expect(after.venueOrders).toBe(0);
    expect(after.state).toBe("stopped");
  }, 300_000);

  it("an order the risk gate refuses is never stored nor sent", async () => {
    const home = homeWith(false); // the conservative defaults: orders up to 1,000 USDT
    const r = await cli(home, [
      "bot",
      "start",
      "twap",
      ...MARKET,
      "--qty",
      "0.5",
      "--side",
      "buy",
      "--bars",
      "4",
      "--participation",
      "1",
      "--id",
      "big",
    ]);
    expect(r.stderr).toContain("refused by the risk gate (order-value");
    const b = await books(home, "big");
    expect(b.orders).toEqual([]);
    expect(b.venueFills).toBe(0);
    const lines = readFileSync(join(home, "risk-decisions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(4);
    expect(lines.every((l) => l.session === "big" && l.accepted === false)).toBe(true);
  }, 300_000);

  it("a paper bot that would sell what its account does not hold is refused before anything is created", async () => {
    const home = homeWith(true);
    const r = await runKairosInProcess(
      ["bot", "start", "twap", ...MARKET, "--qty", "0.01", "--side", "sell", "--bars", "4", "--id", "sell"],
      { home },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a selling twap needs BTC to sell");
    const c = createContainer({ home });
    expect(c.trading().orders.getSession("sell")).toBeUndefined();
    c.close();
  });

  it("a bot killed mid-run and resumed places no order twice and ends as an uncrashed run", async () => {
    const clean = homeWith(true);
    const crashed = homeWith(true);
    // a buy limit above every price fills at the next open: one clip per bar, ten clips in all
    const above = String(Math.ceil(Math.max(...bars.high) * 1.01));
    const iceberg = ["--qty", "0.02", "--side", "buy", "--price", above, "--clip", "0.002"];
    for (const [kind, flags] of [
      ["twap", BOTS.twap!],
      ["iceberg", iceberg],
    ] as const) {
      const id = kind.slice(0, 4);
      await cli(clean, ["bot", "start", kind, ...MARKET, ...flags, "--id", id]);
      // killed (SIGKILL, its own hook) at three lifecycle points in turn, resumed after each
      const first = runKairos(["bot", "start", kind, ...MARKET, ...flags, "--id", id], {
        home: crashed,
        env: { KAIROS_CRASH_AT: "after-submit:3" },
      });
      expect(first.code).not.toBe(0);
      for (const at of ["after-intent:2", "before-fill:2"]) {
        const r = runKairos(["bot", "resume", id], { home: crashed, env: { KAIROS_CRASH_AT: at } });
        expect(r.code, `${at}: ${r.stderr}`).not.toBe(0);
      }
      const last = runKairos(["bot", "resume", id], { home: crashed });
      expect(last.code, last.stderr).toBe(0);
      const a = await books(clean, id);
      const b = await books(crashed, id);
      process.stderr.write(
        `bot restart ${kind}: ${b.orders.length} orders, ${b.fills.length} fills after 3 kills\n`,
      );
      expect(b.state).toBe("active");
      expect(new Set(b.orders.map((o) => o.id)).size).toBe(b.orders.length);
      expect(b.orders).toEqual(a.orders);
      expect(b.fills).toEqual(a.fills);
      expect(b.venueFills).toBe(b.fills.length);
      expect(b.venueOrders).toBe(a.venueOrders);
    }
    expect(existsSync(join(crashed, "kairos.db"))).toBe(true);
  }, 600_000);
});
