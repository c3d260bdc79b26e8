// The dashboard against the simulated exchange, end to end: Debian's chromium drives a real `kairos
// serve`, which trades through ccxt's binance class on kairos's simulated Binance (the code `kairos
// sim` runs, src/adapters/sim-exchange) on 127.0.0.1. A session started from the Trading page's form
// places its orders there; the page shows them; the kill switch pressed on the page latches HALTED and
// every order of the session ends cancelled or filled in the exchange's own ledger, none open.
//
// The exchange runs in this process at real speed from now, over one-minute candles re-timed to end
// now: the pre-trade gate compares the venue's clock with the machine's (at most 1 s apart) and ages
// prices by the machine's clock, so a replay of 2025 or a faster market clock would be refused by the
// gate, as it should be. `kairos sim`'s own start-up (a second process) would already exceed 1 s.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairos, tempHome } from "../support/cli.ts";
import {
  ensureWebBuilt,
  launch,
  openPage,
  prepareHome,
  removeHome,
  type Server,
  shotPath,
  signIn,
  startServe,
  stopServe,
  type Watched,
} from "./support.ts";

const MIN = 60_000;
const KEY = "kairosWebSimKey0123456789abc";
const SECRET = "kairosWebSimSecretNeverShown";
const PAST = 400;
const FUTURE = 30;
/** exchange time left in the minute when the kill is pressed: the click, the API and the cancels fit in it */
const KILL_MARGIN_MS = 25_000;

const home = tempHome("kairos-web-sim-");
let server: Server;
let sim: SimExchange;
let w: Watched;
let page: Page;
const saved = { key: process.env.KAIROS_BINANCE_API_KEY, secret: process.env.KAIROS_BINANCE_SECRET };

/** BTC/USDT's bundled hourly candles, re-timed as one-minute candles whose last closed one ends now */
function minuteSeries(now: number): CandleSeries {
  const h = loadBundledSeries("binance", "BTC/USDT", "1h");
  const n = PAST + FUTURE;
  const from = h.ts.length - n;
  const t0 = Math.floor(now / MIN) * MIN - PAST * MIN;
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) ts[i] = t0 + i * MIN;
  return {
    exchange: "binance",
    symbol: "BTC/USDT",
    timeframe: "1m",
    ts,
    open: h.open.slice(from, from + n),
    high: h.high.slice(from, from + n),
    low: h.low.slice(from, from + n),
    close: h.close.slice(from, from + n),
    volume: h.volume.slice(from, from + n),
  };
}

const inPage = <T>(p: Page, expr: string): Promise<T> => p.evaluate(expr) as Promise<T>;
/** The API from here (Node) with the page's token: a probe that is not the page's own traffic */
async function api<T>(p: Page, method: string, path: string, body?: unknown): Promise<T> {
  const token = await inPage<string>(p, `sessionStorage.getItem("kairos.token")`);
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await r.json()) as T;
}

beforeAll(async () => {
  ensureWebBuilt();
  const now = Date.now();
  const series = minuteSeries(now);
  // the home holds the minutes already closed (the form lists stored series); the exchange has them all
  const csv = join(home, "btc-1m.csv");
  const rows = ["timestamp,open,high,low,close,volume"];
  for (let i = 0; i < PAST; i++)
    rows.push(
      `${series.ts[i]},${series.open[i]},${series.high[i]},${series.low[i]},${series.close[i]},${series.volume[i]}`,
    );
  writeFileSync(csv, `${rows.join("\n")}\n`);
  prepareHome(home, []);
  const r = runKairos(
    ["data", "import", csv, "--exchange", "binance", "--symbol", "BTC/USDT", "--timeframe", "1m"],
    { home, timeout: 60_000 },
  );
  if (r.code !== 0) throw new Error(`import: ${r.stderr}`);
  sim = await startSimExchange({
    series: [series],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "real", speed: 1 },
    start: Date.now(),
    fees: { maker: 0.001, taker: 0.001 },
    // small enough that the session's orders stay inside the default risk limits (1,000 USDT an order)
    balances: { USDT: "1000" },
  });
  // the server's live sessions and its kill switch take the keys from its environment
  process.env.KAIROS_BINANCE_API_KEY = KEY;
  process.env.KAIROS_BINANCE_SECRET = SECRET;
  server = await startServe(home);
  w = await launch();
  page = await (await w.context({ width: 1280, height: 800 })).newPage();
  await signIn(page, server.url);
}, 180_000);

