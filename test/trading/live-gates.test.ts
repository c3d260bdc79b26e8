// Live is opt-in and confirmed: without the typed confirmation, with a world-readable or malformed
// key file, or with a key that can withdraw, kairos refuses in one line, creates no session and
// sends nothing; the key never appears in a message
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { AppError } from "../../src/errors.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const KEY = "kairosLiveTestKey0123456789";
const SECRET = "kairosLiveTestSecretDoNotPrint42";
let home: string;
let c: Container;
const sims: SimExchange[] = [];
const btc = sliceSeries(loadBundledSeries("binance", "BTC/USDT", "1h"), 0, 500);

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "kairos-live-"));
  c = createContainer({ home });
  c.store.upsert(btc);
});
afterAll(async () => {
  for (const s of sims) await s.close();
  c.close();
  rmSync(home, { recursive: true, force: true });
});

const keyFile = (name: string, text: string, mode: number): string => {
  const p = join(home, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
};

async function refusal(input: Parameters<typeof startTrading>[1]): Promise<AppError> {
  try {
    await startTrading(c.trading(), input);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(KEY);
    expect(err.message.split("\n")).toHaveLength(1);
    return err;
  }
  throw new Error("not refused");
}

const base = {
  strategy: "sma-cross",
  symbols: "BTC/USDT",
  timeframe: "1h",
  live: true,
  exchange: "binance",
} as const;

describe("live opt-in gates", () => {
  it("refuses --live without the typed confirmation, or with another exchange's name", async () => {
    expect((await refusal({ ...base })).message).toMatch(/confirm with --confirm-live binance/);
    expect((await refusal({ ...base, confirmLive: "kraken" })).message).toMatch(
      /does not name the exchange binance/,
    );
    expect(c.trading().orders.listSessions()).toEqual([]);
  });

  it("refuses a key file others can read, and a malformed one", async () => {
    const open = keyFile("open.json", JSON.stringify({ apiKey: KEY, secret: SECRET }), 0o644);
    expect((await refusal({ ...base, confirmLive: "binance", keyFile: open })).message).toMatch(
      /readable by others \(mode 644\); run `chmod 600/,
    );
    const bad = keyFile("bad.json", "apiKey: oops", 0o600);
    expect((await refusal({ ...base, confirmLive: "binance", keyFile: bad })).message).toMatch(
      /not a key file/,
    );
    expect(c.trading().orders.listSessions()).toEqual([]);
  });

  it("refuses a key the exchange reports as able to withdraw, sending nothing", async () => {
    const file = keyFile("ok.json", JSON.stringify({ apiKey: KEY, secret: SECRET }), 0o600);
    const withdraw = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET, canWithdraw: true },
    });
    sims.push(withdraw);
    const e = await refusal({ ...base, confirmLive: "binance", keyFile: file, apiBase: withdraw.url });
    expect(e.code).toBe("AUTH_FAILED");
    expect(e.message).toMatch(/can withdraw funds/);
    // a trading-only key passes the gates and the session runs: test/trading/live-session.test.ts
    expect(JSON.stringify(withdraw.ledger())).not.toMatch(/"clientOrderId"|kr-/);
    expect(c.trading().orders.listSessions()).toEqual([]);
  });
});