afterAll(async () => {
  await w?.browser.close();
  await stopServe(server);
  await sim?.close();
  for (const [k, v] of [
    ["KAIROS_BINANCE_API_KEY", saved.key],
    ["KAIROS_BINANCE_SECRET", saved.secret],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  removeHome(home);
});

interface Status {
  state: string;
  mode: string;
  openOrders: { clientOrderId: string; side: string; qty: string; state: string }[];
  orders: number;
}

const acknowledged = (state: string): boolean => state === "acknowledged";

describe("dashboard on the simulated exchange", () => {
  let id = "";
  let seenOpen: string[] = [];

  it("start a session on the simulated exchange from the Trading page and see its orders there and in the exchange's books", async () => {
    await openPage(page, server.url, "trading");
    await page.selectOption("#ts-strategy", "dca");
    await page.selectOption("#ts-series", JSON.stringify(["binance", "BTC/USDT", "1m"]));
    // a buy of 5% of equity at every closed minute: an order rests on the exchange until its minute closes
    await page.fill("#ts-params", "every=1, step=0.05");
    await page.selectOption("#ts-venue", "live");
    await page.fill("#ts-confirm", "binance");
    await page.fill("#ts-api-base", sim.url);
    expect(await page.textContent("#ts-start")).toBe("Start live session");
    await page.click("#ts-start");
    await expect
      .poll(() => page.textContent("#ts-status"), { timeout: 30_000 })
      .toMatch(/^Session w[a-z0-9]+ /);
    id = /^Session (w[a-z0-9]+) /.exec((await page.textContent("#ts-status")) ?? "")![1]!;
    // the first minute closes within 60 s; the session decides and its order rests until the next close
    let st: Status | undefined;
    const diagnose = async (): Promise<void> => {
      process.stderr.write(
        `sim test: page says ${await page.textContent("#ts-status")}\nsessions ${JSON.stringify(await api(page, "GET", "/v1/trade/sessions"))}\nstatus ${JSON.stringify(await api(page, "POST", "/v1/trade/status", { id }))}\naudit ${JSON.stringify(await api(page, "POST", "/v1/audit/show", { decision: `${id}/1` }))}\nserve log ${server.log.join("").slice(-3000)}\n`,
      );
    };
    await expect
      .poll(
        async () => {
          const said = (await page.textContent("#ts-status")) ?? "";
          // a refusal ends the wait with its reason
          if (/Not started/.test(said)) return said;
          st = await api<Status>(page, "POST", "/v1/trade/status", { id });
          // an order counts once the exchange has acknowledged it: "sent" is open in kairos's books from
          // the moment before its bytes go out, so the exchange may not hold it yet
          return st.openOrders?.filter((o) => acknowledged(o.state)).length ?? 0;
        },
        { timeout: 100_000, interval: 500 },
      )
      .toBeGreaterThan(0)
      .catch(async (e: unknown) => {
        await diagnose();
        throw e;
      });
    expect(st!.mode).toBe("live");
    seenOpen = st!.openOrders.filter((o) => acknowledged(o.state)).map((o) => o.clientOrderId);
    // the order is in the exchange's books, open, under kairos's client order id
    const ledger = sim.ledger();
    for (const cid of seenOpen) {
      const o = ledger.orders.find((x) => x.clientOrderId === cid);
      expect(o, cid).toBeDefined();
      expect(o!.status).toBe("NEW");
    }
    // and on the page: the session's card lists it among its open orders
    await openPage(page, server.url, "trading");
    const card = `[data-session="${id}"]`;
    await page.waitForSelector(card, { timeout: 30_000 });
    const text = (await page.textContent(card)) ?? "";
    expect(text).toContain(`Session ${id} · live`);
    for (const cid of seenOpen) expect(text).toContain(cid);
    await page.screenshot({ path: shotPath("trading-sim-desktop"), fullPage: true });
  }, 150_000);

  it("press kill on the page: HALTED, and every order of the session is cancelled or filled in the exchange's ledger, none open", async () => {
    // the kill must find an order resting: at each minute's close the exchange fills the resting order
    // and the session sends the next one a moment later, so a kill landing in that gap (or racing the
    // close) has nothing to cancel. Press it when an acknowledged order rests on the exchange and its
    // minute has at least KILL_MARGIN_MS of the exchange's clock left to run
    let resting: string[] = [];
    await expect
      .poll(
        async () => {
          const left = MIN - (sim.now() % MIN);
          if (left < KILL_MARGIN_MS) return false;
          const st = await api<Status>(page, "POST", "/v1/trade/status", { id });
          const ledger = sim.ledger();
          resting = st.openOrders
            .filter((o) => acknowledged(o.state))
            .map((o) => o.clientOrderId)
            .filter((cid) => ledger.orders.find((x) => x.clientOrderId === cid)?.status === "NEW");
          // read again: the close did not come while the books were read
          return resting.length > 0 && MIN - (sim.now() % MIN) >= KILL_MARGIN_MS;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);
    await page.click("#kill-button");
    await page.fill("#kill-by", "web sim test");
    await page.click("#kill-confirm");
    await expect.poll(() => page.textContent("#kill-status"), { timeout: 30_000 }).toMatch(/HALTED/);
    expect(await page.textContent("#kill-status")).toMatch(/0 still open/);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.textContent("#state-badge"), { timeout: 30_000 }).toBe("HALTED");
    const st = await api<Status>(page, "POST", "/v1/trade/status", { id });
    expect(st.state).toBe("halted");
    expect(st.openOrders).toEqual([]);
    const ledger = sim.ledger();
    const mine = ledger.orders.filter((o) => String(o.clientOrderId).length > 0 && o.external !== true);
    expect(mine.length).toBe(st.orders);
    // none open on the exchange; the order that rested when the switch was pressed was cancelled there
    expect(mine.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual([]);
    for (const cid of seenOpen)
      expect(mine.find((o) => o.clientOrderId === cid)?.status, cid).toMatch(/CANCELED|FILLED/);
    for (const cid of resting)
      expect(mine.find((o) => o.clientOrderId === cid)?.status, cid).toBe("CANCELED");
    expect(mine.filter((o) => o.status === "CANCELED").length).toBeGreaterThan(0);
    await openPage(page, server.url, "trading");
    await page.screenshot({ path: shotPath("trading-sim-halted-desktop"), fullPage: true });
    const phone = await (await w.context({ width: 390, height: 844 })).newPage();
    await signIn(phone, server.url);
    await openPage(phone, server.url, "trading");
    await phone.screenshot({ path: shotPath("trading-sim-halted-phone"), fullPage: true });
    await phone.context().close();
  }, 180_000);

  it("no console errors and no request to anything but 127.0.0.1", () => {
    expect(w.requests.length).toBeGreaterThan(10);
    expect(w.outside).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
